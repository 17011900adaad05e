import type { Locale, Problem } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db.js';
import { moduleOf } from '../engine.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { msg } from './messages.js';
import type { Values } from './values.js';

/** One record about to be written: where its problems go and which lookups it sets. */
export interface LookupWrite {
  /** Prefix of its paths: '' for a single write, `create[2].` in a bulk. */
  prefix: string;
  values: Values;
  /** The lookups whose value this write sets (on update, only those that change). */
  fields: readonly string[];
}

/**
 * A lookup may only point at a live record: not one that does not exist, not one in the recycle
 * bin. One query per lookup field for any number of records (a bulk write included); the
 * targets found are share-locked so a concurrent delete waits for this write, then sees it.
 */
export async function lookupProblems(
  trx: Db,
  snapshot: Snapshot,
  m: CompiledModule,
  writes: readonly LookupWrite[],
  locale: Locale,
  readable?: (target: CompiledModule) => RawBuilder<unknown> | undefined,
): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const field of m.doc.fields) {
    if (field.type !== 'lookup' || !field.target) continue;
    const pointing = writes.filter(
      (w) => w.fields.includes(field.name) && typeof w.values[field.name] === 'string',
    );
    if (pointing.length === 0) continue;
    const target = moduleOf(snapshot, field.target);
    const ids = [...new Set(pointing.map((w) => w.values[field.name] as string))];
    // A target the caller may not read is refused like a missing one.
    const scope = readable?.(target);
    const found = await sql<{ id: string; binned: boolean }>`
      select r.id, r.deleted_at is not null as binned from ${sql.raw(target.table)} r
      where r.id = any(${ids}::uuid[])${scope ? sql` and ${scope}` : sql``} for key share`.execute(
      trx,
    );
    const state = new Map(found.rows.map((r) => [r.id, r.binned]));
    for (const w of pointing) {
      const binned = state.get((w.values[field.name] as string).toLowerCase());
      if (binned === false) continue;
      problems.push({
        path: `${w.prefix}${field.name}`,
        message: msg(locale, binned ? 'lookupInBin' : 'lookupMissing'),
      });
    }
  }
  return problems;
}

/**
 * The same rule as a condition of the INSERT of one record (its lookups point at live records
 * the caller may read, share-locked as above), so a create that meets it pays no query of its
 * own for it. When the insert writes nothing, lookupProblems says why. Undefined when the
 * record sets no lookup.
 */
export function lookupGuard(
  snapshot: Snapshot,
  m: CompiledModule,
  values: Values,
  readable?: (target: CompiledModule) => RawBuilder<unknown> | undefined,
): RawBuilder<unknown> | undefined {
  const conditions: RawBuilder<unknown>[] = [];
  for (const field of m.doc.fields) {
    if (field.type !== 'lookup' || !field.target) continue;
    const id = values[field.name];
    if (typeof id !== 'string') continue;
    const target = moduleOf(snapshot, field.target);
    const scope = readable?.(target);
    conditions.push(sql`exists (select 1 from ${sql.raw(target.table)} r
      where r.id = ${id}::uuid and r.deleted_at is null${scope ? sql` and ${scope}` : sql``} for key share)`);
  }
  return conditions.length === 0 ? undefined : sql.join(conditions, sql` and `);
}
