import { createHash } from 'node:crypto';
import {
  columnIndex,
  compileFilter,
  fieldResolver,
  type MetadataDoc,
  type ModuleDoc,
  type SharingDoc,
  valueSpec,
} from '@atrium/metadata';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { filterSql } from './records/filter-sql.js';
import { derivedName } from './sql-names.js';

/**
 * An index that lets one branch of a record scope be read in a sort's order: `(owner_id, col, id)`
 * for "my records", or `(col, id) where <rule>` for the records a sharing rule opens. The `id`
 * is the sort's tie-breaker: with it the index yields the branch's rows in the page's exact order,
 * so the merge pulls only the rows it keeps (without it each branch sorts batches of at least 32
 * rows by id, reading past what the page needs).
 */
export interface ScopeIndex {
  /** Derived from the definition, so a changed definition is a new index. */
  name: string;
  module: string;
  columns: string[];
  /** The rule's condition as SQL over the table's columns (values inlined), for a partial index. */
  where?: string;
  /** Columns carried in the index's leaf pages for index-only scans (`include (…)`). */
  include?: string[];
  /** What the index serves: a scope's reads (the default) or a module's reports (report-indexes.ts). */
  purpose?: 'report';
}

/** Which scope branches of one module an index serves, per sort column. */
export interface ScopeOrders {
  /** Columns `c` with an index on `(owner_id, c, id)`. */
  owner: ReadonlySet<string>;
  /** Rule name → columns `c` with an index on `(c, id) where <rule>`. */
  rules: ReadonlyMap<string, ReadonlySet<string>>;
}

/**
 * The scope indexes the documents call for. A `private` module scopes a user's reads to their
 * own records OR those the sharing rules open; read through one OR, a page sorted by `amount`
 * walks the amount index and throws away every row outside the scope (for a rep owning 2 % of
 * the records, ~50 rows read per row kept). Read as one branch per part, each from an index in
 * the sort's order and merged (records/page-query.ts), a page costs about what the admin's does.
 *
 * The sort columns served are `id` (the default sort) and the btree-indexed fields whose sort
 * is the plain column (numbers, dates, booleans: not text, whose sort is a collation expression,
 * nor picklists, sorted by option position). Rules through a lookup (a subquery), with relative
 * dates (their range moves) or naming the caller get no index: their branch stays in the OR.
 */
export function scopeIndexes(documents: readonly MetadataDoc[]): ScopeIndex[] {
  const modules = new Map(
    documents.filter((d): d is ModuleDoc => d.kind === 'module').map((m) => [m.name, m]),
  );
  const out: ScopeIndex[] = [];
  for (const d of documents) {
    if (d.kind !== 'sharing' || d.default !== 'private') continue;
    const module = modules.get(d.module);
    if (!module) continue;
    const orders = orderColumns(module);
    const add = (columns: string[], where?: string) => {
      const hash = createHash('sha1')
        .update(JSON.stringify([columns, where ?? null]))
        .digest('hex')
        .slice(0, 10);
      out.push({
        name: derivedName(module.name, `scope_${hash}`, 'idx'),
        module: module.name,
        columns,
        ...(where !== undefined && { where }),
      });
    };
    for (const c of orders) add(['owner_id', ...withId(c)]);
    for (const rule of indexableRules(d, module, modules)) {
      for (const c of orders) add(withId(c), rule.where);
    }
  }
  return out;
}

/** Per module, which scope branches have an index in which sort column's order. */
export function scopeOrders(documents: readonly MetadataDoc[]): Map<string, ScopeOrders> {
  const out = new Map<string, { owner: Set<string>; rules: Map<string, Set<string>> }>();
  const modules = new Map(
    documents.filter((d): d is ModuleDoc => d.kind === 'module').map((m) => [m.name, m]),
  );
  for (const d of documents) {
    if (d.kind !== 'sharing' || d.default !== 'private') continue;
    const module = modules.get(d.module);
    if (!module) continue;
    const orders = orderColumns(module);
    const rules = new Map(
      indexableRules(d, module, modules).map((r) => [r.name, new Set(orders)] as const),
    );
    out.set(module.name, { owner: new Set(orders), rules });
  }
  return out;
}

/** A sort column and the `id` that breaks its ties. */
const withId = (c: string): string[] => (c === 'id' ? ['id'] : [c, 'id']);

function orderColumns(module: ModuleDoc): string[] {
  const columns = ['id'];
  for (const f of module.fields) {
    if (f.type === 'picklist' || f.type === 'lookup' || f.type === 'user') continue;
    const spec = valueSpec(f);
    if (!spec.sortable || spec.valueKind === 'string' || spec.valueKind === 'array') continue;
    if (columnIndex(f, module) !== 'btree') continue;
    columns.push(f.name);
  }
  return columns;
}

function indexableRules(
  doc: SharingDoc,
  module: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
): { name: string; where: string }[] {
  const resolve = fieldResolver(module, modules);
  const out: { name: string; where: string }[] = [];
  for (const rule of doc.rules ?? []) {
    const text = JSON.stringify(rule.when);
    if (text.includes('date_in') || text.includes('$user')) continue;
    try {
      const node = compileFilter(rule.when, (path) => {
        const ref = resolve(path);
        // Through a lookup: a subquery, which no index predicate may hold.
        if (ref?.via) throw new Error('via');
        return ref;
      });
      out.push({ name: rule.name, where: predicateSql(filterSql(node, '_')) });
    } catch {
      // Not indexable (or not valid, which the document checks report): no index.
    }
  }
  return out;
}

const compiler = new Kysely<unknown>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * A rule's SQL as an index predicate: columns without the `r.` alias, values inlined as literals
 * (untyped, so Postgres infers each type from its column exactly as for the bound parameter the
 * read path sends; the planner then proves the read's condition implies the predicate).
 */
function predicateSql(raw: ReturnType<typeof filterSql>): string {
  const { sql: text, parameters } = raw.compile(compiler);
  // The alias goes before the values come in, so no value is touched.
  return text
    .replaceAll('r."', '"')
    .replace(/\$(\d+)/g, (_, n: string) => literal(parameters[Number(n) - 1]));
}

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error('not a finite number');
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return quote(v);
  if (Array.isArray(v)) return quote(`{${v.map((x) => arrayItem(x)).join(',')}}`);
  throw new Error('not an indexable value');
}

function arrayItem(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  throw new Error('not an indexable value');
}

/** A standard string literal (standard_conforming_strings: backslashes are plain). */
function quote(s: string): string {
  if (s.includes('\u0000')) throw new Error('NUL');
  return `'${s.replace(/'/g, "''")}'`;
}
