import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { lockRevisionShared } from '../meta/store.js';
import { q, qt } from '../sql-names.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { uuidv7 } from './uuid.js';
import {
  canonicalTimes,
  checkRules,
  computeFormulas,
  diffRows,
  type Values,
  validateBody,
} from './values.js';

export type Row = Record<string, unknown>;

/**
 * The one write path. Create, update, delete and restore each run in ONE transaction:
 * authorize → validate (compiled Ajv) → [blueprint guard] → formulas → validation rules →
 * write with optimistic concurrency → field-level history → [outbox of side effects].
 */
export async function createRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  body: unknown,
): Promise<Row> {
  return inWriteTransaction(engine, module, async (trx, m) => {
    engine.access.authorize(ctx.actor, m, 'create');
    const input = validateBody(m.validateCreate, body);
    if (input.owner_id !== undefined) await checkOwner(trx, input.owner_id);
    const values: Values = canonicalTimes(m, { ...m.defaults, ...input });
    if (m.currency) values.currency_code ??= m.currency;
    computeFormulas(m, values);
    checkRules(m, values, ctx.locale, ctx.timeZone);
    const system: Values = {
      id: uuidv7(),
      created_by: ctx.actor.id,
      updated_by: ctx.actor.id,
      owner_id: values.owner_id ?? ctx.actor.id,
    };
    const row = { ...values, ...system };
    const columns = Object.keys(row);
    const result =
      await sql<Row>`insert into ${sql.raw(m.table)} as r (${sql.raw(columns.map(q).join(', '))})
      values (${sql.join(columns.map((c) => row[c]))}) returning ${sql.raw(m.selectList)}`.execute(
        trx,
      );
    const created = result.rows[0] as Row;
    await writeHistory(
      trx,
      engine,
      m,
      created.id as string,
      'create',
      diffRows(m, {}, created),
      ctx,
    );
    return created;
  });
}

/** Updates the fields sent; `version` must be the version the client read, or 409. */
export async function updateRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  body: unknown,
): Promise<Row> {
  return inWriteTransaction(engine, module, async (trx, m) => {
    engine.access.authorize(ctx.actor, m, 'update');
    const { version, ...input } = validateBody(m.validatePatch, body);
    if (input.owner_id !== undefined) await checkOwner(trx, input.owner_id);
    const current = await lockRow(trx, m, id);
    if (current.deleted_at !== null) throw notFound(id, 'is in the recycle bin; restore it first');
    if (current.version !== version) {
      throw new AtriumError('VERSION_CONFLICT', [
        { path: 'version', message: `the record is at version ${current.version}, not ${version}` },
      ]);
    }
    const values: Values = canonicalTimes(m, { ...current, ...input });
    computeFormulas(m, values);
    checkRules(m, values, ctx.locale, ctx.timeZone);
    const changes = diffRows(m, current, values);
    if (Object.keys(changes).length === 0) return current;
    const sets: RawBuilder<unknown>[] = Object.keys(changes).map(
      (c) => sql`${sql.raw(q(c))} = ${values[c]}`,
    );
    const updated = await sql<Row>`update ${sql.raw(m.table)} as r set ${sql.join(sets)},
        version = r.version + 1, updated_at = now(), updated_by = ${ctx.actor.id}
      where r.id = ${id} returning ${sql.raw(m.selectList)}`.execute(trx);
    const row = updated.rows[0] as Row;
    await writeHistory(trx, engine, m, id, 'update', changes, ctx);
    return row;
  });
}

/** Moves a record to the recycle bin (soft delete). */
export async function deleteRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  version?: number,
) {
  return setDeleted(engine, ctx, module, id, version, true);
}

/** Brings a record back from the recycle bin. */
export async function restoreRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
) {
  return setDeleted(engine, ctx, module, id, undefined, false);
}

async function setDeleted(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  version: number | undefined,
  deleted: boolean,
): Promise<Row> {
  return inWriteTransaction(engine, module, async (trx, m) => {
    engine.access.authorize(ctx.actor, m, 'delete');
    const current = await lockRow(trx, m, id);
    if ((current.deleted_at !== null) === deleted) {
      throw notFound(id, deleted ? 'is already in the recycle bin' : 'is not in the recycle bin');
    }
    if (version !== undefined && current.version !== version) {
      throw new AtriumError('VERSION_CONFLICT', [
        { path: 'version', message: `the record is at version ${current.version}` },
      ]);
    }
    const updated = await sql<Row>`update ${sql.raw(m.table)} as r
      set deleted_at = ${deleted ? sql`now()` : null}, version = r.version + 1, updated_at = now(), updated_by = ${ctx.actor.id}
      where r.id = ${id} returning ${sql.raw(m.selectList)}`.execute(trx);
    await writeHistory(trx, engine, m, id, deleted ? 'delete' : 'restore', {}, ctx);
    return updated.rows[0] as Row;
  });
}

/**
 * Runs `work` in one transaction with the module as compiled for the revision the database is
 * at now: a process that has not yet heard of a new revision reloads before writing.
 */
async function inWriteTransaction<T>(
  engine: Engine,
  module: string,
  work: (trx: Db, m: CompiledModule, snapshot: Snapshot) => Promise<T>,
): Promise<T> {
  moduleOf(engine.metadata.current, module);
  try {
    return await engine.db.transaction().execute(async (trx) => {
      const revision = await lockRevisionShared(trx, engine.workspace.schema);
      const snapshot = await engine.metadata.refresh(revision, trx);
      return work(trx, moduleOf(snapshot, module), snapshot);
    });
  } catch (e) {
    throw pgRefusal(e, moduleOf(engine.metadata.current, module));
  }
}

async function lockRow(trx: Db, m: CompiledModule, id: string): Promise<Row> {
  if (!UUID.test(id)) throw notFound(id);
  const r =
    await sql<Row>`select ${sql.raw(m.selectList)} from ${sql.raw(m.table)} r where r.id = ${id} for update`.execute(
      trx,
    );
  const row = r.rows[0];
  if (!row) throw notFound(id);
  return row;
}

async function writeHistory(
  trx: Db,
  engine: Engine,
  m: CompiledModule,
  id: string,
  action: 'create' | 'update' | 'delete' | 'restore',
  changes: Record<string, unknown>,
  ctx: RequestContext,
): Promise<void> {
  await sql`insert into ${sql.raw(qt(engine.workspace.schema, '_history'))} (module, record_id, action, changes, actor)
    values (${m.doc.name}, ${id}, ${action}, ${JSON.stringify(changes)}::jsonb, ${ctx.actor.id})`.execute(
    trx,
  );
}

/** `owner_id` has no foreign key (system column): the owner must be a user all the same. */
async function checkOwner(trx: Db, owner: unknown): Promise<void> {
  const r = await sql`select 1 from atrium.users where id = ${owner}`.execute(trx);
  if (r.rows.length === 0)
    throw new AtriumError('VALIDATION_FAILED', [{ path: 'owner_id', message: 'is not a user' }]);
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function notFound(id: string, why = 'does not exist'): AtriumError {
  return new AtriumError('NOT_FOUND', [{ path: 'id', message: `record ${id} ${why}` }]);
}

/** Turns constraint violations into refusals on the right field. */
function pgRefusal(e: unknown, m: CompiledModule): unknown {
  const err = e as { code?: string; constraint?: string; column?: string; message?: string };
  if (err.code === '23505' && err.constraint) {
    const field = m.uniqueIndexes.get(err.constraint) ?? err.constraint;
    return new AtriumError('DUPLICATE_VALUE', [
      { path: field, message: 'is already used by another record' },
    ]);
  }
  if (err.code === '23503' && err.constraint) {
    const field = m.foreignKeys.get(err.constraint) ?? err.constraint;
    return new AtriumError('VALIDATION_FAILED', [
      { path: field, message: 'points to a record that does not exist' },
    ]);
  }
  if (
    err.code === '22003' ||
    err.code === '22P02' ||
    err.code === '22007' ||
    err.code === '22008'
  ) {
    return new AtriumError('VALIDATION_FAILED', [
      { path: err.column ?? '(record)', message: err.message ?? 'value out of range' },
    ]);
  }
  return e;
}
