import { sql } from 'kysely';
import type { Db } from '../db.js';

/**
 * What the audit log records. Actions are dotted names: `auth.login`, `auth.login_failed`,
 * `token.create`, `token.use`, `token.revoke`, `user.create`, `user.update`, `user.password`,
 * `user.transfer`, `record.owner`, `meta.apply`, …
 */
export interface AuditEntry {
  /** Who did it; absent for a failed sign-in (nobody is known yet). */
  actorId?: string | null;
  action: string;
  /** What it was done to: `user:<id>`, `session:<id>`, `token:<id>`, `<module>:<id>`. */
  target?: string | null;
  /** The client's address, when the action came over HTTP. */
  address?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorId: string | null;
  action: string;
  target: string | null;
  address: string | null;
  details: Record<string, unknown>;
}

/**
 * Appends one entry. Pass the write's transaction as `db` so the entry commits (or not) with
 * what it records.
 */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await sql`insert into atrium.audit_log (actor_id, action, target, address, details)
    values (${entry.actorId ?? null}, ${entry.action}, ${entry.target ?? null},
            ${entry.address ?? null}, ${JSON.stringify(entry.details ?? {})}::jsonb)`.execute(db);
}

/** Filters of the audit log; `before` is the `id` of the last entry of the previous page. */
export interface AuditQuery {
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  before?: string;
  limit?: number;
}

/** Entries newest first, keyset-paged by id (a page never skips nor repeats an entry). */
export async function listAudit(
  db: Db,
  query: AuditQuery,
): Promise<{ data: AuditRow[]; next: string | null }> {
  const limit = query.limit ?? 50;
  const where = [
    sql`true`,
    ...(query.actor ? [sql`actor_id = ${query.actor}`] : []),
    // `auth.*` matches every action of that family.
    ...(query.action
      ? [
          query.action.endsWith('.*')
            ? sql`starts_with(action, ${query.action.slice(0, -1)})`
            : sql`action = ${query.action}`,
        ]
      : []),
    ...(query.since ? [sql`at >= ${query.since}::timestamptz`] : []),
    ...(query.until ? [sql`at < ${query.until}::timestamptz`] : []),
    ...(query.before ? [sql`id < ${query.before}::bigint`] : []),
  ];
  const r = await sql<AuditRow>`select id::text, at, actor_id as "actorId", action, target,
      address, details
    from atrium.audit_log where ${sql.join(where, sql` and `)}
    order by audit_log.id desc limit ${limit + 1}`.execute(db);
  const data = r.rows.slice(0, limit);
  return { data, next: r.rows.length > limit ? (data.at(-1)?.id ?? null) : null };
}

/**
 * The write path's hook: an update that changes a record's owner leaves an audit entry
 * `record.owner` in the same transaction (history has the rest of the change).
 */
export async function auditOwnerChange(
  trx: Db,
  actorId: string,
  module: string,
  id: string,
  changes: Record<string, { from: unknown; to: unknown }>,
): Promise<void> {
  const owner = changes.owner_id;
  if (!owner) return;
  await recordAudit(trx, {
    actorId,
    action: 'record.owner',
    target: `${module}:${id}`,
    details: { from: owner.from, to: owner.to },
  });
}
