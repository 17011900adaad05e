import { messageIn } from '@atrium/metadata';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'currency' },
    {
      name: 'stage',
      type: 'picklist',
      options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
    },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: true, export: true };
const ACCESS = [
  { kind: 'role', name: 'manager' },
  { kind: 'role', name: 'rep', parent: 'manager' },
  { kind: 'profile', name: 'sales', modules: { deals: all } },
  {
    kind: 'profile',
    name: 'blind',
    modules: { deals: all },
    fields: { deals: { stage: 'hidden' } },
  },
  { kind: 'sharing', module: 'deals', default: 'private' },
];
const REPORTS = [
  { kind: 'report', module: 'deals', name: 'funnel', type: 'funnel', field: 'stage' },
  {
    kind: 'report',
    module: 'deals',
    name: 'small_funnel',
    type: 'funnel',
    field: 'stage',
    filter: { '<': [{ var: 'amount' }, 60] },
  },
];

/** A deal's story: its stage entries as [stage, day] (the first is its creation), its owner. */
interface Story {
  moves: [string, string][];
  rep?: true;
  amount: number;
  binned?: true;
}

/**
 * January 2026 (UTC). A000–A119 enter a on the 5th (the even ones are the rep's); A000–A044
 * then enter b on the 10th, A000–A009 c on the 20th. L0–L2 enter b on the 2nd, then a on the 6th
 * (a b before the a is no advance). P0–P1 entered a in December and b on the 8th. Q0 enters a
 * in December, b, a again on the 15th and b again on the 25th. N0 enters a on the 28th and b in
 * February (still an advance: the next stage may come after the period). F0 enters a in
 * February; D0 enters a on the 5th and is in the recycle bin.
 */
function stories(): Map<string, Story> {
  const s = new Map<string, Story>();
  for (let i = 0; i < 120; i++) {
    const moves: [string, string][] = [['a', '2026-01-05']];
    if (i < 45) moves.push(['b', '2026-01-10']);
    if (i < 10) moves.push(['c', '2026-01-20']);
    s.set(`A${String(i).padStart(3, '0')}`, {
      moves,
      amount: i,
      ...(i % 2 === 0 && { rep: true }),
    });
  }
  for (let i = 0; i < 3; i++)
    s.set(`L${i}`, {
      moves: [
        ['b', '2026-01-02'],
        ['a', '2026-01-06'],
      ],
      amount: 1000,
      ...(i === 0 && { rep: true as const }),
    });
  for (let i = 0; i < 2; i++)
    s.set(`P${i}`, {
      moves: [
        ['a', '2025-12-20'],
        ['b', '2026-01-08'],
      ],
      amount: 1000,
    });
  s.set('Q0', {
    moves: [
      ['a', '2025-12-20'],
      ['b', '2026-01-08'],
      ['a', '2026-01-15'],
      ['b', '2026-01-25'],
    ],
    amount: 1000,
  });
  s.set('N0', {
    moves: [
      ['a', '2026-01-28'],
      ['b', '2026-02-05'],
    ],
    amount: 1000,
  });
  s.set('F0', { moves: [['a', '2026-02-03']], amount: 1000 });
  s.set('D0', { moves: [['a', '2026-01-05']], amount: 1000, binned: true });
  return s;
}

const CJK = /[\u3400-\u9fff]/;

/**
 * The funnel's drill-downs are list filters over the field history (`entered`), so they page
 * through any number of records: exactly the records behind each figure, for each caller.
 */
describe('reports: a funnel drills down to every record behind a figure', () => {
  let t: TestApp;
  let rep: string;
  let blind: string;
  const story = stories();
  const january = 'period=2026-01-01..2026-01-31';

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, ...ACCESS, ...REPORTS]);
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
    blind = await t.userToken('blind@example.com', { role: 'manager', profile: 'blind' });
    const repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id as string;
    const names = [...story.keys()];
    const created = await t.call('POST', '/api/records/deals/bulk', {
      create: names.map((name) => {
        const s = story.get(name) as Story;
        return {
          name,
          amount: s.amount,
          stage: s.moves[0]?.[0],
          ...(s.rep && { owner_id: repId }),
        };
      }),
    });
    expect(created.status, JSON.stringify(created.body).slice(0, 500)).toBe(200);
    const records = new Map<string, { id: string; version: number }>(
      (created.body.created as { name: string; id: string; version: number }[]).map((r) => [
        r.name,
        r,
      ]),
    );
    // Each later move, one bulk update per step of the stories.
    for (let step = 1; step < 4; step++) {
      const update = names
        .filter((n) => (story.get(n)?.moves.length ?? 0) > step)
        .map((n) => {
          const r = records.get(n) as { id: string; version: number };
          r.version += 1;
          return { id: r.id, version: r.version - 1, stage: story.get(n)?.moves[step]?.[0] };
        });
      if (update.length === 0) continue;
      const r = await t.call('POST', '/api/records/deals/bulk', { update });
      expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    }
    // The stage entries of each record, oldest first, get the days of its story.
    const history = sql.raw('"ws_main"."_history"');
    const entries = await sql<{ id: string; record_id: string }>`select id, record_id
      from ${history} where module = 'deals' and changes ? 'stage' order by record_id, id`.execute(
      t.handle.db,
    );
    const nameOf = new Map([...records].map(([n, r]) => [r.id, n]));
    const seen = new Map<string, number>();
    const ids: string[] = [];
    const ats: string[] = [];
    for (const e of entries.rows) {
      const name = nameOf.get(e.record_id) as string;
      const k = seen.get(name) ?? 0;
      seen.set(name, k + 1);
      ids.push(String(e.id));
      ats.push(`${story.get(name)?.moves[k]?.[1]}T09:00:00Z`);
    }
    await sql`update ${history} h set at = v.at from unnest(${ids}::bigint[], ${ats}::timestamptz[])
      as v(id, at) where h.id = v.id`.execute(t.handle.db);
    const d0 = records.get('D0') as { id: string; version: number };
    const binned = await t.call('POST', '/api/records/deals/bulk', {
      delete: [{ id: d0.id, version: d0.version }],
    });
    expect(binned.status, JSON.stringify(binned.body)).toBe(200);
  });
  afterAll(async () => t?.close());

  const report = async (name: string, query: string, token = t.token) => {
    const r = await t.call('GET', `/api/reports/${name}?${query}`, undefined, token);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body as {
      rows: { stage: string; entered: number; advanced: number | null; $drill: Drills }[];
    };
  };
  type Drills = Record<string, { module: string; filter: unknown }>;

  /** Every record name a list filter gives the caller, page after page of 50. */
  async function listAll(
    filter: unknown,
    token = t.token,
  ): Promise<{ names: string[]; pages: number }> {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.call(
        'GET',
        `/api/records/deals?fields=name&limit=50&filter=${filterParam(filter)}${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        token,
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      names.push(...(page.body.data as { name: string }[]).map((d) => d.name));
      cursor = page.body.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    return { names: names.sort(), pages };
  }

  const names = (pick: (name: string, s: Story) => boolean) =>
    [...story]
      .filter(([n, s]) => pick(n, s))
      .map(([n]) => n)
      .sort();
  const enteredA = names((n) => /^(A|L|Q|N)/.test(n));
  const advancedA = names(
    (n, s) => (n.startsWith('A') && s.amount < 45) || n === 'Q0' || n === 'N0',
  );

  it('lists exactly the records that entered a stage in the period, past 100, by cursor', async () => {
    const body = await report('funnel', january);
    const [a, b, c] = body.rows;
    expect(body.rows.map((r) => [r.stage, r.entered, r.advanced])).toEqual([
      ['a', 125, 47],
      ['b', 51, 10],
      ['c', 10, null],
    ]);
    expect(a?.$drill.entered?.module).toBe('deals');
    const entered = await listAll(a?.$drill.entered?.filter);
    expect(entered.pages).toBe(3);
    expect(entered.names).toEqual(enteredA);
    // The median's records are the entered ones.
    expect(a?.$drill.median_days).toEqual(a?.$drill.entered);
    expect((await listAll(b?.$drill.entered?.filter)).names).toEqual(
      names((n, s) => (n.startsWith('A') && s.amount < 45) || /^(L|P|Q)/.test(n)),
    );
    expect((await listAll(c?.$drill.entered?.filter)).names).toEqual(
      names((n, s) => n.startsWith('A') && s.amount < 10),
    );
  });

  it('lists exactly the records that then moved on to the next stage', async () => {
    const [a, b, c] = (await report('funnel', january)).rows;
    expect(a?.$drill.conversion).toEqual(a?.$drill.advanced);
    expect((await listAll(a?.$drill.advanced?.filter)).names).toEqual(advancedA);
    expect((await listAll(b?.$drill.advanced?.filter)).names).toEqual(
      names((n, s) => n.startsWith('A') && s.amount < 10),
    );
    // The last stage has no next one: nothing to drill into.
    expect(c?.$drill.advanced).toBeUndefined();
    // Without a period: all history (P entered a in December, F in February).
    const [allA] = (await report('funnel', 'period=all')).rows;
    expect(allA?.entered).toBe(128);
    expect((await listAll(allA?.$drill.entered?.filter)).names).toEqual(
      names((_, s) => !s.binned && s.moves.some(([stage]) => stage === 'a')),
    );
  });

  it("ANDs the report's filter and the dashboard's owner as the figures do", async () => {
    const [a] = (await report('small_funnel', january)).rows;
    expect([a?.entered, a?.advanced]).toEqual([60, 45]);
    expect((await listAll(a?.$drill.entered?.filter)).names).toEqual(
      names((n, s) => n.startsWith('A') && s.amount < 60),
    );
    expect((await listAll(a?.$drill.advanced?.filter)).names).toEqual(
      names((n, s) => n.startsWith('A') && s.amount < 45),
    );
    const [mine] = (await report('funnel', `${january}&owner=me`)).rows;
    const ownA = enteredA.filter((n) => !story.get(n)?.rep);
    expect(mine?.entered).toBe(ownA.length);
    expect((await listAll(mine?.$drill.entered?.filter)).names).toEqual(ownA);
  });

  it("lists a rep only what the rep may read, from the rep's drill and from another's", async () => {
    const [a] = (await report('funnel', january, rep)).rows;
    const repsA = enteredA.filter((n) => story.get(n)?.rep);
    expect(repsA).toHaveLength(61);
    expect([a?.entered, a?.advanced]).toEqual([
      61,
      advancedA.filter((n) => story.get(n)?.rep).length,
    ]);
    expect((await listAll(a?.$drill.entered?.filter, rep)).names).toEqual(repsA);
    expect((await listAll(a?.$drill.advanced?.filter, rep)).names).toEqual(
      advancedA.filter((n) => story.get(n)?.rep),
    );
    // The administrator's drill-down, opened by the rep: still only the rep's records.
    const [adminA] = (await report('funnel', january)).rows;
    expect((await listAll(adminA?.$drill.entered?.filter, rep)).names).toEqual(repsA);
  });

  it('refuses the filter on a hidden field, a bad value or a bad instant, at its path', async () => {
    const refused = async (filter: unknown, token = t.token) => {
      const r = await t.call(
        'GET',
        `/api/records/deals?filter=${filterParam(filter)}`,
        undefined,
        token,
      );
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_FILTER');
      return r.body.error.details[0] as { path: string; message: string };
    };
    const ok = { entered: [{ var: 'stage' }, 'a', null, null] };
    expect(await refused(ok, blind)).toEqual({
      path: 'filter.entered[0]',
      message: 'unknown field "stage"',
    });
    expect((await refused({ entered: [{ var: 'stage' }, 'z', null, null] })).path).toBe(
      'filter.entered[1]',
    );
    expect((await refused({ entered: [{ var: 'stage' }, 'a', '2026-01-01', null] })).path).toBe(
      'filter.entered[2]',
    );
    expect((await refused({ entered: [{ var: 'amount' }, 'a', null, null] })).path).toBe(
      'filter.entered[0]',
    );
  });

  it('is refused at plan in a sharing rule and in conditions evaluated in memory, en and zh-CN', async () => {
    const entered = { entered: [{ var: 'stage' }, 'a', null, null] };
    const documents = [
      {
        kind: 'sharing',
        module: 'deals',
        default: 'private',
        rules: [{ name: 'moved', when: entered, to: { role: 'manager' }, access: 'read' }],
      },
      {
        kind: 'automation',
        module: 'deals',
        name: 'on_entry',
        trigger: { on: 'update' },
        when: { and: [{ '>': [{ var: 'amount' }, 1] }, entered] },
        actions: [{ type: 'update_fields', values: { amount: 1 } }],
      },
      {
        kind: 'automation',
        module: 'deals',
        name: 'nightly',
        trigger: { on: 'schedule', cron: '0 3 * * *' },
        when: entered,
        actions: [{ type: 'update_fields', values: { amount: 1 } }],
      },
    ];
    const plan = (lang: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/meta/plan',
        headers: { authorization: `Bearer ${t.token}`, 'accept-language': lang },
        payload: { documents },
      });
    const en = await plan('en');
    expect(en.statusCode, en.body).toBe(400);
    expect(en.json().error.code).toBe('INVALID_METADATA');
    const said =
      '"entered" reads the field history, which only a list filter, a saved view or a report can do: a condition on one record or a sharing rule cannot use it';
    // Access documents are checked after the others.
    const paths = [
      'documents[1].when.and[1].entered',
      'documents[2].when.entered',
      'documents[0].rules[0].when.entered',
    ];
    expect(en.json().error.details).toEqual(paths.map((path) => ({ path, message: said })));
    const zh = await plan('zh-CN');
    const zhSaid = messageIn(
      { message: '', key: 'filter.historyOnlyInLists', params: { op: 'entered' } },
      'zh-CN',
    );
    expect(zhSaid).toMatch(CJK);
    expect(zh.json().error.details).toEqual(paths.map((path) => ({ path, message: zhSaid })));
  });
});
