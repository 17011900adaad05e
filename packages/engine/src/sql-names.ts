import { createHash } from 'node:crypto';

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
