import { valueMsg } from '@atrium/metadata';
import { automationsAfterSave } from '../automation/run.js';
import { transitionAfterActions } from '../automation/transition-after.js';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { CompiledModule, Snapshot } from '../records/compiled-module.js';
import { recordMsg } from '../records/messages.js';
import { getRecord } from '../records/read.js';
import { type Row, updateRow, writeHistory } from '../records/row-writes.js';
import type { Values } from '../records/values.js';
import { inWriteTransaction, prepareUpdate, refuseLookups } from '../records/write.js';
import { type Approval, approvalNeeded, pendingApproval, requestApproval } from './approvals.js';
import { type AvailableTransition, availableTransitions } from './blueprint.js';
import { blueprintMsg } from './blueprint-messages.js';

/** What `GET /api/records/:module/:id/transitions` answers. */
export interface TransitionList {
  /** The blueprint's name, null when the module has none. */
  blueprint: string | null;
  field: string | null;
  state: unknown;
  transitions: AvailableTransition[];
  /** The approval the record waits for (it cannot change meanwhile), or null. */
  pendingApproval: Approval | null;
}

/** The transitions the caller may run on the record now, with the fields each requires. */
export async function listTransitions(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
): Promise<TransitionList> {
  // getRecord authorizes the read and answers 404 for an unknown or binned record.
  const row = await getRecord(engine, ctx, module, id, {});
  const m = moduleOf(engine.metadata.current, module);
  const bp = m.blueprint;
  if (!bp)
    return { blueprint: null, field: null, state: null, transitions: [], pendingApproval: null };
  const pending = await pendingApproval(engine.db, m, id);
  return {
    blueprint: bp.doc.name,
    field: bp.field,
    state: row[bp.field] ?? null,
    // None runs while an approval is pending.
    transitions: pending ? [] : availableTransitions(m, row, ctx),
    pendingApproval: pending,
  };
}

/** What running a transition did: moved the record, or asked for an approval first. */
export interface TransitionOutcome {
  /** The record after the transition, or unchanged while the approval is pending. */
  record: Row;
  approval: Approval | null;
}

/**
 * `POST /api/records/:module/:id/transitions/:name` `{values, version}`: runs a transition
 * through the one write path — the same transaction, validation, formulas, rules and lookup
 * checks as an update, with the blueprint guard told which transition runs (it checks the
 * state, who, `when` and the required fields) — and records it in the history as
 * `action: "transition"` with its name. When the transition needs approval for these values,
 * nothing moves: a pending approval is created (approvals.ts) and returned.
 */
export async function requestTransition(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  name: string,
  body: unknown,
): Promise<TransitionOutcome> {
  const { values, version } = transitionBody(body);
  return inWriteTransaction(engine, module, (trx, m, snapshot) =>
    transitionWithin(trx, engine, ctx, snapshot, m, id, name, values, version),
  );
}

/** requestTransition's record: moved, or unchanged while an approval is pending. */
export async function runTransition(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  name: string,
  body: unknown,
): Promise<Row> {
  return (await requestTransition(engine, ctx, module, id, name, body)).record;
}

/** A transition inside a transaction the caller holds (see createWithin in write.ts). */
export async function transitionWithin(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  m: CompiledModule,
  id: string,
  name: string,
  values: Values,
  version: unknown,
): Promise<TransitionOutcome> {
  engine.access.authorize(ctx.actor, m, 'update');
  const field = m.blueprint?.field;
  const t = m.blueprint?.transitions.get(name);
  const to = t?.to;
  if (field !== undefined && to !== undefined && field in values && values[field] !== to) {
    throw new AtriumError('BLUEPRINT_FIELD', [
      blueprintMsg.at(`values.${field}`, 'setByTransition', { name, to }),
    ]);
  }
  const run = { ...ctx, transition: name };
  const patch = field !== undefined && to !== undefined ? { ...values, [field]: to } : values;
  const update = await prepareUpdate(trx, run, m, id, { ...patch, version });
  // Checked like the transition itself (state, who, required fields), then held for approval.
  const rule =
    t && ctx.approval === undefined ? approvalNeeded(m, t, update.values, ctx) : undefined;
  if (t && rule) {
    const approval = await requestApproval(trx, engine, ctx, m, update.current, name, values, rule);
    return { record: update.current, approval };
  }
  const fields = Object.keys(update.changes);
  await refuseLookups(trx, snapshot, m, [{ prefix: '', values: update.values, fields }], ctx);
  const rid = update.current.id as string;
  if (fields.length === 0) return { record: update.current, approval: null };
  const row = await updateRow(trx, m, rid, update.values, fields, ctx.actor.id);
  await writeHistory(
    trx,
    engine,
    ctx,
    m.doc.name,
    [{ id: rid, changes: update.changes, cause: { transition: name } }],
    'transition',
  );
  await automationsAfterSave(trx, engine, ctx, m, [{ values: update.values, row }]);
  // After-actions run after commit: into the outbox, in this transaction, once per event
  // (the record's new version names the event).
  if (t) await transitionAfterActions(trx, engine, ctx, m, t, row);
  return { record: row, approval: null };
}

/** `{values?: object, version}`; `values` are the fields the transition asks for, and others. */
function transitionBody(body: unknown): { values: Values; version: unknown } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new AtriumError('VALIDATION_FAILED', [recordMsg.at('(body)', 'jsonObject')]);
  const { values = {}, version, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest).map((k) => valueMsg.at(k, 'unknownField'));
  if (unknown.length > 0) throw new AtriumError('VALIDATION_FAILED', unknown);
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    throw new AtriumError('VALIDATION_FAILED', [recordMsg.at('values', 'jsonObject')]);
  return { values: values as Values, version };
}
