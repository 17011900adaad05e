import { isDeepStrictEqual } from 'node:util';
import type { AutomationTrigger } from '@atrium/metadata';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from '../records/compiled-module.js';
import type { Row } from '../records/row-writes.js';
import type { Values } from '../records/values.js';
import { type AfterEvent, applyAfter, applyBefore } from './actions.js';
import type { CompiledAutomation } from './compiled.js';
import { automationMsg } from './messages.js';
import { conditionHolds, recordData } from './record-data.js';
import { depthOf, guard, recorderOf } from './run-context.js';
import { dropTimed, scheduleTimed } from './timed.js';
import { type TraceRow, writeTraces } from './trace.js';

/** An automation whose trigger matched a write, between the two phases of that write. */
interface Run {
  auto: CompiledAutomation;
  matched: boolean;
  ms: number;
  trace: TraceRow;
}

/** What the before-save phase leaves for the after-save phase, keyed by the values being saved. */
interface Pending {
  runs: Run[];
  /** The record before the write (update); absent for a create. */
  previous: Values | undefined;
}
const pending = new WeakMap<Values, Pending>();

/**
 * The before-save phase of a create or update (write.ts calls it after the blueprint guard,
 * before formulas and validation rules): the automations whose trigger matches run in name
 * order; each one's condition is read on the record as the earlier ones left it, and its
 * update_fields and assign actions change `values` — what will be saved. Their after-save
 * actions wait for afterSave. A module without automations returns at once.
 */
export async function automationsBeforeSave(
  trx: Db,
  ctx: RequestContext,
  m: CompiledModule,
  current: Values | undefined,
  values: Values,
): Promise<void> {
  const ma = m.automations;
  if (!ma) return;
  const list = current === undefined ? ma.onCreate : ma.onUpdate;
  const runs: Run[] = [];
  for (const a of list) {
    if (current !== undefined && !updateMatches(a.doc.trigger, current, values)) continue;
    const started = performance.now();
    const data = await recordData(trx, m, a.lookups, values);
    const matched = holds(a, data, ctx);
    // Only an automation that would act can loop: one whose condition fails ends the chain.
    if (matched) guard(ctx, a);
    const trace = traceRow(ctx, m, a, matched);
    if (recorderOf(ctx)) trace.seq = (recorderOf(ctx) as { seq: number }).seq++;
    if (matched)
      for (const step of a.before)
        trace.actions.push(await applyBefore(trx, ctx, m, a, step, values, data));
    runs.push({ auto: a, matched, ms: performance.now() - started, trace });
  }
  if (runs.length > 0 || ma.timed.length > 0) pending.set(values, { runs, previous: current });
}

/**
 * The after-save phase, once the rows are written (still in the write's transaction): the
 * after-save actions of the automations that matched (related records, jobs into the outbox),
 * the time-triggered jobs of each record (re)scheduled, and a trace row per run.
 * `items`: the values given to the before-save phase and the rows as stored.
 */
export async function automationsAfterSave(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  items: readonly { values: Values; row: Row }[],
): Promise<void> {
  const ma = m.automations;
  if (!ma) return;
  const traces: TraceRow[] = [];
  for (const { values, row } of items) {
    const p = pending.get(values);
    if (!p) continue;
    pending.delete(values);
    const event: AfterEvent = {
      id: `${m.doc.name}:${row.id}:${row.version}`,
      name: p.previous ? 'update' : 'create',
    };
    for (const run of p.runs) {
      run.trace.recordId = row.id as string;
      run.trace.event = event.id;
      if (run.matched && run.auto.after.length > 0) {
        const started = performance.now();
        const data = await recordData(trx, m, run.auto.lookups, row);
        for (const step of run.auto.after)
          run.trace.actions.push(
            await applyAfter(trx, engine, ctx, m, run.auto, step, row, data, event),
          );
        run.ms += performance.now() - started;
      }
      run.trace.durationMs = run.ms;
      traces.push(run.trace);
    }
    if (ma.timed.length > 0) await scheduleTimed(trx, engine, ctx, m, row, p.previous);
  }
  await writeTraces(trx, ma.schema, ctx, traces);
}

/**
 * A record went to the recycle bin (with what its delete took along): its time-triggered jobs
 * are dropped, and the `delete` automations run their after-save actions on it as it was.
 */
export async function automationsAfterDelete(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  rows: readonly Row[],
): Promise<void> {
  const ma = m.automations;
  if (!ma || rows.length === 0) return;
  if (ma.timed.length > 0)
    await dropTimed(
      trx,
      ma.schema,
      m.doc.name,
      rows.map((r) => r.id as string),
    );
  const traces: TraceRow[] = [];
  for (const row of rows) {
    const event: AfterEvent = {
      id: `${m.doc.name}:${row.id}:${row.version}:delete`,
      name: 'delete',
    };
    for (const a of ma.onDelete) {
      traces.push(await runOnRow(trx, engine, ctx, m, a, row, event));
    }
  }
  await writeTraces(trx, ma.schema, ctx, traces);
}

/**
 * Runs automation `a` on a stored `row` outside a write of it (on delete, or at the time a
 * time trigger set): after-save actions only; for a time trigger, before-save actions change the
 * record first, through the write path (`update` — see timed.ts).
 */
export async function runOnRow(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  a: CompiledAutomation,
  row: Row,
  event: AfterEvent,
  update?: (patch: Values) => Promise<Row>,
): Promise<TraceRow> {
  const started = performance.now();
  let data = await recordData(trx, m, a.lookups, row);
  const matched = holds(a, data, ctx);
  if (matched) guard(ctx, a);
  const trace = traceRow(ctx, m, a, matched);
  trace.recordId = row.id as string;
  trace.event = event.id;
  const recorder = recorderOf(ctx);
  if (recorder) trace.seq = recorder.seq++;
  let saved = row;
  if (matched) {
    if (update && a.before.length > 0) {
      const values = { ...row };
      for (const step of a.before)
        trace.actions.push(await applyBefore(trx, ctx, m, a, step, values, data));
      const patch = Object.fromEntries(
        Object.entries(values).filter(([k, v]) => !isDeepStrictEqual(v, row[k])),
      );
      if (Object.keys(patch).length > 0) {
        saved = await update(patch);
        data = await recordData(trx, m, a.lookups, saved);
      }
    }
    for (const step of a.after)
      trace.actions.push(await applyAfter(trx, engine, ctx, m, a, step, saved, data, event));
  }
  trace.durationMs = performance.now() - started;
  return trace;
}

/** An update matches `update` (any change, or one of `fields`) or `field_change` (from → to). */
function updateMatches(t: AutomationTrigger, current: Values, values: Values): boolean {
  const changed = (f: string) => !isDeepStrictEqual(normal(current[f]), normal(values[f]));
  if (t.on === 'update') {
    if (t.fields && t.fields.length > 0) return t.fields.some(changed);
    return Object.keys(values).some((f) => f !== 'updated_at' && f !== 'version' && changed(f));
  }
  const fields = t.field !== undefined ? [t.field] : (t.fields ?? []);
  return fields.some((f) => changed(f) && among(t.from, current[f]) && among(t.to, values[f]));
}

/** `from`/`to` of a field_change: absent matches anything; a list matches any of its values. */
function among(wanted: unknown, value: unknown): boolean {
  if (wanted === undefined) return true;
  const list = Array.isArray(wanted) ? wanted : [wanted];
  return list.some((w) => isDeepStrictEqual(normal(w), normal(value)));
}

const normal = (v: unknown) => (v === undefined ? null : v);

function holds(a: CompiledAutomation, data: Values, ctx: RequestContext): boolean {
  try {
    return conditionHolds(a.when, data, ctx);
  } catch (e) {
    throw new AtriumError('AUTOMATION_FAILED', [
      automationMsg.at(`automations.${a.key}.when`, 'conditionFailed', {
        name: a.key,
        message: (e as Error).message,
      }),
    ]);
  }
}

function traceRow(
  ctx: RequestContext,
  m: CompiledModule,
  a: CompiledAutomation,
  matched: boolean,
): TraceRow {
  return {
    module: m.doc.name,
    recordId: null,
    automation: a.doc.name,
    trigger: a.doc.trigger.on,
    event: '',
    result: matched ? 'done' : 'skipped',
    durationMs: 0,
    error: null,
    actions: [],
    depth: depthOf(ctx),
    actor: ctx.actor.id,
  };
}
