import { createHash } from 'node:crypto';
import type { ColumnSpec } from '@atrium/metadata';

/**
 * Quotes an identifier for SQL. Identifiers come from validated metadata only; this refuses
 * anything else, so a request can never smuggle a name into SQL.
 */
export function q(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new Error(`unsafe SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}

/** `"schema"."table"` */
export function qt(schema: string, table: string): string {
  return `${q(schema)}.${q(table)}`;
}

/** A derived object name (index, constraint, sequence), shortened with a hash past 63 bytes. */
export function derivedName(module: string, column: string, suffix: string): string {
  const full = `${module}__${column}__${suffix}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha1').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, 63 - suffix.length - 11)}_${hash}__${suffix}`;
}

/** The recycle bin's index of a module's table: its deleted records, by when (ddl.ts binIndexSql). */
export function binIndexName(module: string): string {
  return derivedName(module, 'deleted_at', 'bin');
}

/** The name of the index plan() gives a column (by its index kind). */
export function indexName(module: string, c: Pick<ColumnSpec, 'name' | 'index'>): string {
  return derivedName(
    module,
    c.name,
    c.index === 'unique' ? 'key' : c.index === 'trgm' ? 'trgm' : 'idx',
  );
}

/** The index a text column's sorts read (plan's `create_sort_index`). */
export function sortIndexName(module: string, column: string): string {
  return derivedName(module, column, 'sort');
}

/** The unique index of a column, to name the field in a duplicate-value error. */
export function uniqueIndexName(module: string, column: string): string {
  return derivedName(module, column, 'key');
}

/** Where dropped tables and columns are kept until purged. */
export function trashSchema(schema: string): string {
  return `${schema}_trash`;
}

/** The name a dropped column or table is kept under: `r<revision>__<name>`, within 63 bytes. */
export function trashName(revision: number, name: string): string {
  const full = `r${revision}__${name}`;
  if (full.length <= 63) return full;
  // Two long names with the same beginning must not meet under one truncated name.
  return `${full.slice(0, 54)}_${createHash('sha1').update(full).digest('hex').slice(0, 8)}`;
}

/** The name an index of a dropped table is kept under (the same rule as the rename in ddl.ts `drop_table`). */
export function trashIndexName(revision: number, name: string): string {
  const full = `r${revision}__${name}`;
  if (full.length <= 63) return full;
  return `${full.slice(0, 54)}_${createHash('md5').update(name).digest('hex').slice(0, 8)}`;
}
