import { createUser } from '@atrium/engine';

type Db = Parameters<typeof createUser>[0];

/** Sales teams under the CEO: one manager role and one rep role each. */
const TEAMS = 3;
/** Users in the hierarchy: the CEO, a manager per team, the rest reps spread over the teams. */
export const HIERARCHY_USERS = 50;
/** The rep the `list scoped` scenario signs in as (team 1). */
export const REP_EMAIL = 'rep1@bench.local';

const full = {
  create: true,
  read: true,
  update: true,
  delete: true,
  import: true,
  export: true,
};

/**
 * The access documents applied with the bench modules: roles ceo > manager_N > rep_N, a
 * profile `bench_sales` with every right on both modules, and a `private` default for deals with
 * two rules — big deals to team 1's manager, and east deals of high score to team 1's reps (the
 * measured rep's role, so their scope is their own deals OR that rule).
 */
export function accessDocuments(): Record<string, unknown>[] {
  const roles: Record<string, unknown>[] = [{ kind: 'role', name: 'ceo' }];
  for (let t = 1; t <= TEAMS; t++) {
    roles.push({ kind: 'role', name: `manager_${t}`, parent: 'ceo' });
    roles.push({ kind: 'role', name: `rep_${t}`, parent: `manager_${t}` });
  }
  return [
    ...roles,
    {
      kind: 'profile',
      name: 'bench_sales',
      modules: { bench_deals: full, bench_accounts: full },
    },
    {
      kind: 'sharing',
      module: 'bench_deals',
      default: 'private',
      rules: [
        {
          name: 'big_deals',
          when: { '>=': [{ var: 'amount' }, 500000] },
          to: { role: 'manager_1' },
          access: 'read',
        },
        {
          name: 'east_hot',
          when: {
            and: [{ '==': [{ var: 'region' }, 'east'] }, { '>=': [{ var: 'score' }, 95] }],
          },
          to: { role: 'rep_1' },
          access: 'read',
        },
      ],
    },
  ];
}

/**
 * Creates the hierarchy's users (the CEO, a manager per team, reps round the teams); only the
 * measured rep gets a password. Returns every user's id, for the seed to spread deals over.
 */
export async function createHierarchy(db: Db, repPassword: string): Promise<string[]> {
  const ids: string[] = [];
  const add = async (email: string, role: string, password?: string) => {
    const user = await createUser(db, {
      email,
      name: email.split('@')[0],
      role,
      profile: 'bench_sales',
      ...(password !== undefined && { password }),
    });
    ids.push(user.id);
  };
  await add('ceo@bench.local', 'ceo');
  for (let t = 1; t <= TEAMS; t++) await add(`manager${t}@bench.local`, `manager_${t}`);
  for (let r = 1; ids.length < HIERARCHY_USERS; r++) {
    const email = `rep${r}@bench.local`;
    await add(email, `rep_${1 + ((r - 1) % TEAMS)}`, email === REP_EMAIL ? repPassword : undefined);
  }
  return ids;
}
