import type { Locale, Problem } from '@atrium/metadata';
import type { RawBuilder } from 'kysely';
import type { AccessActor, AccessPolicy } from './access.js';
import { AtriumError } from './errors.js';
import type { CompiledModule } from './records/compiled-module.js';
import { msg } from './records/messages.js';

/** The caller's scopes on a module, for the row a write locks (see lockRow in write.ts). */
export interface RowScope {
  read: RawBuilder<unknown> | undefined;
  write: RawBuilder<unknown> | undefined;
}

export function rowScope(policy: AccessPolicy, actor: AccessActor, m: CompiledModule): RowScope {
  return { read: policy.scope(actor, m, 'read'), write: policy.scope(actor, m, 'write') };
}

/**
 * Refuses (400 on each field's path) a write that sets a field the caller's profile makes
 * read-only or hidden. `prefix` places the paths inside a bulk request (`update[2].`).
 */
export function maskedFieldProblems(
  policy: AccessPolicy,
  actor: AccessActor,
  m: CompiledModule,
  body: unknown,
  locale: Locale,
  prefix = '',
): Problem[] {
  const mask = policy.fields(actor, m);
  if (!mask || body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const problems: Problem[] = [];
  for (const key of Object.keys(body)) {
    if (mask.readOnly.has(key) || mask.hidden.has(key))
      problems.push({ path: `${prefix}${key}`, message: msg(locale, 'maskedField') });
  }
  return problems;
}

export function refuseMaskedFields(
  policy: AccessPolicy,
  actor: AccessActor,
  m: CompiledModule,
  body: unknown,
  locale: Locale,
): void {
  const problems = maskedFieldProblems(policy, actor, m, body, locale);
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
}

/** A written record as the caller may read it: hidden fields removed. */
export function maskRow<T extends Record<string, unknown>>(
  policy: AccessPolicy,
  actor: AccessActor,
  m: CompiledModule,
  row: T,
): T {
  const hidden = policy.fields(actor, m)?.hidden;
  if (hidden) for (const h of hidden) delete row[h];
  return row;
}
