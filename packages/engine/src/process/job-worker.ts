import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { JOB_COLUMNS, type Job, jobsTable } from './jobs.js';

/** Runs one kind of job; throwing means "try again later". */
export type JobHandler = (job: Job) => Promise<void>;

export interface WorkerOptions {
  /** Names this worker in `locked_by`; a random id by default. */
  id?: string;
  /** Jobs claimed at once. */
  batch?: number;
  /** How long a claim lasts; a worker that died mid-job loses it after this. */
  leaseMs?: number;
  /** Delay before retry n (1-based): `backoffMs * 2^(n-1)`, capped at `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * The clock due jobs and leases are read against (the database's `now()` by default): a test
   * moves it to see a job due in 30 days run today.
   */
  now?: () => Date;
}

/**
 * Claims due jobs of the outbox and runs them. Several workers (in one process or many) run
 * side by side: a claim is `FOR UPDATE SKIP LOCKED` in its own short transaction, marking the
 * job `running` until a lease ends, so no two workers hold a job at once. A job whose worker
 * died is claimed again once its lease has passed. A handler that throws sends the job back as
 * `failed` with an exponential backoff; after `max_attempts` tries it is dead-lettered (`dead`),
 * visible in `GET /api/jobs` with a retry action. A job kind with no handler is dead at once.
 */
export class JobWorker {
  readonly id: string;
  private readonly batch: number;
  private readonly leaseMs: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: (() => Date) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly schema: string,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    options: WorkerOptions = {},
  ) {
    this.id = options.id ?? randomUUID();
    this.batch = options.batch ?? 10;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.backoffMs = options.backoffMs ?? 1_000;
    this.maxBackoffMs = options.maxBackoffMs ?? 3_600_000;
    this.now = options.now;
  }

  /** Claims the due jobs (up to `batch`) and runs them; returns how many it ran. */
  async runOnce(): Promise<number> {
    const jobs = await this.claim();
    for (const job of jobs) await this.run(job);
    return jobs.length;
  }

  /**
   * Polls every `intervalMs` until stop(); a full batch is followed at once by the next, so a
   * backlog drains without waiting. A failing claim (the database away) is reported to `onError`
   * and tried again at the next tick.
   */
  start(intervalMs = 1_000, onError: (e: unknown) => void = () => {}): void {
    const tick = () => {
      this.running = this.runOnce()
        .catch((e: unknown) => {
          onError(e);
          return 0;
        })
        .then((n) => {
          if (this.timer) this.timer = setTimeout(tick, n >= this.batch ? 0 : intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops polling and waits for the jobs in hand. */
  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t) clearTimeout(t);
    await this.running;
  }

  private async claim(): Promise<Job[]> {
    const table = jobsTable(this.schema);
    const now = this.now ? sql`${this.now().toISOString()}::timestamptz` : sql`now()`;
    const r = await sql<Job>`update ${table} j set status = 'running', attempts = j.attempts + 1,
        locked_by = ${this.id}, locked_until = ${now} + ${this.leaseMs} * interval '1 millisecond',
        updated_at = now()
      where j.id in (
        select id from ${table}
        where (status in ('pending', 'failed') and run_at <= ${now})
           or (status = 'running' and locked_until < ${now})
        order by run_at, id limit ${this.batch}
        for update skip locked)
      returning ${JOB_COLUMNS}`.execute(this.db);
    return r.rows.sort((a, b) => a.id - b.id);
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers[job.kind];
    try {
      if (!handler) throw new DeadLetter(`no handler for jobs of kind "${job.kind}"`);
      await handler(job);
      await this.finish(job, sql`status = 'done', last_error = null`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (e instanceof DeadLetter || job.attempts >= job.maxAttempts) {
        await this.finish(job, sql`status = 'dead', last_error = ${message}`);
        return;
      }
      const delay = Math.min(this.backoffMs * 2 ** (job.attempts - 1), this.maxBackoffMs);
      await this.finish(
        job,
        sql`status = 'failed', last_error = ${message},
          run_at = now() + ${delay} * interval '1 millisecond'`,
      );
    }
  }

  /** Records the outcome, unless the lease passed and another worker holds the job now. */
  private async finish(job: Job, set: ReturnType<typeof sql>): Promise<void> {
    await sql`update ${jobsTable(this.schema)} set ${set}, locked_by = null, locked_until = null,
        updated_at = now()
      where id = ${job.id} and locked_by = ${this.id} and status = 'running'`.execute(this.db);
  }
}

/** Thrown by a handler when retrying cannot help: the job is dead-lettered at once. */
export class DeadLetter extends Error {}
