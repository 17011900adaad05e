import { type Problem, valueMsg } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../../db.js';
import { AtriumError } from '../../errors.js';
import { listMsg } from '../../records/list-messages.js';
import { qt } from '../../sql-names.js';
import { processMsg } from '../process-messages.js';

/**
 * The readable side of the side effects: the mail outbox (administrators) and each user's
 * notifications, newest first, paged by id (`before` = the last id of the previous page).
 */
export interface Page<T> {
  data: T[];
  /** Pass as `before` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface OutboxMail {
  id: number;
  messageId: string;
  to: string[];
  subject: string;
  text: string;
  locale: string | null;
  module: string | null;
  recordId: string | null;
  /** queued: not sent (yet, or no SMTP server configured: transport none); sent; failed: last try failed. */
  status: 'queued' | 'sent' | 'failed';
  transport: 'smtp' | 'none';
  attempts: number;
  error: string | null;
  idempotencyKey: string;
  createdAt: string;
  sentAt: string | null;
}

export interface Notification {
  id: number;
  title: string;
  body: string | null;
  module: string | null;
  recordId: string | null;
  createdAt: string;
  readAt: string | null;
}

interface PageQuery {
  limit?: string | number;
  before?: string;
}

/** `limit` (1–100, default 50) and `before` (an id), refused on their paths when odd. */
function paging(query: PageQuery): { limit: number; before: string | null } {
  const problems: Problem[] = [];
  const limit = query.limit === undefined ? 50 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    problems.push(processMsg.at('limit', 'pageLimit', { min: 1, max: 100 }));
  const before = query.before ?? null;
  if (before !== null && !/^[1-9][0-9]{0,17}$/.test(before))
    problems.push(processMsg.at('before', 'pageBefore'));
  if (problems.length > 0) throw new AtriumError('INVALID_QUERY', problems);
  return { limit, before };
}

function page<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return {
    data,
    nextCursor: rows.length > limit ? String((data[data.length - 1] as T).id) : null,
  };
}

const MAIL_STATUSES = ['queued', 'sent', 'failed'];

/** `GET /api/outbox`: every mail, newest first, optionally of one status. */
export async function listOutbox(
  db: Db,
  schema: string,
  query: PageQuery & { status?: string },
): Promise<Page<OutboxMail>> {
  const { limit, before } = paging(query);
  if (query.status !== undefined && !MAIL_STATUSES.includes(query.status))
    throw new AtriumError('INVALID_QUERY', [
      valueMsg.at('status', 'oneOf', { values: MAIL_STATUSES }),
    ]);
  const r = await sql<OutboxMail>`select id::int as id, message_id as "messageId",
      recipients as "to", subject, text, locale, module, record_id as "recordId", status,
      transport, attempts, error, idempotency_key as "idempotencyKey", created_at as "createdAt",
      sent_at as "sentAt"
    from ${sql.raw(qt(schema, '_outbox'))}
    where true ${before ? sql`and id < ${before}` : sql``}
      ${query.status ? sql`and status = ${query.status}` : sql``}
    order by id desc limit ${limit + 1}`.execute(db);
  return page(r.rows, limit);
}

/** `GET /api/notifications`: the user's own, newest first (`unread=true`: unread only), with the unread count. */
export async function listNotifications(
  db: Db,
  schema: string,
  userId: string,
  query: PageQuery & { unread?: string },
): Promise<Page<Notification> & { unread: number }> {
  const { limit, before } = paging(query);
  if (query.unread !== undefined && query.unread !== 'true' && query.unread !== 'false')
    throw new AtriumError('INVALID_QUERY', [listMsg.at('unread', 'trueOrFalse')]);
  const table = sql.raw(qt(schema, '_notifications'));
  const r = await sql<Notification>`select id::int as id, title, body, module,
      record_id as "recordId", created_at as "createdAt", read_at as "readAt"
    from ${table} where user_id = ${userId}
      ${before ? sql`and id < ${before}` : sql``}
      ${query.unread === 'true' ? sql`and read_at is null` : sql``}
    order by id desc limit ${limit + 1}`.execute(db);
  const n = await sql<{ n: number }>`select count(*)::int as n from ${table}
    where user_id = ${userId} and read_at is null`.execute(db);
  return { ...page(r.rows, limit), unread: n.rows[0]?.n ?? 0 };
}

/** Marks one of the user's notifications read (404 for another user's or a missing one). */
export async function markNotificationRead(
  db: Db,
  schema: string,
  userId: string,
  id: string,
): Promise<Notification> {
  const missing = () =>
    new AtriumError('NOT_FOUND', [processMsg.at('id', 'noNotification', { id })], {
      en: 'No such notification',
      'zh-CN': '通知不存在',
    });
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw missing();
  const r = await sql<Notification>`update ${sql.raw(qt(schema, '_notifications'))}
      set read_at = coalesce(read_at, now())
    where id = ${id} and user_id = ${userId}
    returning id::int as id, title, body, module, record_id as "recordId",
      created_at as "createdAt", read_at as "readAt"`.execute(db);
  const row = r.rows[0];
  if (!row) throw missing();
  return row;
}

/** Marks all the user's notifications read; returns how many were unread. */
export async function markAllNotificationsRead(
  db: Db,
  schema: string,
  userId: string,
): Promise<{ marked: number }> {
  const r = await sql`update ${sql.raw(qt(schema, '_notifications'))} set read_at = now()
    where user_id = ${userId} and read_at is null`.execute(db);
  return { marked: Number(r.numAffectedRows ?? 0) };
}
