import { evaluate, type JsonLogic, truthy } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { RequestContext } from '../engine.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { canonicalTimes, type Values } from '../records/values.js';
import { q } from '../sql-names.js';

/**
 * The data an automation's expressions read: the record (datetimes as canonical ISO strings, as
 * rules read them) and, under `<lookup>__`, the records its lookups point at, one level deep —
 * read through the module's one lookup join, so a target in the recycle bin is no target.
 * Only the lookups the automation reads are fetched.
 */
export async function recordData(
  trx: Db,
  m: CompiledModule,
  lookups: readonly string[],
  values: Values,
): Promise<Values> {
  const data = canonicalTimes(m, { ...values });
  for (const name of lookups) {
    const join = m.lookups.get(name);
    const id = values[name];
    if (!join || typeof id !== 'string') {
      data[`${name}__`] = null;
      continue;
    }
    // The join reads `r.<lookup>`: a one-row derived table stands in for the record.
    const r = await sql<{ v: Values | null }>`select ${sql.raw(join.json)} as v
      from (select ${id}::uuid as ${sql.raw(q(name))}) r ${sql.raw(join.join)}`.execute(trx);
    data[`${name}__`] = r.rows[0]?.v ?? null;
  }
  return data;
}

/** Evaluates an expression of an automation on its data, on the caller's calendar. */
export function evaluateOn(expression: JsonLogic, data: Values, ctx: RequestContext): unknown {
  return evaluate(expression, data, ctx.timeZone ? { timeZone: ctx.timeZone } : {});
}

/** The condition holds (no condition: always). */
export function conditionHolds(
  when: JsonLogic | undefined,
  data: Values,
  ctx: RequestContext,
): boolean {
  return when === undefined || truthy(evaluateOn(when, data, ctx));
}

/** `{{name}}` and `{{account.name}}` replaced by the record's values ('' when empty). */
export function mergeFields(text: string, data: Values): string {
  return text.replace(/\{\{\s*([a-z][a-z0-9_]*)(?:\.([a-z][a-z0-9_]*))?\s*\}\}/g, (_, a, b) => {
    const v = b === undefined ? data[a] : (data[`${a}__`] as Values | null)?.[b];
    return v === null || v === undefined ? '' : Array.isArray(v) ? v.join(', ') : String(v);
  });
}
