import { sql } from 'kysely';
import type { Db } from '../../db.js';
import { qt } from '../../sql-names.js';
import { DeadLetter } from '../job-worker.js';
import type { Job } from '../jobs.js';

/** `notify` jobs: `{ userIds: string[], title, body?, module, recordId }`. */
export interface NotifyPayload {
  userIds: string[];
  title: string;
  body?: string;
  module?: string;
  recordId?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Writes a `notify` job's in-app notifications: one row per user per event, in ONE statement
 * keyed by (idempotency key, user), so a job run twice (a worker died after writing) adds
 * nothing the second time. Ids that are not users are skipped.
 */
export function notifyHandler(db: Db, schema: string) {
  const table = sql.raw(qt(schema, '_notifications'));
  return async (job: Job): Promise<void> => {
    const p = job.payload as Partial<NotifyPayload> | null;
    if (
      !p ||
      !Array.isArray(p.userIds) ||
      !p.userIds.every((u) => typeof u === 'string' && UUID.test(u)) ||
      typeof p.title !== 'string'
    )
      throw new DeadLetter('a notify job needs { userIds: [user ids], title }');
    if (p.userIds.length === 0) return;
    await sql`insert into ${table} (user_id, event_key, title, body, module, record_id)
      select u.id, ${job.idempotencyKey}, ${p.title}, ${p.body ?? null}, ${p.module ?? null},
        ${p.recordId ?? null}
      from atrium.users u where u.id = any(${p.userIds}::uuid[])
      on conflict (event_key, user_id) do nothing`.execute(db);
  };
}
