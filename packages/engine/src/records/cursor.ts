import { createHash } from 'node:crypto';
import type { Message } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { AtriumError } from '../errors.js';
import { listMsg } from './list-messages.js';

/** What a sort value is, to check a cursor's values and bind them with the right type. */
export type SortKind =
  | 'text'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'uuid'
  /** A picklist option's position in the field's options. */
  | 'position';

/** One key of a list's order. */
export interface SortKey {
  /** As the request names it: `amount`, `account.name`, `id`. */
  name: string;
  dir: 'asc' | 'desc';
  /** The sort value in SQL (identifiers from metadata, values bound). */
  expr: RawBuilder<unknown>;
  kind: SortKind;
  /** Can be empty; empty values sort last in both directions. */
  nullable: boolean;
  /**
   * For a lookup's field: `jN.id is not null`, true where the target exists. Said beside
   * `expr is not null` it lets Postgres turn the outer join into an inner one and walk the
   * target's index in sort order.
   */
  joined?: RawBuilder<unknown>;
}

/**
 * ORDER BY of a sort. Empty values come last whichever the direction; a key that is never
 * null keeps Postgres' default placement so a plain btree index serves it both ways.
 */
export function orderSql(keys: readonly SortKey[]): RawBuilder<unknown> {
  return sql.join(
    keys.map((k) =>
      k.nullable ? sql`${k.expr} ${sql.raw(k.dir)} nulls last` : sql`${k.expr} ${sql.raw(k.dir)}`,
    ),
  );
}

/**
 * What a cursor is bound to: the sort (with its collation) and everything that chose the rows
 * (filter, q, view, deleted). A cursor reused with another list is refused, not misread.
 */
export function cursorBinding(parts: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

/** An opaque cursor: the binding and the sort values of the last row of a page. */
export function encodeCursor(binding: string, values: unknown[]): string {
  return Buffer.from(JSON.stringify([binding, ...values])).toString('base64url');
}

/** The sort values of a cursor made by the same list, each of its key's type; else a 400. */
export function decodeCursor(cursor: string, binding: string, keys: readonly SortKey[]): unknown[] {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== keys.length + 1 || decoded[0] !== binding) {
    throw refusal(listMsg('notThisCursor'));
  }
  const values = decoded.slice(1);
  keys.forEach((key, i) => {
    if (!fits(key, values[i])) throw refusal(listMsg('cursorValue', { name: key.name }));
  });
  return values;
}

const refusal = (message: Message) =>
  new AtriumError('INVALID_QUERY', [{ ...message, path: 'cursor' }]);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function fits(key: SortKey, value: unknown): boolean {
  if (value === null) return key.nullable;
  switch (key.kind) {
    case 'text':
      return typeof value === 'string' && !value.includes('\u0000');
    case 'integer':
    case 'position':
      return Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'uuid':
      return typeof value === 'string' && UUID.test(value);
    case 'date':
      return (
        typeof value === 'string' &&
        /^\d{4}-\d{2}-\d{2}$/.test(value) &&
        !Number.isNaN(Date.parse(value)) &&
        new Date(value).toISOString().startsWith(value)
      );
    case 'datetime':
      return typeof value === 'string' && DATETIME.test(value) && !Number.isNaN(Date.parse(value));
  }
}

const CASTS: Record<SortKind, string> = {
  text: 'text',
  integer: 'bigint',
  position: 'integer',
  number: 'numeric',
  boolean: 'boolean',
  date: 'date',
  datetime: 'timestamptz',
  uuid: 'uuid',
};

/**
 * Keyset predicate: rows strictly after `values` in the order of `keys`, in the OR form so
 * mixed directions and empty values work: (k1 after v1) or (k1 = v1 and k2 after v2) or …
 * It compares the same expressions as ORDER BY (collation and option order included).
 */
export function afterSql(
  keys: readonly SortKey[],
  values: readonly unknown[],
): RawBuilder<unknown> {
  const alternatives: RawBuilder<unknown>[] = [];
  keys.forEach((key, i) => {
    const equal = keys.slice(0, i).map((k, j) => equalSql(k, values[j]));
    const after = afterOne(key, values[i]);
    if (after) alternatives.push(sql`(${sql.join([...equal, after], sql` and `)})`);
  });
  return alternatives.length === 0 ? sql`false` : sql`(${sql.join(alternatives, sql` or `)})`;
}

/**
 * A plain range on a key that can never be empty (`expr >= v` ascending): implied by the
 * keyset predicate, but one an index can start its scan with. Undefined where it cannot help.
 */
export function startSql(key: SortKey, value: unknown): RawBuilder<unknown> | undefined {
  if (key.nullable || value === null) return undefined;
  return sql`${key.expr} ${sql.raw(key.dir === 'asc' ? '>=' : '<=')} ${bound(key, value)}`;
}

const bound = (key: SortKey, value: unknown) => sql`${value}::${sql.raw(CASTS[key.kind])}`;

function equalSql(key: SortKey, value: unknown): RawBuilder<unknown> {
  return value === null ? sql`${key.expr} is null` : sql`${key.expr} = ${bound(key, value)}`;
}

function afterOne(key: SortKey, value: unknown): RawBuilder<unknown> | undefined {
  // Empty values are last in both directions: nothing comes after an empty value but other
  // empty values (ordered by the next key); every empty value comes after a value.
  if (value === null) return undefined;
  const op = sql.raw(key.dir === 'asc' ? '>' : '<');
  const beyond = sql`${key.expr} ${op} ${bound(key, value)}`;
  return key.nullable ? sql`(${beyond} or ${key.expr} is null)` : beyond;
}
