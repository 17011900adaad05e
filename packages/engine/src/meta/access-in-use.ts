import type { Problem } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { metaMsg } from './meta-messages.js';
import type { Plan } from './plan.js';

/** The message keys for one user and for several, by the kind of document removed. */
const IN_USE = {
  role: ['roleInUseOne', 'roleInUse'],
  profile: ['profileInUseOne', 'profileInUse'],
} as const;

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
      problems.push(
        metaMsg.at(`existing[${step.key}]`, IN_USE[kind][n === 1 ? 0 : 1], { n, name }),
      );
  }
  return problems;
}
