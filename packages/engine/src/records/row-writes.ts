import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { q, qt } from '../sql-names.js';
import type { CompiledModule } from './compiled-module.js';
import type { Values } from './values.js';

export type Row = Record<string, unknown>;

export type HistoryAction = 'create' | 'update' | 'delete' | 'restore' | 'transition' | 'approval';

/** The record a cascaded delete or restore came from, kept in its history entry. */
export interface Cause {
  module: string;
  id: string;
}

/** A blueprint transition's history entry names the transition it ran. */
export interface TransitionCause {
  transition: string;
}

/** An approval's history entry: requested, approved or rejected, with the decider's comment. */
export interface ApprovalCause {
  approval: number;
  transition: string;
  decision: 'requested' | 'approved' | 'rejected';
  comment?: string | null;
}

/**
 * The last step of every write: the row itself and its history entry. Callers have checked
 * everything before; these only write.
 */
export async function insertRow(trx: Db, m: CompiledModule, row: Values): Promise<Row> {
  return (await insertRows(trx, m, [row]))[0] as Row;
}

/**
 * Inserts one row only when `guard` (SQL) holds, in the same statement; undefined when it did
 * not. The values are bound in a SELECT list, where Postgres types each from its column as it
 * does in VALUES. With `history`, the row's history entry is written by the same statement (a
 * data-modifying CTE over the inserted row: nothing when the guard failed), one round trip less.
 */
export async function insertRowWhere(
  trx: Db,
  m: CompiledModule,
  row: Values,
  guard: RawBuilder<unknown>,
  history?: { table: string; action: HistoryAction; changes: string; actor: string },
): Promise<Row | undefined> {
  const columns = Object.keys(row);
  const insert = sql`insert into ${sql.raw(m.table)} as r (${sql.raw(columns.map(q).join(', '))})
    select ${sql.join(columns.map((c) => row[c]))} where ${guard}
    returning ${sql.raw(m.selectList)}`;
  const result = history
    ? await sql<Row>`with r as (${insert}),
        h as (insert into ${sql.raw(history.table)} (module, record_id, action, changes, actor)
          select ${m.doc.name}, r.id, ${history.action}, ${history.changes}::jsonb, ${history.actor}
          from r)
        select * from r`.execute(trx)
    : await sql<Row>`${insert}`.execute(trx);
  return result.rows[0];
}

/** Postgres binds at most 65,535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

/**
 * Inserts many rows (each with an `id`) in as few statements as their column sets allow and
 * returns them as stored, in the order given.
 */
export async function insertRows(
  trx: Db,
  m: CompiledModule,
  rows: readonly Values[],
): Promise<Row[]> {
  const groups = new Map<string, Values[]>();
  for (const row of rows) {
    const key = Object.keys(row).join(',');
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  const stored = new Map<string, Row>();
  for (const [key, group] of groups) {
    const columns = key.split(',');
    const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / columns.length));
    for (let i = 0; i < group.length; i += perStatement) {
      const values = group
        .slice(i, i + perStatement)
        .map((row) => sql`(${sql.join(columns.map((c) => row[c]))})`);
      const result =
        await sql<Row>`insert into ${sql.raw(m.table)} as r (${sql.raw(columns.map(q).join(', '))})
        values ${sql.join(values)} returning ${sql.raw(m.selectList)}`.execute(trx);
      for (const r of result.rows) stored.set(r.id as string, r);
    }
  }
  return rows.map((row) => stored.get(row.id as string) as Row);
}

/** Sets `columns` of one row from `values`, bumping its version. */
export async function updateRow(
  trx: Db,
  m: CompiledModule,
  id: string,
  values: Values,
  columns: readonly string[],
  actor: string,
): Promise<Row> {
  const sets: RawBuilder<unknown>[] = columns.map((c) => sql`${sql.raw(q(c))} = ${values[c]}`);
  const updated = await sql<Row>`update ${sql.raw(m.table)} as r set ${sql.join(sets)},
        version = r.version + 1, updated_at = now(), updated_by = ${actor}
      where r.id = ${id} returning ${sql.raw(m.selectList)}`.execute(trx);
  return updated.rows[0] as Row;
}

/** Moves rows into the recycle bin (`deleted = true`) or out of it, bumping their version. */
export async function setDeletedRows(
  trx: Db,
  m: CompiledModule,
  ids: readonly string[],
  deleted: boolean,
  actor: string,
): Promise<Row[]> {
  const r = await sql<Row>`update ${sql.raw(m.table)} as r
      set deleted_at = ${deleted ? sql`now()` : null}, version = r.version + 1, updated_at = now(), updated_by = ${actor}
      where r.id = any(${ids}::uuid[]) returning ${sql.raw(m.selectList)}`.execute(trx);
  return r.rows;
}

/** One history entry per record; `cause` names the record a cascade came from. */
export async function writeHistory(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  module: string,
  entries: readonly {
    id: string;
    changes?: Record<string, unknown>;
    cause?: Cause | TransitionCause | ApprovalCause;
  }[],
  action: HistoryAction,
): Promise<void> {
  if (entries.length === 0) return;
  const ids = entries.map((e) => e.id);
  const changes = entries.map((e) => JSON.stringify(e.changes ?? {}));
  const causes = entries.map((e) => (e.cause ? JSON.stringify(e.cause) : null));
  await sql`insert into ${sql.raw(qt(engine.workspace.schema, '_history'))} (module, record_id, action, changes, actor, cause)
    select ${module}, e.id, ${action}, e.changes, ${ctx.actor.id}, e.cause
    from unnest(${ids}::uuid[], ${changes}::jsonb[], ${causes}::jsonb[]) as e(id, changes, cause)`.execute(
    trx,
  );
}
