import {
  type AutomationTrigger,
  compileFilter,
  type Locale,
  zonedDate,
  zonedInstant,
} from '@atrium/metadata';
import { CronExpressionParser } from 'cron-parser';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { DeadLetter, type JobHandler } from '../process/job-worker.js';
import type { Job } from '../process/jobs.js';
import type { CompiledModule, Snapshot } from '../records/compiled-module.js';
import { filterSql } from '../records/filter-sql.js';
import type { Row } from '../records/row-writes.js';
import type { Values } from '../records/values.js';
import { inWriteTransaction, updateWithin } from '../records/write.js';
import { qt } from '../sql-names.js';
import { rephrased } from './actions.js';
import type { CompiledAutomation } from './compiled.js';
import { automationMsg } from './messages.js';
import { runOnRow } from './run.js';
import { automationContext, recorderOf } from './run-context.js';
import { type TraceRow, writeTraces } from './trace.js';

/** The job kind of time-triggered automations (date, no_activity, schedule). */
export const AUTOMATION_JOB = 'automation';

/** Records one schedule tick runs on, at most. */
export const SCHEDULE_BATCH = 1000;

/** The payload of an `automation` job. */
export interface AutomationJob {
  /** `module.name` */
  automation: string;
  module: string;
  trigger: 'date' | 'no_activity' | 'schedule';
  /** The record, for date and no_activity. */
  recordId?: string;
  /** When it is due (ISO); a job whose record no longer gives this moment is stale and does nothing. */
  due: string;
  /** A schedule's cron when the job was enqueued; a changed cron makes it stale. */
  cron?: string;
  /** Who caused it (the write, or the apply of a schedule); the runs are on their behalf. */
  actorId: string | null;
  locale: Locale;
}

const NOBODY = '00000000-0000-0000-0000-000000000000';

/**
 * The moment a time trigger falls due for a record, or undefined when it has none. `date`: the
 * field's value moved by `offset` (m, h, d, w); with `at`, at that time of day on the
 * workspace's calendar (a date field without `at` is due at its midnight there). `no_activity`:
 * `days` after the record last changed.
 */
export function dueAt(t: AutomationTrigger, row: Values, zone: string): Date | undefined {
  if (t.on === 'no_activity') {
    const at = Date.parse(String(row.updated_at ?? ''));
    return Number.isNaN(at) ? undefined : new Date(at + (t.days ?? 1) * DAY);
  }
  const value = t.field === undefined ? undefined : row[t.field];
  if (typeof value !== 'string' || value === '') return undefined;
  const [, sign = '+', digits = '0', unit = 'd'] =
    /^([+-]?)(\d+)([mhdw])$/.exec(t.offset ?? '0d') ?? [];
  const n = Number(digits) * (sign === '-' ? -1 : 1);
  const ms = n * { m: 60_000, h: 3_600_000, d: DAY, w: 7 * DAY }[unit as 'm'];
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = zonedInstant(value, t.at ?? '00:00', zone);
    if (unit === 'd' || unit === 'w') {
      // Calendar days: "30 days before, at 09:00" stays at 09:00 across a clock change.
      const day = new Date(Date.parse(`${value}T00:00:00Z`) + ms).toISOString().slice(0, 10);
      return zonedInstant(day, t.at ?? '00:00', zone);
    }
    return new Date(start.getTime() + ms);
  }
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  const moved = new Date(at + ms);
  return t.at === undefined ? moved : zonedInstant(zonedDate(moved, zone), t.at, zone);
}

const DAY = 86_400_000;

/**
 * (Re)schedules the time-triggered jobs of a saved record: one pending `automation` job per
 * automation and record, due when dueAt says; the one for an earlier value is deleted, so a
 * changed date moves the job. A moment already past is not scheduled (saving an old contract
 * does not start its renewal now). A date trigger is rescheduled only when its field changed.
 */
export async function scheduleTimed(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  row: Row,
  previous: Values | undefined,
): Promise<void> {
  const ma = m.automations;
  if (!ma) return;
  const zone = await engine.zones.forUser('');
  for (const a of ma.timed) {
    const t = a.doc.trigger;
    if (previous && t.on === 'date' && t.field && previous[t.field] === row[t.field]) continue;
    const due = dueAt(t, row, zone);
    const payload: AutomationJob = {
      automation: a.key,
      module: m.doc.name,
      trigger: t.on as 'date',
      recordId: row.id as string,
      due: due?.toISOString() ?? '',
      actorId: ctx.actor.id,
      locale: ctx.locale,
    };
    const future = due !== undefined && due.getTime() > Date.now();
    await replaceJob(trx, ma.schema, payload, future ? due : undefined);
    recorderOf(ctx)?.scheduled.push({
      automation: a.key,
      recordId: row.id as string,
      runAt: future ? payload.due : null,
    });
  }
}

/** Drops the pending time-triggered jobs of records gone to the recycle bin. */
export async function dropTimed(
  trx: Db,
  schema: string,
  module: string,
  ids: readonly string[],
): Promise<void> {
  await sql`delete from ${sql.raw(qt(schema, '_jobs'))} where kind = ${AUTOMATION_JOB}
    and payload->>'recordId' = any(${ids}::text[]) and payload->>'module' = ${module}
    and status in ('pending', 'failed')`.execute(trx);
}

/**
 * Puts the job of one automation (and record) due at `due` in place of its pending one; with
 * no `due`, only removes it. The key names the moment, so a moment already run is not run twice.
 */
async function replaceJob(
  trx: Db,
  schema: string,
  job: AutomationJob,
  due: Date | undefined,
): Promise<void> {
  const table = sql.raw(qt(schema, '_jobs'));
  const key = `${AUTOMATION_JOB}:${job.automation}:${job.recordId ?? 'schedule'}:${job.due}`;
  await sql`delete from ${table} where kind = ${AUTOMATION_JOB}
    and payload->>'recordId' ${job.recordId === undefined ? sql`is null` : sql`= ${job.recordId}`}
    and payload->>'automation' = ${job.automation} and status in ('pending', 'failed')
    and idempotency_key <> ${key}`.execute(trx);
  if (!due) return;
  await sql`insert into ${table} (kind, idempotency_key, payload, run_at)
    values (${AUTOMATION_JOB}, ${key}, ${JSON.stringify(job)}::jsonb, ${due.toISOString()})
    on conflict (idempotency_key) do nothing`.execute(trx);
}

/**
 * Makes sure every active `schedule` automation has its next tick pending (and no tick of an
 * automation removed, deactivated or given another cron stays): called after each apply, and
 * safe to call at any time (a server start, say) — each tick has one key.
 */
export async function scheduleAutomations(
  engine: Pick<Engine, 'db' | 'workspace' | 'metadata'>,
  actorId: string | null,
  now = new Date(),
): Promise<void> {
  const snapshot = engine.metadata.current;
  const zones = (engine as Partial<Engine>).zones;
  const zone = zones ? await zones.forUser('') : 'UTC';
  const keep: string[] = [];
  await engine.db.transaction().execute(async (trx) => {
    for (const m of snapshot.modules.values()) {
      for (const a of m.automations?.scheduled ?? []) {
        keep.push(a.key);
        await enqueueTick(trx, engine.workspace.schema, a, zone, now, actorId);
      }
    }
    await sql`delete from ${sql.raw(qt(engine.workspace.schema, '_jobs'))}
      where kind = ${AUTOMATION_JOB} and payload->>'trigger' = 'schedule'
      and status in ('pending', 'failed')
      and not (payload->>'automation' = any(${keep}::text[]))`.execute(trx);
  });
}

/** The next tick of a schedule after `after`, in place of any other pending tick of it. */
async function enqueueTick(
  trx: Db,
  schema: string,
  a: CompiledAutomation,
  zone: string,
  after: Date,
  actorId: string | null,
): Promise<void> {
  const cron = a.doc.trigger.cron as string;
  const next = CronExpressionParser.parse(cron, { currentDate: after, tz: zone }).next().toDate();
  await replaceJob(
    trx,
    schema,
    {
      automation: a.key,
      module: a.doc.module,
      trigger: 'schedule',
      due: next.toISOString(),
      cron,
      actorId,
      locale: 'en',
    },
    next,
  );
}

/**
 * The job handlers of automations, to compose with the other handlers of a worker:
 * `new JobWorker(db, schema, { ...automationJobHandlers(engine), ...effects })`.
 */
export function automationJobHandlers(engine: Engine): Record<string, JobHandler> {
  return { [AUTOMATION_JOB]: (job) => runAutomationJob(engine, job) };
}

/**
 * Runs a time-triggered automation in one write transaction: the record is locked and must
 * still be live and still give the moment the job was due at (else the job is stale and does
 * nothing); the condition is read then, before-save actions update the record through the write
 * path, after-save actions follow. The job's key is the event id of the side effects it
 * enqueues. A refusal is traced as `failed` and dead-letters the job (running it again cannot
 * help); other errors (the database away) are retried.
 */
async function runAutomationJob(engine: Engine, job: Job): Promise<void> {
  const p = job.payload as AutomationJob;
  const zone = await engine.zones.forUser('');
  const ctx: RequestContext = {
    actor: { id: p.actorId ?? NOBODY, email: '', isAdmin: true, role: null, profile: null },
    locale: p.locale,
    timeZone: zone,
  };
  const name = p.automation.slice(p.module.length + 1);
  const started = performance.now();
  try {
    await inWriteTransaction(engine, p.module, async (trx, m, snapshot) => {
      const a = m.automations?.byName.get(name);
      if (!a || a.doc.trigger.on !== p.trigger) return;
      if (p.trigger === 'schedule') {
        if (a.doc.trigger.cron !== p.cron) return;
        await runTick(trx, engine, ctx, m, snapshot, a, job, zone);
        await enqueueTick(
          trx,
          engine.workspace.schema,
          a,
          zone,
          new Date(Math.max(Date.now(), Date.parse(p.due))),
          p.actorId,
        );
        return;
      }
      const r = await sql<Row>`select ${sql.raw(m.selectList)} from ${sql.raw(m.table)} r
        where r.id = ${p.recordId} and r.deleted_at is null for update`.execute(trx);
      const row = r.rows[0];
      if (!row || dueAt(a.doc.trigger, row, zone)?.toISOString() !== p.due) return;
      const trace = await runTimed(trx, engine, ctx, m, snapshot, a, row, job.idempotencyKey);
      await writeTraces(trx, m.automations?.schema as string, ctx, [trace]);
    });
  } catch (e) {
    await traceFailure(engine, p, name, job, e, performance.now() - started);
    if (e instanceof AtriumError)
      throw new DeadLetter(e.details.map((d) => d.message).join('; ') || e.message);
    throw e;
  }
}

/** One tick of a schedule: its actions on the live records its condition selects (in SQL). */
async function runTick(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  snapshot: Snapshot,
  a: CompiledAutomation,
  job: Job,
  zone: string,
): Promise<void> {
  const where =
    a.doc.when === undefined
      ? sql`true`
      : filterSql(
          compileFilter(a.doc.when, m.resolve, { timeZone: zone, path: 'when' }),
          engine.workspace.schema,
        );
  const rows = await sql<Row>`select ${sql.raw(m.selectList)} from ${sql.raw(m.table)} r
    where r.deleted_at is null and ${where} order by r.id limit ${SCHEDULE_BATCH}
    for update`.execute(trx);
  const traces: TraceRow[] = [];
  for (const row of rows.rows)
    traces.push(
      await runTimed(trx, engine, ctx, m, snapshot, a, row, `${job.idempotencyKey}:${row.id}`),
    );
  await writeTraces(trx, m.automations?.schema as string, ctx, traces);
}

function runTimed(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  snapshot: Snapshot,
  a: CompiledAutomation,
  row: Row,
  event: string,
): Promise<TraceRow> {
  const update = async (patch: Values) => {
    try {
      return await updateWithin(
        trx,
        engine,
        automationContext(ctx, a),
        snapshot,
        m,
        row.id as string,
        {
          ...patch,
          version: row.version,
        },
      );
    } catch (e) {
      throw rephrased(e, (message) => automationMsg('setBy', { name: a.key, message }));
    }
  };
  return runOnRow(trx, engine, ctx, m, a, row, { id: event, name: a.doc.trigger.on }, update);
}

/** A failed time-triggered run leaves its trace, written after its transaction rolled back. */
async function traceFailure(
  engine: Engine,
  p: AutomationJob,
  name: string,
  job: Job,
  e: unknown,
  ms: number,
): Promise<void> {
  const error =
    e instanceof AtriumError
      ? e.toJSON().error
      : { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), details: [] };
  await writeTraces(engine.db, engine.workspace.schema, undefined, [
    {
      module: p.module,
      recordId: p.recordId ?? null,
      automation: name,
      trigger: p.trigger,
      event: job.idempotencyKey,
      result: 'failed',
      durationMs: ms,
      error,
      actions: [],
      depth: 0,
      actor: p.actorId,
    },
  ]).catch(() => undefined);
}
