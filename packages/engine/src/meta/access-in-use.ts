import type { Problem } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { Plan } from './plan.js';

/**
 * The refusals of a change that removes a role or a profile some users still have: they would
 * keep a name no document defines (a profile-less user can do nothing, a role-less one sees only
 * their own records) until a later document of that name gave them powers nobody chose for them.
 * The administrator moves those users first (`PATCH /api/users/:id`).
 */
export async function accessInUseProblems(trx: Db, planned: Plan): Promise<Problem[]> {
  const problems: Problem[] = [];
  for (const { step } of planned.steps) {
    if (step.kind !== 'delete_document') continue;
    const [kind, name] = step.key.split(':');
    if ((kind !== 'role' && kind !== 'profile') || !name) continue;
    const column = sql.raw(kind);
    const r = await sql<{ n: number }>`select count(*)::int as n from atrium.users
      where ${column} = ${name}`.execute(trx);
    const n = r.rows[0]?.n ?? 0;
    if (n > 0)
      problems.push({
        path: `existing[${step.key}]`,
        message: `${n} user${n === 1 ? ' has' : 's have'} the ${kind} "${name}"; give them another ${kind} first`,
      });
  }
  return problems;
}
