import { SYSTEM_COLUMNS } from './system-columns.js';

/**
 * Names of modules and fields become SQL identifiers, so they are held to one safe shape.
 * A double underscore is kept for objects the engine derives (sequences, dropped columns).
 */
export const SAFE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Module names the engine or the API keeps for itself. */
export const RESERVED_MODULE_NAMES = ['users', 'meta', 'records', 'auth', 'health', 'openapi'];

/** Returns why `name` cannot be used, or undefined when it can. */
export function nameProblem(name: string, kind: 'module' | 'field'): string | undefined {
  if (!SAFE_NAME.test(name)) {
    return `"${name}" is not a safe name: use lower-case letters, digits and _, starting with a letter (at most 63)`;
  }
  if (name.includes('__')) return `"${name}" may not contain a double underscore`;
  if (name.startsWith('pg_')) return `"${name}" may not start with pg_`;
  if (kind === 'field' && (SYSTEM_COLUMNS as readonly string[]).includes(name)) {
    return `"${name}" is a system column name`;
  }
  if (kind === 'module' && RESERVED_MODULE_NAMES.includes(name)) {
    return `"${name}" is a reserved module name`;
  }
  return undefined;
}
