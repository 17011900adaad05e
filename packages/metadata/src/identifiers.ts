import { documentMsg } from './document-messages.js';
import type { Message } from './messages.js';
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
  return nameMessage(name, kind)?.message;
}

/** As nameProblem, as a message that can be said in the caller's language. */
export function nameMessage(name: string, kind: 'module' | 'field'): Message | undefined {
  if (!SAFE_NAME.test(name)) return documentMsg('unsafeName', { name });
  if (name.includes('__')) return documentMsg('doubleUnderscore', { name });
  if (name.startsWith('pg_')) return documentMsg('pgPrefix', { name });
  if (kind === 'field' && (SYSTEM_COLUMNS as readonly string[]).includes(name))
    return documentMsg('systemColumn', { name });
  if (kind === 'module' && RESERVED_MODULE_NAMES.includes(name))
    return documentMsg('reservedModule', { name });
  return undefined;
}
