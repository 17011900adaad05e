import {
  compileFilter,
  FilterError,
  type FilterNode,
  type FilterValue,
  type JsonLogic,
  type ViewDoc,
} from '@atrium/metadata';
import { CompiledQuery, type RawBuilder, sql } from 'kysely';
import { readView } from '../access-view.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { likePattern } from '../like-pattern.js';
import { q, qt } from '../sql-names.js';
import { collationFor, textCollations } from './collation.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { cursorBinding, decodeCursor, encodeCursor, type SortKey } from './cursor.js';
import { filterSql } from './filter-sql.js';
import { withFreshMetadata } from './fresh-metadata.js';
import { listMsg } from './list-messages.js';
import { DEFAULT_LIMIT, type ListQuery } from './list-query.js';
import { QueryJoins } from './lookup-join.js';
import { readPage } from './page-query.js';
import { parseSort } from './sort.js';
import { notFound, type Row, UUID } from './write.js';

export type { ListQuery } from './list-query.js';

export interface ListResult {
  data: Row[];
  nextCursor: string | null;
  /** Present when asked for; not exact past COUNT_LIMIT rows. */
  count?: { value: number; exact: boolean };
}

const COUNT_LIMIT = 10_000;

/**
 * The one read path: authorize → compile the filter (the view's AND the request's) AND the
 * caller's access scope → one query with keyset pagination → mask fields the caller may not
 * read. `query` is already checked against LIST_QUERY_SCHEMA by the route.
 */
export function listRecords(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  query: ListQuery,
): Promise<ListResult> {
  return withFreshMetadata(engine, () => list(engine, ctx, module, query));
}

async function list(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  query: ListQuery,
): Promise<ListResult> {
  const snapshot = engine.metadata.current;
  const base = moduleOf(snapshot, module);
  engine.access.authorize(ctx.actor, base, 'read');
  // The module as the caller may read it: hidden fields are no fields here.
  const m = readView(engine.access, ctx.actor, base, snapshot.modules);
  const view = query.view === undefined ? undefined : viewOf(snapshot.documents, m, query.view);
  const collation = collationFor(await textCollations(engine.db), ctx.locale);
  const joins = scopedJoins(engine, ctx, m, snapshot);
  const limit = query.limit ?? DEFAULT_LIMIT;
  // The request's sort replaces the view's; its filter narrows the view's.
  const keys = parseSort(m, query.sort ?? viewSort(view), joins, collation);
  const vars = callerVars(ctx);
  const where: RawBuilder<unknown>[] = [deletedSql(query.deleted)];
  if (view?.filter !== undefined)
    where.push(filterSql(compile(m, view.filter, 'view.filter', vars, ctx.timeZone), joins));
  if (query.filter !== undefined)
    where.push(filterSql(parseFilter(m, query.filter, vars, ctx.timeZone), joins));
  const scope = engine.access.scope(ctx.actor, base, 'read');
  const text = query.q?.trim() ?? '';
  if (text !== '') where.push(searchSql(m, text));
  // The view's definition, not only its name: a page after the view changed is not misread.
  const viewFilter = view ? JSON.stringify(view.filter ?? null) : null;
  const namesCaller = `${viewFilter ?? ''}${query.filter ?? ''}`.includes('$user');
  const binding = cursorBinding({
    sort: keys.map((k) => `${k.dir === 'desc' ? '-' : ''}${k.name}`),
    collation: collation ?? null,
    filter: query.filter ?? null,
    q: text,
    view: view ? [view.name, viewFilter] : null,
    deleted: query.deleted ?? null,
    caller: namesCaller ? ctx.actor.id : null,
  });
  const after = query.cursor ? decodeCursor(query.cursor, binding, keys) : undefined;
  const expand = parseExpand(m, query.expand, joins);
  const columns = selectColumns(m, query.fields, keys, expand, view);
  const sortValues = sql.join(keys.map((k, i) => sql`${k.expr} as ${sql.raw(`"__k${i}"`)}`));
  const rows = await readPage(engine.db, {
    select: sql`${columns}${expandColumns(m, expand)}, ${sortValues}`,
    from: sql`${sql.raw(m.table)} r${joins.from()}`,
    where,
    ...(scope && { scope }),
    ...(scope &&
      engine.access.scopeBranches && {
        branches: (first: SortKey) => engine.access.scopeBranches?.(ctx.actor, base, first.name),
      }),
    keys,
    after,
    limit: limit + 1,
  });
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  const result: ListResult = {
    data: [],
    nextCursor:
      rows.length > limit && last
        ? encodeCursor(
            binding,
            keys.map((_, i) => last[`__k${i}`]),
          )
        : null,
  };
  result.data = data.map((row) => {
    for (let i = 0; i < keys.length; i++) delete row[`__k${i}`];
    return present(engine, ctx, m, row, expand, snapshot);
  });
  if (query.count === true) {
    if (scope) where.push(scope);
    // Bounded: a count never scans more than COUNT_LIMIT + 1 rows.
    const counted = await sql<{
      n: number;
    }>`select count(*)::int as n from (select 1 from ${sql.raw(m.table)} r${joins.from()}
      where ${sql.join(where, sql` and `)} limit ${COUNT_LIMIT + 1}) s`.execute(engine.db);
    const n = counted.rows[0]?.n ?? 0;
    result.count = { value: Math.min(n, COUNT_LIMIT), exact: n <= COUNT_LIMIT };
  }
  return result;
}

/** One record by id; a deleted one only when asked for. */
export function getRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  options: { expand?: string; deleted?: boolean } = {},
): Promise<Row> {
  return withFreshMetadata(engine, () => get(engine, ctx, module, id, options));
}

async function get(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  options: { expand?: string; deleted?: boolean },
): Promise<Row> {
  const snapshot = engine.metadata.current;
  const base = moduleOf(snapshot, module);
  engine.access.authorize(ctx.actor, base, 'read');
  if (!UUID.test(id)) throw notFound(id);
  const m = readView(engine.access, ctx.actor, base, snapshot.modules);
  const joins = scopedJoins(engine, ctx, m, snapshot);
  const expand = parseExpand(m, options.expand, joins);
  // A record outside the caller's scope answers 404, exactly like one that does not exist.
  const scope = engine.access.scope(ctx.actor, base, 'read');
  const scopeSql = scope ? sql` and ${scope}` : sql``;
  // The common case runs SQL compiled once per revision.
  const result =
    expand.length === 0 && !scope
      ? await engine.db.executeQuery<Row>(CompiledQuery.raw(m.getSql, [id]))
      : await sql<Row>`select ${sql.raw(m.selectList)}${expandColumns(m, expand)}
          from ${sql.raw(m.table)} r${joins.from()} where r.id = ${id}${scopeSql}`.execute(
          engine.db,
        );
  const row = result.rows[0];
  if (!row || (row.deleted_at !== null && !options.deleted)) throw notFound(id);
  return present(engine, ctx, m, row, expand, snapshot);
}

const HISTORY_KEY: SortKey = {
  name: 'id',
  dir: 'desc',
  expr: sql.raw('id'),
  kind: 'integer',
  nullable: false,
};

/** The field-level history of a record, newest first. */
export async function recordHistory(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  query: { limit?: number; cursor?: string },
): Promise<{ data: Row[]; nextCursor: string | null }> {
  // getRecord authorizes the read and answers 404 for an unknown record (deleted ones included).
  await getRecord(engine, ctx, module, id, { deleted: true });
  const m = moduleOf(engine.metadata.current, module);
  const limit = query.limit ?? DEFAULT_LIMIT;
  const binding = cursorBinding({ history: `${m.doc.name}:${id}` });
  const before = query.cursor ? decodeCursor(query.cursor, binding, [HISTORY_KEY])[0] : undefined;
  // Hidden fields are masked from history entries too (jsonb minus their keys).
  const hidden = [...(engine.access.fields(ctx.actor, m)?.hidden ?? [])];
  const changes = hidden.length > 0 ? sql`changes - ${hidden}::text[] as changes` : sql`changes`;
  const rows =
    await sql<Row>`select id, action, ${changes}, actor, at, cause->>'transition' as transition from ${sql.raw(qt(engine.workspace.schema, '_history'))}
    where module = ${m.doc.name} and record_id = ${id} ${before === undefined ? sql`` : sql`and id < ${before}`}
    order by id desc limit ${limit + 1}`.execute(engine.db);
  const data = rows.rows.slice(0, limit);
  // Only a blueprint transition's entry names one.
  for (const r of data) if (r.transition === null) delete r.transition;
  const last = data[data.length - 1];
  return {
    data,
    nextCursor: rows.rows.length > limit && last ? encodeCursor(binding, [last.id]) : null,
  };
}

/** Puts expanded targets in place, masked like the target module is for the caller. */
function present(
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  row: Row,
  expand: string[],
  snapshot: Snapshot,
): Row {
  for (const f of expand) {
    const key = expandedKey(m, f);
    const target = row[key] as Row | null | undefined;
    delete row[key];
    const tm = snapshot.modules.get(m.lookups.get(f)?.target.name ?? '');
    const hidden = tm ? engine.access.fields(ctx.actor, tm)?.hidden : undefined;
    if (target && hidden) for (const h of hidden) delete target[h];
    row[f] = target ?? null;
  }
  return row;
}

/** The lookup joins of one read, each restricted to the target records the caller may read. */
export function scopedJoins(
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  snapshot: Snapshot,
): QueryJoins {
  return new QueryJoins(
    m.lookups,
    (target) => {
      const tm = snapshot.modules.get(target);
      return tm ? engine.access.scope(ctx.actor, tm, 'read') : undefined;
    },
    { table: qt(m.schema, '_history'), module: m.doc.name },
  );
}

/** The values a filter may name as `{"var": "$user.id"}`. */
export function callerVars(ctx: RequestContext): Record<string, FilterValue> {
  return { '$user.id': ctx.actor.id, '$user.email': ctx.actor.email };
}

export function parseFilter(
  m: CompiledModule,
  raw: string,
  vars: Record<string, FilterValue>,
  timeZone?: string,
): FilterNode {
  let logic: JsonLogic;
  try {
    logic = JSON.parse(raw);
  } catch {
    throw new AtriumError('INVALID_FILTER', [listMsg.at('filter', 'filterNotJson')]);
  }
  return compile(m, logic, 'filter', vars, timeZone);
}

export function compile(
  m: CompiledModule,
  logic: JsonLogic,
  path: string,
  vars: Record<string, FilterValue>,
  timeZone?: string,
): FilterNode {
  try {
    // A list query of the module: it may read the field history (`entered`).
    return compileFilter(logic, m.resolve, {
      path,
      vars,
      history: true,
      ...(timeZone && { timeZone }),
    });
  } catch (e) {
    if (e instanceof FilterError) throw new AtriumError('INVALID_FILTER', [e.problem]);
    throw e;
  }
}

/** The saved view `name` of the module, or a 400 on `view`. */
export function viewOf(
  documents: readonly { kind: string }[],
  m: CompiledModule,
  name: string,
): ViewDoc {
  const view = documents.find(
    (d): d is ViewDoc =>
      d.kind === 'view' && (d as ViewDoc).module === m.doc.name && (d as ViewDoc).name === name,
  );
  if (!view)
    throw new AtriumError('INVALID_QUERY', [
      listMsg.at('view', 'noView', { module: m.doc.name, name }),
    ]);
  return view;
}

function viewSort(view: ViewDoc | undefined): string | undefined {
  if (!view?.sort || view.sort.length === 0) return undefined;
  return view.sort.map((s) => `${s.dir === 'desc' ? '-' : ''}${s.field}`).join(',');
}

/**
 * The select list: every column, the view's columns, or those asked for (within the view's),
 * plus what paging, editing and showing money need.
 */
function selectColumns(
  m: CompiledModule,
  raw: string | undefined,
  keys: SortKey[],
  expand: string[],
  view: ViewDoc | undefined,
): RawBuilder<unknown> {
  const asked = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const allowed = view ? new Set(view.columns) : undefined;
  for (const name of asked) {
    if (!m.columns.includes(name)) {
      throw new AtriumError('INVALID_QUERY', [
        listMsg.at('fields', 'notAField', { name, module: m.doc.name }),
      ]);
    }
    if (allowed && !allowed.has(name)) {
      throw new AtriumError('INVALID_QUERY', [
        listMsg.at('fields', 'notAColumn', { name, view: view?.name }),
      ]);
    }
  }
  const chosen = asked.length > 0 ? asked : (view?.columns ?? []);
  if (chosen.length === 0) return sql.raw(m.selectList);
  // Money reads with its currency: a view listing `amount` still answers `currency_code`.
  const wanted = new Set([
    'id',
    'version',
    'currency_code',
    ...chosen,
    ...keys.map((k) => k.name),
    ...expand,
  ]);
  return sql.raw(
    m.columns
      .filter((c) => wanted.has(c))
      .map((c) => `r.${q(c)}`)
      .join(', '),
  );
}

function parseExpand(m: CompiledModule, raw: string | undefined, joins: QueryJoins): string[] {
  const names = [
    ...new Set(
      (raw ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
  for (const n of names) {
    if (!m.lookups.has(n))
      throw new AtriumError('INVALID_QUERY', [listMsg.at('expand', 'notALookup', { name: n })]);
    joins.use(n);
  }
  return names;
}

/** The column an expanded target is read into, named after its join (field names may be long). */
function expandedKey(m: CompiledModule, field: string): string {
  return `__x_${m.lookups.get(field)?.alias}`;
}

function expandColumns(m: CompiledModule, expand: string[]): RawBuilder<unknown> {
  if (expand.length === 0) return sql``;
  return sql.raw(
    expand.map((f) => `, ${m.lookups.get(f)?.json} as ${q(expandedKey(m, f))}`).join(''),
  );
}

function searchSql(m: CompiledModule, text: string): RawBuilder<unknown> {
  if (m.searchColumns.length === 0) {
    throw new AtriumError('INVALID_QUERY', [
      listMsg.at('q', 'notSearchable', { module: m.doc.name }),
    ]);
  }
  if (text.length > 200)
    throw new AtriumError('INVALID_QUERY', [listMsg.at('q', 'searchTooLong', { max: 200 })]);
  const pattern = likePattern(text, 'contains');
  return sql`(${sql.join(
    m.searchColumns.map((c) => sql`${sql.raw(`r.${q(c)}`)} ilike ${pattern}`),
    sql` or `,
  )})`;
}

function deletedSql(deleted: ListQuery['deleted']): RawBuilder<unknown> {
  if (deleted === 'only') return sql`r.deleted_at is not null`;
  if (deleted === 'include') return sql`true`;
  return sql`r.deleted_at is null`;
}
