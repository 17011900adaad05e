import type { BlueprintDoc, MetadataDoc, ModuleDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { metaMsg } from '../meta/meta-messages.js';
import type { Plan } from '../meta/plan.js';
import { q, qt } from '../sql-names.js';

/** States listed per blueprint in the plan. */
const STATES_LISTED = 50;

/**
 * For every blueprint the plan publishes, counts the stored records per state of its field and
 * attaches them to the step as `impact` (rule `blueprint_states`): a warning naming the records
 * that sit in a state no transition leaves or reaches (nor is the initial state) — they stay
 * where they are, and only an administrator's edit outside the blueprint (or a new transition)
 * moves them. Counts run on the rows as stored before the change. `documents`: the stored ones.
 */
export async function measureBlueprints(
  db: Db,
  schema: string,
  planned: Plan,
  documents: readonly MetadataDoc[],
): Promise<void> {
  // The module as the change leaves it, else as stored.
  const desired = planned.steps.flatMap((s) =>
    s.step.kind === 'put_document' ? [s.step.document] : [],
  );
  for (const entry of planned.steps) {
    const step = entry.step;
    if (step.kind !== 'put_document' || step.document.kind !== 'blueprint') continue;
    const bp = step.document as BlueprintDoc;
    const module = [...desired, ...documents].find(
      (d): d is ModuleDoc => d.kind === 'module' && d.name === bp.module,
    );
    const field = module?.fields.find((f) => f.name === bp.field);
    // A field the same change adds has no records yet.
    const exists = await sql`select 1 from information_schema.columns
      where table_schema = ${schema} and table_name = ${bp.module} and column_name = ${bp.field}`.execute(
      db,
    );
    if (!field || exists.rows.length === 0) continue;
    const initial =
      typeof field.default === 'string' ? field.default : (field.options?.[0]?.value ?? '');
    const covered = new Set([initial, ...bp.transitions.flatMap((t) => [...t.from, t.to])]);
    const r = await sql<{ state: string | null; n: number }>`
      select ${sql.raw(q(bp.field))} as state, count(*)::int as n from ${sql.raw(qt(schema, bp.module))}
      where deleted_at is null group by 1 order by 2 desc limit ${STATES_LISTED}`.execute(db);
    const stuck = r.rows.filter((row) => row.state === null || !covered.has(row.state));
    const records = stuck.reduce((sum, row) => sum + row.n, 0);
    entry.impact = [
      {
        rule: 'blueprint_states',
        records,
        more: r.rows.length === STATES_LISTED,
        examples: r.rows.map((row) => ({ value: row.state, records: row.n })),
        outcome: records === 0 ? 'ok' : 'warning',
        ...(records === 0
          ? metaMsg('blueprintAllCovered', { module: bp.module })
          : metaMsg('blueprintStuck', {
              records,
              module: bp.module,
              states: stuck.map((s) => `"${s.state ?? ''}" (${s.n})`),
              blueprint: bp.name,
            })),
      },
    ];
  }
}
