import { sql } from 'kysely';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { getRecord } from '../records/read.js';
import { qt } from '../sql-names.js';
import { recorderOf } from './run-context.js';

/** What one action did (or would do, in a dry run). */
export interface ActionTrace {
  index: number;
  type: string;
  [detail: string]: unknown;
}

/** One automation's run on one record: a row of `_automation_runs`. */
export interface TraceRow {
  module: string;
  recordId: string | null;
  automation: string;
  trigger: string;
  /** Names the triggering write (or the time-triggered job). */
  event: string;
  /** done: the condition held and the actions ran; skipped: it did not hold; failed: see error. */
  result: 'done' | 'skipped' | 'failed';
  durationMs: number;
  error: unknown;
  actions: ActionTrace[];
  depth: number;
  actor: string | null;
  /** Order of start within a dry run. */
  seq?: number;
}

/**
 * Writes the runs of one write in one statement, in its transaction: a rolled-back write
 * leaves no trace of runs that did not happen. A dry run keeps them in its recorder instead.
 */
export async function writeTraces(
  trx: Db,
  schema: string,
  ctx: RequestContext | undefined,
  rows: readonly TraceRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const recorder = ctx && recorderOf(ctx);
  if (recorder) recorder.runs.push(...rows);
  const values = rows.map(
    (r) => sql`(${r.module}, ${r.recordId}, ${r.automation}, ${r.trigger}, ${r.event}, ${r.result},
      ${Math.round(r.durationMs * 1000) / 1000}, ${r.error === undefined || r.error === null ? null : JSON.stringify(r.error)}::jsonb,
      ${JSON.stringify(r.actions)}::jsonb, ${r.depth}, ${r.actor})`,
  );
  await sql`insert into ${sql.raw(qt(schema, '_automation_runs'))}
    (module, record_id, automation, trigger, event, result, duration_ms, error, actions, depth, actor)
    values ${sql.join(values)}`.execute(trx);
}

/** A trace row as `GET /api/records/:module/:id/trace` answers it. */
export interface TraceEntry {
  id: number;
  automation: string;
  trigger: string;
  event: string;
  result: 'done' | 'skipped' | 'failed';
  durationMs: number;
  error: unknown;
  actions: ActionTrace[];
  depth: number;
  actor: string | null;
  at: string;
}

/**
 * `GET /api/records/:module/:id/trace`: the newest 100 automation runs on a record, for whoever
 * may read the record (getRecord answers 404 otherwise, as for the record itself). A record in
 * the recycle bin keeps its trace.
 */
export async function recordTrace(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
): Promise<{ data: TraceEntry[] }> {
  await getRecord(engine, ctx, module, id, { deleted: true });
  const m = moduleOf(engine.metadata.current, module);
  const r = await sql<TraceEntry>`select id::int as id, automation, trigger, event, result,
      duration_ms::float8 as "durationMs", error, actions, depth, actor, at
    from ${sql.raw(qt(engine.workspace.schema, '_automation_runs'))}
    where module = ${m.doc.name} and record_id = ${id}
    order by id desc limit 100`.execute(engine.db);
  return { data: r.rows };
}
