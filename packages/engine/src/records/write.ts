import type { Locale } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { maskRow, type RowScope, refuseMaskedFields, rowScope } from '../access-writes.js';
import { automationsAfterSave, automationsBeforeSave } from '../automation/run.js';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { lockRevisionShared } from '../meta/store.js';
import { refuseWhileAwaitingApproval } from '../process/approval-lock.js';
import { blueprintGuard } from '../process/blueprint.js';
import { qt } from '../sql-names.js';
import { auditOwnerChange } from '../system/audit.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { lookupGuard, lookupProblems } from './lookup-targets.js';
import { msg, recordMsg } from './messages.js';
import { moveToBin } from './move-to-bin.js';
import { restoreFromBin } from './restore-from-bin.js';
import { insertRows, insertRowWhere, type Row, updateRow, writeHistory } from './row-writes.js';
import { uuidv7 } from './uuid.js';
import {
  canonicalTimes,
  checkRequired,
  checkRules,
  computeFormulas,
  diffRows,
  type Values,
  validateBody,
} from './values.js';

export type { Row };

/**
 * The one write path. Create, update, delete and restore each run in ONE transaction:
 * authorize → validate (compiled Ajv, after defaults) → [blueprint guard] → before-save
 * automations → formulas → validation rules → lookups point at live records → write with
 * optimistic concurrency → field-level history → after-save automations (related records, the
 * outbox of side effects, trace). See docs/process.md for the order of execution. The steps are exported one by one so a bulk
 * write (bulk.ts) runs exactly these, record after record, in its single transaction.
 */
export async function createRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  body: unknown,
): Promise<Row> {
  return inWriteTransaction(engine, module, (trx, m, snapshot) =>
    createWithin(trx, engine, ctx, snapshot, m, body),
  );
}

/**
 * A create inside a transaction the caller holds (see inWriteTransaction): how a conversion or
 * an automation creates records of other modules in the same transaction as the write that
 * caused them, through exactly the steps of a create from the API.
 */
export async function createWithin(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  m: CompiledModule,
  body: unknown,
): Promise<Row> {
  engine.access.authorize(ctx.actor, m, 'create');
  refuseMaskedFields(engine.access, ctx.actor, m, body, ctx.locale);
  const values = await prepareCreate(trx, ctx, m, body);
  const guard = lookupGuard(snapshot, m, values, readableScope(engine, ctx));
  const row = await insertRecord(trx, engine, ctx, m, values, guard);
  if (!row) {
    // The insert's guard failed: a lookup points at a missing, binned or unreadable record.
    const writes = [{ prefix: '', values, fields: Object.keys(values) }];
    await refuseLookups(trx, snapshot, m, writes, ctx, engine);
    // Its target changed between the two statements: refused all the same.
    throw new AtriumError(
      'VALIDATION_FAILED',
      m.doc.fields
        .filter((f) => f.type === 'lookup' && typeof values[f.name] === 'string')
        .map((f) => ({ path: f.name, message: msg(ctx.locale, 'lookupMissing') })),
    );
  }
  return maskRow(engine.access, ctx.actor, m, row);
}

/**
 * Updates the fields sent; `version` must be the version the client read, or 409. The record as
 * it would be stored must still meet the module's rules, `required` included (values.ts).
 */
export async function updateRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  body: unknown,
): Promise<Row> {
  return inWriteTransaction(engine, module, (trx, m, snapshot) =>
    updateWithin(trx, engine, ctx, snapshot, m, id, body),
  );
}

/** An update inside a transaction the caller holds (see createWithin). */
export async function updateWithin(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  m: CompiledModule,
  id: string,
  body: unknown,
): Promise<Row> {
  engine.access.authorize(ctx.actor, m, 'update');
  refuseMaskedFields(engine.access, ctx.actor, m, body, ctx.locale);
  const scope = rowScope(engine.access, ctx.actor, m);
  const update = await prepareUpdate(trx, ctx, m, id, body, scope);
  const fields = Object.keys(update.changes);
  await refuseLookups(
    trx,
    snapshot,
    m,
    [{ prefix: '', values: update.values, fields }],
    ctx,
    engine,
  );
  return maskRow(engine.access, ctx.actor, m, await writeUpdate(trx, engine, ctx, m, update));
}

/**
 * Moves a record to the recycle bin (soft delete), honouring the `onDelete` of every lookup that
 * points at it (see move-to-bin.ts).
 */
export async function deleteRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  version?: number,
): Promise<Row> {
  return inWriteTransaction(engine, module, async (trx, m, snapshot) => {
    engine.access.authorize(ctx.actor, m, 'delete');
    const scope = rowScope(engine.access, ctx.actor, m);
    const current = await lockForBin(trx, ctx, m, id, version, scope);
    const [row] = await moveToBin(trx, engine, ctx, snapshot, m, [
      { id: current.id as string, prefix: '' },
    ]);
    return maskRow(engine.access, ctx.actor, m, row as Row);
  });
}

/** Brings a record back from the recycle bin, with what its delete took along by cascade. */
export async function restoreRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
): Promise<Row> {
  return inWriteTransaction(engine, module, async (trx, m, snapshot) => {
    engine.access.authorize(ctx.actor, m, 'delete');
    const scope = rowScope(engine.access, ctx.actor, m);
    const current = await lockRow(trx, m, id, ctx.locale, scope);
    if (current.deleted_at === null) throw missing(ctx.locale, id, 'notInBin');
    const row = await restoreFromBin(trx, engine, ctx, snapshot, m, current.id as string);
    return maskRow(engine.access, ctx.actor, m, row);
  });
}

/** Validates a create body and computes what will be stored (nothing is written). */
export async function prepareCreate(
  trx: Db,
  ctx: RequestContext,
  m: CompiledModule,
  body: unknown,
): Promise<Values> {
  const values = canonicalTimes(m, validateBody(m.validateCreate, body, ctx.locale, m.defaults));
  blueprintGuard(m, undefined, values, ctx);
  if (values.owner_id !== undefined) await checkOwner(trx, values.owner_id, ctx.locale);
  if (m.currency) values.currency_code ??= m.currency;
  await automationsBeforeSave(trx, ctx, m, undefined, values);
  computeFormulas(m, values);
  checkRules(m, values, ctx.locale, ctx.timeZone);
  return values;
}

/**
 * Inserts a prepared create and its history entry. With a `guard` (lookupGuard), only when it
 * holds, checked by the insert itself: undefined when it did not.
 */
export async function insertRecord(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  values: Values,
): Promise<Row>;
export async function insertRecord(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  values: Values,
  guard: RawBuilder<unknown> | undefined,
): Promise<Row | undefined>;
export async function insertRecord(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  values: Values,
  guard?: RawBuilder<unknown>,
): Promise<Row | undefined> {
  const full = withSystemValues(ctx, values);
  // The entry is known before the insert (the id is ours, every tracked value is in `full`), so
  // the insert writes it too; checked below against the row as stored.
  const changes = JSON.stringify(diffRows(m, {}, full));
  const table = qt(engine.workspace.schema, '_history');
  const row = await insertRowWhere(trx, m, full, guard ?? sql`true`, {
    table,
    action: 'create',
    changes,
    actor: ctx.actor.id,
  });
  if (!row) return undefined;
  // Postgres stored a value other than the one sent (a column default, a rounding): the entry
  // says what is stored, as when it was written after the insert.
  if (Object.keys(diffRows(m, full, row)).length > 0) {
    const stored = historyEntry(m, row);
    await sql`update ${sql.raw(table)} set changes = ${JSON.stringify(stored.changes)}::jsonb
      where record_id = ${stored.id} and action = 'create'`.execute(trx);
  }
  if (m.automations) await automationsAfterSave(trx, engine, ctx, m, [{ values, row }]);
  return row;
}

/** Inserts prepared creates (batched) and their history entries; rows come back in order. */
export async function insertRecords(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  list: readonly Values[],
): Promise<Row[]> {
  const rows = list.map((values) => withSystemValues(ctx, values));
  const created = await insertRows(trx, m, rows);
  const entries = created.map((r) => historyEntry(m, r));
  await writeHistory(trx, engine, ctx, m.doc.name, entries, 'create');
  if (m.automations) {
    const items = created.map((row, i) => ({ values: list[i] as Values, row }));
    await automationsAfterSave(trx, engine, ctx, m, items);
  }
  return created;
}

/** A new record's values with its id, author and owner (the author unless given). */
function withSystemValues(ctx: RequestContext, values: Values): Values {
  return {
    ...values,
    id: uuidv7(),
    created_by: ctx.actor.id,
    updated_by: ctx.actor.id,
    owner_id: values.owner_id ?? ctx.actor.id,
  };
}

function historyEntry(m: CompiledModule, row: Row): { id: string; changes: Values } {
  return { id: row.id as string, changes: diffRows(m, {}, row) };
}

/** An update checked and computed against the locked row, not yet written. */
export interface PreparedUpdate {
  current: Row;
  values: Values;
  changes: Record<string, { from: unknown; to: unknown }>;
}

/** Validates a patch, locks the row, checks its version and computes the new values. */
export async function prepareUpdate(
  trx: Db,
  ctx: RequestContext,
  m: CompiledModule,
  id: string,
  body: unknown,
  scope?: RowScope,
): Promise<PreparedUpdate> {
  const { version, ...input } = validateBody(m.validatePatch, body, ctx.locale);
  if (input.owner_id !== undefined) await checkOwner(trx, input.owner_id, ctx.locale);
  const current = await lockRow(trx, m, id, ctx.locale, scope);
  if (current.deleted_at !== null) throw missing(ctx.locale, id, 'inBin');
  await refuseWhileAwaitingApproval(trx, m, current.id as string, ctx);
  checkVersion(ctx.locale, current, version as number);
  const values: Values = canonicalTimes(m, { ...current, ...input });
  checkRequired(m, values, ctx.locale);
  blueprintGuard(m, current, values, ctx);
  await automationsBeforeSave(trx, ctx, m, current, values);
  computeFormulas(m, values);
  checkRules(m, values, ctx.locale, ctx.timeZone);
  return { current, values, changes: diffRows(m, current, values) };
}

/** Writes a prepared update (nothing when nothing changed: no version, no history). */
export async function writeUpdate(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  update: PreparedUpdate,
): Promise<Row> {
  const columns = Object.keys(update.changes);
  if (columns.length === 0) return update.current;
  const id = update.current.id as string;
  const row = await updateRow(trx, m, id, update.values, columns, ctx.actor.id);
  await writeHistory(trx, engine, ctx, m.doc.name, [{ id, changes: update.changes }], 'update');
  // Only a caller who may change the record gets here (its row was locked in their write scope).
  await auditOwnerChange(trx, ctx.actor.id, m.doc.name, id, update.changes);
  await automationsAfterSave(trx, engine, ctx, m, [{ values: update.values, row }]);
  return row;
}

/** Locks a live record about to go to the bin and checks the version the client read. */
export async function lockForBin(
  trx: Db,
  ctx: RequestContext,
  m: CompiledModule,
  id: string,
  version: number | undefined,
  scope?: RowScope,
): Promise<Row> {
  const current = await lockRow(trx, m, id, ctx.locale, scope);
  if (current.deleted_at !== null) throw missing(ctx.locale, id, 'alreadyInBin');
  await refuseWhileAwaitingApproval(trx, m, current.id as string, ctx);
  if (version !== undefined) checkVersion(ctx.locale, current, version);
  return current;
}

/** Refuses (400) writes whose lookups point at missing or binned records. */
export async function refuseLookups(
  trx: Db,
  snapshot: Snapshot,
  m: CompiledModule,
  writes: Parameters<typeof lookupProblems>[3],
  ctx: RequestContext,
  engine?: Engine,
): Promise<void> {
  const readable = engine && readableScope(engine, ctx);
  const problems = await lookupProblems(trx, snapshot, m, writes, ctx.locale, readable);
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
}

function checkVersion(locale: Locale, current: Row, sent: number): void {
  if (current.version !== sent) {
    throw new AtriumError('VERSION_CONFLICT', [
      {
        path: 'version',
        message: msg(locale, 'versionConflict', { current: current.version as number, sent }),
      },
    ]);
  }
}

/**
 * Runs `work` in one transaction with the module as compiled for the revision the database is
 * at once the transaction holds the shared metadata lock: a write queued behind an apply, or
 * sent to a process that has not yet heard of a new revision, reloads (on its own connection)
 * and writes under the new rules — never under the ones the apply replaced.
 */
export async function inWriteTransaction<T>(
  engine: Engine,
  module: string,
  work: (trx: Db, m: CompiledModule, snapshot: Snapshot) => Promise<T>,
): Promise<T> {
  // Set once the rules are known; a refusal before that (no such module) passes through as is.
  let m: CompiledModule | undefined;
  try {
    return await engine.db.transaction().execute(async (trx) => {
      const revision = await lockRevisionShared(trx, engine.workspace.schema);
      const snapshot = await engine.metadata.refresh(revision, trx);
      m = moduleOf(snapshot, module);
      return work(trx, m, snapshot);
    });
  } catch (e) {
    throw m ? pgRefusal(e, m) : e;
  }
}

/**
 * Locks the row a write changes, within the caller's scope: a record they may not read is
 * missing (404, as on the read path); one they may read but not change is 403 FORBIDDEN.
 */
async function lockRow(
  trx: Db,
  m: CompiledModule,
  id: string,
  locale: Locale,
  scope?: RowScope,
): Promise<Row> {
  if (!UUID.test(id)) throw missing(locale, id, 'notFound');
  const write = scope?.write ?? sql`true`;
  const read = scope?.read ? sql` and ${scope.read}` : sql``;
  const r = await sql<Row & { __writable: boolean }>`select ${sql.raw(m.selectList)},
    (${write}) is true as __writable
    from ${sql.raw(m.table)} r where r.id = ${id}${read} for update`.execute(trx);
  const row = r.rows[0];
  if (!row) throw missing(locale, id, 'notFound');
  const { __writable: writable, ...current } = row;
  if (!writable)
    throw new AtriumError('FORBIDDEN', [
      { path: 'id', message: msg(locale, 'readOnlyRecord', { id }) },
    ]);
  return current;
}

/** The caller's read scope per target module, for the lookup checks of a write. */
function readableScope(engine: Engine, ctx: RequestContext) {
  return (target: CompiledModule) => engine.access.scope(ctx.actor, target, 'read');
}

/** `owner_id` has no foreign key (system column): the owner must be a user all the same. */
async function checkOwner(trx: Db, owner: unknown, locale: Locale): Promise<void> {
  const r = await sql`select 1 from atrium.users where id = ${owner}`.execute(trx);
  if (r.rows.length === 0)
    throw new AtriumError('VALIDATION_FAILED', [
      { path: 'owner_id', message: msg(locale, 'notAUser') },
    ]);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function notFound(id: string): AtriumError {
  return new AtriumError('NOT_FOUND', [recordMsg.at('id', 'notFound', { id })]);
}

function missing(
  locale: Locale,
  id: string,
  key: 'notFound' | 'inBin' | 'alreadyInBin' | 'notInBin',
): AtriumError {
  return new AtriumError('NOT_FOUND', [{ path: 'id', message: msg(locale, key, { id }) }]);
}

/** Turns constraint violations into refusals on the right field. */
export function pgRefusal(e: unknown, m: CompiledModule): unknown {
  const err = e as { code?: string; constraint?: string; column?: string; message?: string };
  if (err.code === '23505' && err.constraint) {
    const field = m.uniqueIndexes.get(err.constraint) ?? err.constraint;
    return new AtriumError('DUPLICATE_VALUE', [recordMsg.at(field, 'duplicate')]);
  }
  if (err.code === '23503' && err.constraint) {
    const field = m.foreignKeys.get(err.constraint) ?? err.constraint;
    return new AtriumError('VALIDATION_FAILED', [recordMsg.at(field, 'lookupMissing')]);
  }
  if (
    err.code === '22003' ||
    err.code === '22P02' ||
    err.code === '22007' ||
    err.code === '22008'
  ) {
    return new AtriumError('VALIDATION_FAILED', [
      // Postgres's own words in English; the catalog's in another language.
      {
        ...recordMsg.at(err.column ?? '(record)', 'badValue'),
        ...(err.message !== undefined && { message: err.message }),
      },
    ]);
  }
  return e;
}
