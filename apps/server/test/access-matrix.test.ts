import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The permission matrix: role position × profile × org-wide default × sharing rule × operation,
 * against real Postgres. The expected answer of every case comes from a small model of the rules
 * written here, apart from the engine; a case the engine answers otherwise is a leak (it showed
 * or let change what it should not) or a wrong refusal.
 */

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'industry', type: 'text' },
  ],
};
const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'integer' },
    { name: 'margin', type: 'integer' },
    { name: 'discount', type: 'integer' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};

/** The role tree: ceo > manager > rep_a, rep_b; `other` stands apart. */
const PARENT: Record<string, string | undefined> = {
  ceo: undefined,
  manager: 'ceo',
  rep_a: 'manager',
  rep_b: 'manager',
  other: undefined,
};
const ROLE_DOCS = Object.entries(PARENT).map(([name, parent]) => ({
  kind: 'role',
  name,
  ...(parent && { parent }),
}));

type Ops = { create: boolean; read: boolean; update: boolean; delete: boolean };
const ops = (create: boolean, read: boolean, update: boolean, del: boolean) => ({
  create,
  read,
  update,
  delete: del,
  import: false,
  export: false,
});
const PROFILES: Record<
  string,
  { deals: Ops; accounts?: Ops; fields?: Record<string, Record<string, string>> }
> = {
  sales: {
    deals: ops(true, true, true, true),
    accounts: ops(false, true, false, false),
    fields: { deals: { margin: 'hidden', discount: 'read' } },
  },
  viewer: { deals: ops(false, true, false, false) },
};
const PROFILE_DOCS = Object.entries(PROFILES).map(([name, p]) => ({
  kind: 'profile',
  name,
  modules: { deals: p.deals, ...(p.accounts && { accounts: p.accounts }) },
  ...(p.fields && { fields: p.fields }),
}));

interface Rule {
  name: string;
  big: boolean;
  role: string;
  subordinates: boolean;
  access: 'read' | 'read_write';
}
const RULES: (Rule | undefined)[] = [
  undefined,
  { name: 'big_to_manager', big: true, role: 'manager', subordinates: false, access: 'read' },
  { name: 'big_to_ceo_tree', big: true, role: 'ceo', subordinates: true, access: 'read_write' },
  { name: 'small_to_other', big: false, role: 'other', subordinates: false, access: 'read_write' },
];
const DEFAULTS = ['private', 'read', 'read_write'] as const;
const BIG = 5000;

interface User {
  key: string;
  id: string;
  token: string;
  role: string | null;
  profile: string | null;
}
interface Rec {
  id: string;
  name: string;
  version: number;
  amount: number;
  owner: User;
  account: string;
}

// ---- the model -------------------------------------------------------------------------------
const below = (a: string | null, b: string | null): boolean => {
  if (!a || !b) return false;
  for (let p = PARENT[a]; p; p = PARENT[p]) if (p === b) return true;
  return false;
};
const ownerVisible = (u: User, owner: User) => owner.id === u.id || below(owner.role, u.role);
const may = (u: User, module: 'deals' | 'accounts', op: keyof Ops) =>
  u.profile !== null && PROFILES[u.profile]?.[module]?.[op] === true;
function ruleGives(u: User, d: Rec, rule: Rule | undefined, level: 'read' | 'write'): boolean {
  if (!rule || !u.role) return false;
  if (rule.big !== d.amount >= BIG) return false;
  if (level === 'write' && rule.access !== 'read_write') return false;
  return u.role === rule.role || (rule.subordinates && below(u.role, rule.role));
}
function canRead(u: User, d: Rec, def: string, rule: Rule | undefined): boolean {
  if (!may(u, 'deals', 'read')) return false;
  return def !== 'private' || ownerVisible(u, d.owner) || ruleGives(u, d, rule, 'read');
}
function canWrite(u: User, d: Rec, def: string, rule: Rule | undefined): boolean {
  if (!may(u, 'deals', 'read')) return false;
  return def === 'read_write' || ownerVisible(u, d.owner) || ruleGives(u, d, rule, 'write');
}
/** Accounts are private: one's own and those of the roles below. */
const canReadAccount = (u: User, owner: User) =>
  may(u, 'accounts', 'read') && ownerVisible(u, owner);
const writeStatus = (
  u: User,
  d: Rec,
  def: string,
  rule: Rule | undefined,
  op: keyof Ops,
  ok: number,
) =>
  !may(u, 'deals', op)
    ? 403
    : !canRead(u, d, def, rule)
      ? 404
      : !canWrite(u, d, def, rule)
        ? 403
        : ok;

// -----------------------------------------------------------------------------------------------

describe('access: the permission matrix', () => {
  let t: TestApp;
  const users: User[] = [];
  const deals: Rec[] = [];
  const accountOwner = new Map<string, User>();

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, DEALS, ...ROLE_DOCS, ...PROFILE_DOCS]);
    for (const role of [...Object.keys(PARENT), null])
      for (const profile of ['sales', 'viewer', null]) {
        const key = `${role ?? 'norole'}-${profile ?? 'noprofile'}`;
        const token = await t.userToken(`${key}@example.com`, {
          ...(role && { role }),
          ...(profile && { profile }),
        });
        const me = await t.call('GET', '/api/auth/me', undefined, token);
        users.push({ key, id: me.body.id, token, role, profile });
      }
    const owners = users.filter((u) => u.profile === 'sales');
    const accounts: string[] = [];
    for (const o of owners) {
      const r = await t.call('POST', '/api/records/accounts', {
        name: `${o.key} inc`,
        owner_id: o.id,
      });
      expect(r.status).toBe(201);
      accounts.push(r.body.id);
      accountOwner.set(r.body.id, o);
    }
    for (const [i, o] of owners.entries())
      for (const amount of [BIG, 10]) {
        const name = `${o.key}-${amount >= BIG ? 'big' : 'small'}`;
        const account = accounts[(i + 1) % accounts.length] as string;
        const r = await t.call('POST', '/api/records/deals', {
          name,
          amount,
          margin: 7,
          discount: 1,
          account,
          owner_id: o.id,
        });
        expect(r.status).toBe(201);
        deals.push({ id: r.body.id, name, version: r.body.version, amount, owner: o, account });
      }
  });
  afterAll(async () => t?.close());

  it('shows each user the OpenAPI their profile allows', async () => {
    for (const u of users) {
      const doc = (await t.call('GET', '/api/openapi.json', undefined, u.token)).body;
      const methods = (path: string) =>
        Object.keys(doc.paths[path] ?? {})
          .filter((k) => k !== 'parameters')
          .sort();
      const expected: string[] = [];
      if (may(u, 'deals', 'delete')) expected.push('delete');
      if (may(u, 'deals', 'read')) expected.push('get');
      if (may(u, 'deals', 'update')) expected.push('patch');
      expect(methods('/api/records/deals/{id}'), u.key).toEqual(expected);
      expect(methods('/api/records/accounts').includes('get'), u.key).toBe(
        may(u, 'accounts', 'read'),
      );
      if (may(u, 'deals', 'read'))
        expect('margin' in doc.components.schemas.Deals.properties, u.key).toBe(
          u.profile !== 'sales',
        );
    }
  });

  it('answers every case as the model does: no leak, no wrong refusal', async () => {
    const failures: string[] = [];
    let cases = 0;
    const check = (what: string, actual: unknown, expected: unknown) => {
      cases++;
      if (JSON.stringify(actual) !== JSON.stringify(expected))
        failures.push(
          `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
        );
    };
    const sorted = (ids: string[]) => [...ids].sort();

    for (const def of DEFAULTS)
      for (const rule of RULES) {
        await t.apply([
          {
            kind: 'sharing',
            module: 'deals',
            default: def,
            rules: rule
              ? [
                  {
                    name: rule.name,
                    when: rule.big
                      ? { '>=': [{ var: 'amount' }, BIG] }
                      : { '<': [{ var: 'amount' }, BIG] },
                    to: { role: rule.role, subordinates: rule.subordinates },
                    access: rule.access,
                  },
                ]
              : [],
          },
          { kind: 'sharing', module: 'accounts', default: 'private' },
        ]);
        const cfg = `${def}/${rule?.name ?? 'no rule'}`;
        await Promise.all(
          users.map(async (u) => {
            const at = `${cfg} ${u.key}`;
            const readable = deals.filter((d) => canRead(u, d, def, rule));
            const list = await t.call(
              'GET',
              '/api/records/deals?limit=100&count=true',
              undefined,
              u.token,
            );
            if (!may(u, 'deals', 'read')) {
              check(`${at} list`, list.status, 403);
              check(
                `${at} get`,
                (await t.call('GET', `/api/records/deals/${deals[0]?.id}`, undefined, u.token))
                  .status,
                403,
              );
              return;
            }
            check(
              `${at} list`,
              sorted(list.body.data.map((r: { id: string }) => r.id)),
              sorted(readable.map((d) => d.id)),
            );
            check(`${at} count`, list.body.count, { value: readable.length, exact: true });
            const search = await t.call(
              'GET',
              '/api/records/deals?q=big&limit=100',
              undefined,
              u.token,
            );
            check(
              `${at} search`,
              sorted(search.body.data.map((r: { id: string }) => r.id)),
              sorted(readable.filter((d) => d.amount >= BIG).map((d) => d.id)),
            );
            for (const [i, d] of deals.entries()) {
              const get = await t.call(
                'GET',
                `/api/records/deals/${d.id}?expand=account`,
                undefined,
                u.token,
              );
              const ok = canRead(u, d, def, rule);
              check(`${at} get ${d.name}`, get.status, ok ? 200 : 404);
              if (ok) {
                const accountOk = canReadAccount(u, accountOwner.get(d.account) as User);
                check(
                  `${at} expand ${d.name}`,
                  get.body.account?.id ?? null,
                  accountOk ? d.account : null,
                );
                const masked = u.profile === 'sales';
                check(`${at} margin of ${d.name}`, 'margin' in get.body, !masked);
                check(`${at} discount of ${d.name}`, get.body.discount, 1);
              }
              // History: the first deals of each owner are enough to cover every position.
              if (i % 3 === 0) {
                const history = await t.call(
                  'GET',
                  `/api/records/deals/${d.id}/history`,
                  undefined,
                  u.token,
                );
                check(`${at} history ${d.name}`, history.status, ok ? 200 : 404);
                if (ok)
                  check(
                    `${at} history margin ${d.name}`,
                    history.body.data.some((e: { changes: object }) => 'margin' in e.changes),
                    u.profile !== 'sales',
                  );
              }
              // An update that changes nothing still locks the row within the caller's scope.
              const patch = await t.call(
                'PATCH',
                `/api/records/deals/${d.id}`,
                { name: d.name, version: d.version },
                u.token,
              );
              check(
                `${at} update ${d.name}`,
                patch.status,
                writeStatus(u, d, def, rule, 'update', 200),
              );
              // A stale version: 409 only for a caller who may delete the record at all.
              const bulk = await t.call(
                'POST',
                '/api/records/deals/bulk',
                { delete: [{ id: d.id, version: 999 }] },
                u.token,
              );
              check(
                `${at} bulk delete ${d.name}`,
                bulk.status,
                writeStatus(u, d, def, rule, 'delete', 409),
              );
              // Taking the record over (a stale version, so nothing changes): refused unless
              // the caller may edit it.
              const owner = await t.call(
                'PATCH',
                `/api/records/deals/${d.id}`,
                { owner_id: u.id, version: 999 },
                u.token,
              );
              check(
                `${at} owner change ${d.name}`,
                owner.status,
                writeStatus(u, d, def, rule, 'update', 409),
              );
            }
          }),
        );
      }
    expect(failures.slice(0, 20)).toEqual([]);
    expect(cases).toBeGreaterThanOrEqual(200);
    console.log(`access matrix: ${cases} cases, ${failures.length} failures`);
  }, 300_000);
});
