import { valueMsg } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { AtriumError } from '../errors.js';
import { requestMsg } from '../request-messages.js';
import { qt } from '../sql-names.js';

/**
 * A job of the outbox: one after-commit side effect (a webhook, a mail, a notification), written
 * in the same transaction as the write that caused it, so it exists exactly when the write
 * committed. `idempotencyKey` names the event; a second enqueue of the same key is a no-op, and
 * handlers pass it on to the outside world (e.g. an `Idempotency-Key` header) so a retry after a
 * worker died mid-job can be recognised there.
 */
export interface Job {
  id: number;
  kind: string;
  idempotencyKey: string;
  payload: unknown;
  /** pending: never tried; running: claimed (until `lockedUntil`); failed: retry at `runAt`; dead: gave up. */
  status: 'pending' | 'running' | 'failed' | 'done' | 'dead';
  attempts: number;
  maxAttempts: number;
  runAt: string;
  lockedBy: string | null;
  lockedUntil: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

export const JOB_COLUMNS = sql.raw(
  `id::int as id, kind, idempotency_key as "idempotencyKey", payload, status, attempts,
   max_attempts as "maxAttempts", run_at as "runAt", locked_by as "lockedBy",
   locked_until as "lockedUntil", last_error as "lastError", created_at as "createdAt",
   updated_at as "updatedAt"`,
);

export const jobsTable = (schema: string) => sql.raw(qt(schema, '_jobs'));

/**
 * Writes a job into the outbox inside `trx` (the write's own transaction). Returns false when a
 * job with the same idempotency key exists already (the event was enqueued before).
 */
export async function enqueueJob(
  trx: Db,
  schema: string,
  job: { kind: string; idempotencyKey: string; payload: unknown; maxAttempts?: number },
): Promise<boolean> {
  const r =
    await sql`insert into ${jobsTable(schema)} (kind, idempotency_key, payload, max_attempts)
    values (${job.kind}, ${job.idempotencyKey}, ${JSON.stringify(job.payload)}::jsonb, ${job.maxAttempts ?? 5})
    on conflict (idempotency_key) do nothing`.execute(trx);
  return Number(r.numAffectedRows ?? 0) > 0;
}

const STATUSES = ['pending', 'running', 'failed', 'done', 'dead'] as const;

const NO_SUCH_JOB = { en: 'No such job', 'zh-CN': '任务不存在' };

/** `GET /api/jobs`: the newest jobs, optionally of one status (100 at most). */
export async function listJobs(
  db: Db,
  schema: string,
  query: { status?: string },
): Promise<{ data: Job[] }> {
  const status = query.status;
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status))
    throw new AtriumError('INVALID_QUERY', [valueMsg.at('status', 'oneOf', { values: STATUSES })]);
  const r = await sql<Job>`select ${JOB_COLUMNS} from ${jobsTable(schema)}
    ${status === undefined ? sql`` : sql`where status = ${status}`}
    order by id desc limit 100`.execute(db);
  return { data: r.rows };
}

/**
 * `POST /api/jobs/:id/retry`: a failed or dead-lettered job runs again now, with its attempts
 * counted afresh. A job pending, running or done is left alone (409).
 */
export async function retryJob(db: Db, schema: string, id: string): Promise<Job> {
  if (!/^[1-9][0-9]{0,17}$/.test(id))
    throw new AtriumError('NOT_FOUND', [requestMsg.at('id', 'noJob', { id })], NO_SUCH_JOB);
  const r = await sql<Job>`update ${jobsTable(schema)} set status = 'pending', attempts = 0,
      run_at = now(), locked_by = null, locked_until = null, updated_at = now()
    where id = ${id} and status in ('failed', 'dead') returning ${JOB_COLUMNS}`.execute(db);
  const job = r.rows[0];
  if (job) return job;
  const exists = await sql`select status from ${jobsTable(schema)} where id = ${id}`.execute(db);
  if (exists.rows.length === 0)
    throw new AtriumError('NOT_FOUND', [requestMsg.at('id', 'noJob', { id })], NO_SUCH_JOB);
  throw new AtriumError('JOB_NOT_RETRYABLE', [
    requestMsg.at('id', 'jobIs', { id, status: (exists.rows[0] as { status: string }).status }),
  ]);
}
