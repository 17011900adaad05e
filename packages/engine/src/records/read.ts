import {
  compileFilter,
  FilterError,
  type FilterNode,
  type JsonLogic,
  valueSpec,
} from '@atrium/metadata';
import { CompiledQuery, type RawBuilder, sql } from 'kysely';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { likePattern } from '../like-pattern.js';
import { q, qt } from '../sql-names.js';
import type { CompiledModule } from './compiled-module.js';
import { afterSql, decodeCursor, encodeCursor, orderSql, type SortKey } from './cursor.js';
import { filterSql } from './filter-sql.js';
import { notFound, type Row, UUID } from './write.js';

/** Query parameters of a list, as they come from the URL. */
export interface ListQuery {
  filter?: string;
  sort?: string;
  limit?: string | number;
  cursor?: string;
  q?: string;
  expand?: string;
  /** Comma-separated columns to return (id, version and the sort keys always come too). */
  fields?: string;
  count?: string | boolean;
  /** `only`: the recycle bin; `include`: live and deleted records. */
  deleted?: 'only' | 'include' | '';
}

export interface ListResult {
  data: Row[];
  nextCursor: string | null;
  /** Present when asked for; not exact past COUNT_LIMIT rows. */
  count?: { value: number; exact: boolean };
}

const MAX_LIMIT = 200;
const COUNT_LIMIT = 10_000;

/**
 * The one read path: authorize → compile the filter AND the caller's access scope → one query
 * with keyset pagination → mask fields the caller may not read.
 */
export async function listRecords(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  query: ListQuery,
): Promise<ListResult> {
  const m = moduleOf(engine.metadata.current, module);
  engine.access.authorize(ctx.actor, m, 'read');
  const schema = engine.workspace.schema;
  const limit = parseLimit(query.limit);
  const keys = parseSort(m, query.sort);
  const where: RawBuilder<unknown>[] = [deletedSql(query.deleted)];
  if (query.filter !== undefined && query.filter !== '')
    where.push(filterSql(parseFilter(m, query.filter, ctx.timeZone), schema));
  const scope = engine.access.readScope(ctx.actor, m);
  if (scope) where.push(filterSql(scope, schema));
  if (query.q !== undefined && query.q.trim() !== '') where.push(searchSql(m, query.q.trim()));
  const countWhere = [...where];
  if (query.cursor) where.push(afterSql(keys, decodeCursor(query.cursor, keys)));
  const expand = parseExpand(m, query.expand);
  const columns = selectColumns(m, query.fields, keys, expand);
  const rows = await sql<Row>`select ${columns}${expandColumns(m, expand)}
    from ${sql.raw(m.table)} r where ${sql.join(where, sql` and `)}
    order by ${orderSql(keys)} limit ${limit + 1}`.execute(engine.db);
  const data = rows.rows.slice(0, limit);
  const last = data[data.length - 1];
  const result: ListResult = {
    data: data.map((row) => present(engine, ctx, m, row, expand)),
    nextCursor:
      rows.rows.length > limit && last
        ? encodeCursor(keys.map((k) => cursorValue(last[k.column])))
        : null,
  };
  if (query.count === true || query.count === 'true') {
    // Bounded: a count never scans more than COUNT_LIMIT + 1 rows.
    const counted = await sql<{
      n: number;
    }>`select count(*)::int as n from (select 1 from ${sql.raw(m.table)} r
      where ${sql.join(countWhere, sql` and `)} limit ${COUNT_LIMIT + 1}) s`.execute(engine.db);
    const n = counted.rows[0]?.n ?? 0;
    result.count = { value: Math.min(n, COUNT_LIMIT), exact: n <= COUNT_LIMIT };
  }
  return result;
}

/** One record by id; a deleted one only when asked for. */
export async function getRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  options: { expand?: string; deleted?: boolean } = {},
): Promise<Row> {
  const m = moduleOf(engine.metadata.current, module);
  engine.access.authorize(ctx.actor, m, 'read');
  if (!UUID.test(id)) throw notFound(id);
  const expand = parseExpand(m, options.expand);
  const scope = engine.access.readScope(ctx.actor, m);
  // The common case runs SQL compiled once per revision.
  const result =
    expand.length === 0 && !scope
      ? await engine.db.executeQuery<Row>(CompiledQuery.raw(m.getSql, [id]))
      : await sql<Row>`select ${sql.raw(m.selectList)}${expandColumns(m, expand)} from ${sql.raw(m.table)} r
          where r.id = ${id}${scope ? sql` and ${filterSql(scope, engine.workspace.schema)}` : sql``}`.execute(
          engine.db,
        );
  const row = result.rows[0];
  if (!row || (row.deleted_at !== null && !options.deleted)) throw notFound(id);
  return present(engine, ctx, m, row, expand);
}

/** The field-level history of a record, newest first. */
export async function recordHistory(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  query: { limit?: string | number; cursor?: string },
): Promise<{ data: Row[]; nextCursor: string | null }> {
  // getRecord authorizes the read and answers 404 for an unknown record (deleted ones included).
  await getRecord(engine, ctx, module, id, { deleted: true });
  const m = moduleOf(engine.metadata.current, module);
  const limit = parseLimit(query.limit);
  const before = query.cursor
    ? Number(decodeCursor(query.cursor, [{ column: 'id', dir: 'desc' }])[0])
    : undefined;
  const rows =
    await sql<Row>`select id, action, changes, actor, at from ${sql.raw(qt(engine.workspace.schema, '_history'))}
    where module = ${m.doc.name} and record_id = ${id} ${before === undefined ? sql`` : sql`and id < ${before}`}
    order by id desc limit ${limit + 1}`.execute(engine.db);
  const data = rows.rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.rows.length > limit && last ? encodeCursor([last.id]) : null };
}

function present(
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  row: Row,
  expand: string[],
): Row {
  for (const f of expand) {
    const target = row[`${f}__expanded`];
    delete row[`${f}__expanded`];
    row[f] = target ?? null;
  }
  const readable = engine.access.readableFields(ctx.actor, m);
  if (readable) for (const k of Object.keys(row)) if (k !== 'id' && !readable.has(k)) delete row[k];
  return row;
}

function parseLimit(raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return 50;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw new AtriumError('INVALID_QUERY', [
      { path: 'limit', message: `must be a whole number from 1 to ${MAX_LIMIT}` },
    ]);
  }
  return n;
}

function parseFilter(m: CompiledModule, raw: string, timeZone?: string): FilterNode {
  let logic: JsonLogic;
  try {
    logic = JSON.parse(raw);
  } catch {
    throw new AtriumError('INVALID_FILTER', [
      { path: 'filter', message: 'is not JSON (URL-encode a JSON Logic object)' },
    ]);
  }
  try {
    return compileFilter(logic, m.resolve, { path: 'filter', ...(timeZone && { timeZone }) });
  } catch (e) {
    if (e instanceof FilterError)
      throw new AtriumError('INVALID_FILTER', [{ path: e.path, message: e.message }]);
    throw e;
  }
}

/** `-amount,name` → amount desc, name asc, then id as the tie-breaker. Default: newest first. */
export function parseSort(m: CompiledModule, raw: string | undefined): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const desc = part.startsWith('-');
    const name = desc ? part.slice(1) : part;
    const field = m.fields.get(name);
    const sortable = name === 'id' || (field !== undefined && valueSpec(field).sortable);
    if (!sortable)
      throw new AtriumError('INVALID_QUERY', [
        { path: 'sort', message: `cannot sort by "${name}"` },
      ]);
    if (!keys.some((k) => k.column === name))
      keys.push({ column: name, dir: desc ? 'desc' : 'asc' });
  }
  if (keys.length > 5)
    throw new AtriumError('INVALID_QUERY', [{ path: 'sort', message: 'sort by at most 5 fields' }]);
  if (!keys.some((k) => k.column === 'id'))
    keys.push({ column: 'id', dir: keys[keys.length - 1]?.dir ?? 'desc' });
  return keys;
}

/** The select list: every column, or only those asked for plus what paging and editing need. */
function selectColumns(
  m: CompiledModule,
  raw: string | undefined,
  keys: SortKey[],
  expand: string[],
): RawBuilder<unknown> {
  const asked = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (asked.length === 0) return sql.raw(m.selectList);
  for (const name of asked) {
    if (!m.columns.includes(name)) {
      throw new AtriumError('INVALID_QUERY', [
        { path: 'fields', message: `"${name}" is not a field of ${m.doc.name}` },
      ]);
    }
  }
  const wanted = new Set(['id', 'version', ...asked, ...keys.map((k) => k.column), ...expand]);
  return sql.raw(
    m.columns
      .filter((c) => wanted.has(c))
      .map((c) => `r.${q(c)}`)
      .join(', '),
  );
}

function parseExpand(m: CompiledModule, raw: string | undefined): string[] {
  const names = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!m.expandSql.has(n))
      throw new AtriumError('INVALID_QUERY', [
        { path: 'expand', message: `"${n}" is not a lookup field` },
      ]);
  }
  return [...new Set(names)];
}

function expandColumns(m: CompiledModule, expand: string[]): RawBuilder<unknown> {
  if (expand.length === 0) return sql``;
  return sql.raw(expand.map((f) => `, ${m.expandSql.get(f)} as ${q(`${f}__expanded`)}`).join(''));
}

function searchSql(m: CompiledModule, text: string): RawBuilder<unknown> {
  if (m.searchColumns.length === 0) {
    throw new AtriumError('INVALID_QUERY', [
      { path: 'q', message: `module ${m.doc.name} has no searchable fields` },
    ]);
  }
  if (text.length > 200)
    throw new AtriumError('INVALID_QUERY', [{ path: 'q', message: 'at most 200 characters' }]);
  const pattern = likePattern(text, 'contains');
  return sql`(${sql.join(
    m.searchColumns.map((c) => sql`${sql.raw(`r.${q(c)}`)} ilike ${pattern}`),
    sql` or `,
  )})`;
}

function deletedSql(deleted: ListQuery['deleted']): RawBuilder<unknown> {
  if (deleted === 'only') return sql`r.deleted_at is not null`;
  if (deleted === 'include') return sql`true`;
  if (deleted !== undefined && deleted !== '') {
    throw new AtriumError('INVALID_QUERY', [
      { path: 'deleted', message: 'must be only or include' },
    ]);
  }
  return sql`r.deleted_at is null`;
}

function cursorValue(v: unknown): unknown {
  return v instanceof Date ? v.toISOString() : v;
}
