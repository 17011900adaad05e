import { type FieldRef, valueSpec } from '@atrium/metadata';
import { sql } from 'kysely';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from './compiled-module.js';
import type { SortKey, SortKind } from './cursor.js';
import { listMsg } from './list-messages.js';
import type { QueryJoins } from './lookup-join.js';

const MAX_SORT_FIELDS = 5;
/** System columns that are never null: their sorts keep Postgres' own null placement, which
 * their btree indexes serve in both directions. */
const NEVER_NULL = new Set(['id', 'created_at', 'updated_at', 'version']);

/**
 * `-amount,name,account.name` → the sort keys of a list, then `id` as the tie-breaker in the
 * direction of the last key. Default: newest first (`-id`; ids are time-ordered).
 *
 * Sorting as users expect: empty values (null, '') last in both directions; picklists in the
 * order of their options; text in `collation` (ICU: linguistic and case-insensitive, pinyin
 * for Chinese), else in the database's own. A lookup's field sorts through the lookup join,
 * where a target in the recycle bin is no target (its records sort as empty).
 */
export function parseSort(
  m: CompiledModule,
  raw: string | undefined,
  joins: QueryJoins,
  collation: string | undefined,
): SortKey[] {
  const keys: SortKey[] = [];
  for (const part of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const desc = part.startsWith('-');
    const name = desc ? part.slice(1) : part;
    const ref = name === 'id' ? undefined : m.resolve(name);
    const sortable = name === 'id' || (ref !== undefined && valueSpec(ref.field).sortable);
    if (!sortable || (ref?.via && !m.lookups.has(ref.path[0])))
      throw new AtriumError('INVALID_QUERY', [listMsg.at('sort', 'cannotSortBy', { name })]);
    if (keys.some((k) => k.name === name)) continue;
    const dir = desc ? 'desc' : 'asc';
    keys.push(ref ? fieldKey(ref, name, dir, joins, collation) : idKey(dir));
  }
  if (keys.length > MAX_SORT_FIELDS)
    throw new AtriumError('INVALID_QUERY', [
      listMsg.at('sort', 'sortAtMost', { max: MAX_SORT_FIELDS }),
    ]);
  if (!keys.some((k) => k.name === 'id')) keys.push(idKey(keys[keys.length - 1]?.dir ?? 'desc'));
  return keys;
}

/**
 * How a text value sorts: '' is as empty as null, in `collation` (a name from collation.ts,
 * never from a request). An index meant to serve a text sort must be built on exactly this
 * expression, e.g. `create index … on t ((nullif("name", '') collate "und-x-icu"))`, which
 * serves both directions and keyset pages (empty values are read apart, see page-query.ts).
 */
export function textSortSql(column: string, collation: string | undefined): string {
  return `nullif(${column}, '')${collation ? ` collate "${collation}"` : ''}`;
}

function idKey(dir: 'asc' | 'desc'): SortKey {
  return { name: 'id', dir, expr: sql.raw('r."id"'), kind: 'uuid', nullable: false };
}

function fieldKey(
  ref: FieldRef,
  name: string,
  dir: 'asc' | 'desc',
  joins: QueryJoins,
  collation: string | undefined,
): SortKey {
  const column = joins.column(ref);
  const nullable = ref.via !== undefined || !NEVER_NULL.has(ref.field.name);
  const alias = ref.via ? joins.use(ref.path[0]).alias : undefined;
  const joined = alias ? { joined: sql.raw(`${alias}.id is not null`) } : {};
  const field = ref.field;
  if (field.type === 'picklist') {
    // Option order, not alphabetical: the option's position; a value no longer an option is
    // empty. The options are a bound parameter, so no metadata value is spliced into SQL.
    const options = (field.options ?? []).map((o) => o.value);
    return {
      name,
      dir,
      expr: sql`array_position(${options}::text[], ${sql.raw(column)})`,
      kind: 'position',
      nullable,
      ...joined,
    };
  }
  const kind = valueSpec(field).valueKind;
  if (kind === 'string') {
    const expr = sql.raw(textSortSql(column, collation));
    return { name, dir, expr, kind: 'text', nullable, ...joined };
  }
  const kinds: Record<string, SortKind> = {
    integer: 'integer',
    number: 'number',
    boolean: 'boolean',
    date: 'date',
    datetime: 'datetime',
  };
  const sortKind = kinds[kind];
  if (!sortKind)
    throw new AtriumError('INVALID_QUERY', [listMsg.at('sort', 'cannotSortBy', { name })]);
  return { name, dir, expr: sql.raw(column), kind: sortKind, nullable, ...joined };
}
