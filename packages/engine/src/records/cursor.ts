import { type RawBuilder, sql } from 'kysely';
import { AtriumError } from '../errors.js';
import { q } from '../sql-names.js';

export interface SortKey {
  column: string;
  dir: 'asc' | 'desc';
}

/** ORDER BY of a sort; nulls sort as the largest value, the way Postgres does by default. */
export function orderSql(keys: readonly SortKey[]): RawBuilder<unknown> {
  return sql.raw(
    keys
      .map((k) => `r.${q(k.column)} ${k.dir} nulls ${k.dir === 'asc' ? 'last' : 'first'}`)
      .join(', '),
  );
}

/** An opaque cursor: the sort values of the last row of a page. */
export function encodeCursor(values: unknown[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, keys: readonly SortKey[]): unknown[] {
  try {
    const values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === keys.length) return values;
  } catch {
    // fall through to the refusal
  }
  throw new AtriumError('INVALID_QUERY', [
    { path: 'cursor', message: 'is not a cursor of this list (was the sort changed?)' },
  ]);
}

/**
 * Keyset predicate: rows strictly after `values` in the order of `keys`. Expanded into the OR
 * form so mixed directions and nulls work: (k1 after v1) or (k1 = v1 and k2 after v2) or …
 */
export function afterSql(
  keys: readonly SortKey[],
  values: readonly unknown[],
): RawBuilder<unknown> {
  const alternatives: RawBuilder<unknown>[] = [];
  keys.forEach((key, i) => {
    const equal = keys
      .slice(0, i)
      .map((k, j) => sql`r.${sql.raw(q(k.column))} is not distinct from ${values[j]}`);
    const after = afterOne(key, values[i]);
    if (after) alternatives.push(sql`(${sql.join([...equal, after], sql` and `)})`);
  });
  return alternatives.length === 0 ? sql`false` : sql`(${sql.join(alternatives, sql` or `)})`;
}

function afterOne(key: SortKey, value: unknown): RawBuilder<unknown> | undefined {
  const c = sql.raw(`r.${q(key.column)}`);
  if (key.dir === 'asc') {
    // nulls last: nothing comes after a null; every null comes after a value.
    return value === null ? undefined : sql`(${c} > ${value} or ${c} is null)`;
  }
  // nulls first: after a null come all values; after a value, smaller values.
  return value === null ? sql`${c} is not null` : sql`${c} < ${value}`;
}
