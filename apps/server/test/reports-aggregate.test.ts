import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text' }],
};
const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'currency' },
    { name: 'margin', type: 'integer' },
    {
      name: 'stage',
      type: 'picklist',
      label: { en: 'Stage', 'zh-CN': '阶段' },
      // Option order is not alphabetical: groups must follow it.
      options: [
        { value: 'qualification', label: { en: 'Qualification', 'zh-CN': '初步沟通' } },
        { value: 'proposal', label: { en: 'Proposal', 'zh-CN': '方案报价' } },
        { value: 'won', label: { en: 'Won', 'zh-CN': '赢单' } },
      ],
    },
    { name: 'probability', type: 'percent' },
    { name: 'close_date', type: 'date' },
    { name: 'signed_at', type: 'datetime' },
    { name: 'account', type: 'lookup', target: 'accounts' },
    { name: 'name_text', type: 'text' },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: true, export: true };
const ACCESS = [
  { kind: 'role', name: 'manager' },
  { kind: 'role', name: 'rep', parent: 'manager' },
  {
    kind: 'profile',
    name: 'sales',
    modules: { deals: all, accounts: all },
    fields: { deals: { margin: 'hidden' } },
  },
  { kind: 'sharing', module: 'deals', default: 'private' },
];

/**
 * The seeded deals. Hand-computed answers below assume EUR at 1.10 until 2026-06-01 and 1.20
 * from then on, home USD.
 */
const SEED = [
  {
    name: 'A1',
    stage: 'qualification',
    amount: 100,
    currency_code: 'USD',
    close_date: '2026-01-15',
    acct: 'Acme',
    signed_at: '2026-01-31T20:00:00Z',
  },
  {
    name: 'A2',
    stage: 'qualification',
    amount: 200,
    currency_code: 'EUR',
    close_date: '2026-01-31',
    acct: 'Acme',
    signed_at: '2026-01-10T00:00:00Z',
  },
  {
    name: 'A3',
    stage: 'proposal',
    amount: 300,
    currency_code: 'USD',
    close_date: '2026-02-01',
    acct: 'Beta',
    rep: true,
    signed_at: '2026-02-28T23:30:00Z',
  },
  { name: 'A4', stage: 'proposal', currency_code: 'USD', acct: 'Beta' },
  {
    name: 'A5',
    stage: 'won',
    amount: 1000,
    currency_code: 'EUR',
    close_date: '2026-03-31',
    margin: 7,
  },
  {
    name: 'A6',
    stage: 'won',
    amount: 50,
    currency_code: 'USD',
    close_date: '2026-03-01',
    acct: 'Acme',
    rep: true,
    margin: 3,
  },
];

describe('reports: aggregates through the one read path', () => {
  let t: TestApp;
  let rep: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, DEALS, ...ACCESS]);
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
    const repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id;
    const accounts: Record<string, string> = {};
    for (const name of ['Acme', 'Beta']) {
      const r = await t.call('POST', '/api/records/accounts', { name });
      accounts[name] = r.body.id;
    }
    for (const { acct, rep: byRep, ...d } of SEED) {
      const body = {
        ...d,
        ...(acct && { account: accounts[acct] }),
        ...(byRep && { owner_id: repId }),
      };
      const r = await t.call('POST', '/api/records/deals', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const fx = await t.call('PUT', '/api/currencies', {
      home: 'USD',
      rates: [
        { currency: 'EUR', rate: 1.1, date: '2026-01-01' },
        { currency: 'EUR', rate: 1.2, date: '2026-06-01' },
      ],
    });
    expect(fx.status, JSON.stringify(fx.body)).toBe(200);
  });
  afterAll(async () => t?.close());

  const agg = (query: string, token = t.token, lang?: string) =>
    t.app
      .inject({
        method: 'GET',
        url: `/api/records/deals/aggregate?${query}`,
        headers: { authorization: `Bearer ${token}`, ...(lang && { 'accept-language': lang }) },
      })
      .then((r) => ({ status: r.statusCode, body: r.json() }));

  const plain = (rows: Record<string, unknown>[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('$'))));

  it('groups by a picklist in option order, counting and summing money converted at asOf', async () => {
    const r = await agg('groupBy=stage&measures=count,sum:amount&asOf=2026-03-01');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.currency).toBe('USD');
    expect(plain(r.body.rows)).toEqual([
      { stage: 'qualification', count: 2, 'sum:amount': 320 },
      { stage: 'proposal', count: 2, 'sum:amount': 300 },
      { stage: 'won', count: 2, 'sum:amount': 1150 },
    ]);
    expect(r.body.rows.map((x: { $labels: { stage: string } }) => x.$labels.stage)).toEqual([
      'Qualification',
      'Proposal',
      'Won',
    ]);
    expect(r.body.missingRates).toBeUndefined();
    // A later date takes the later rate: 100 + 200 × 1.2, 50 + 1000 × 1.2.
    const later = await agg(
      'groupBy=stage&measures=sum:amount,avg:amount,min:amount,max:amount&asOf=2026-07-01',
    );
    expect(plain(later.body.rows)).toEqual([
      {
        stage: 'qualification',
        'sum:amount': 340,
        'avg:amount': 170,
        'min:amount': 100,
        'max:amount': 240,
      },
      {
        stage: 'proposal',
        'sum:amount': 300,
        'avg:amount': 300,
        'min:amount': 300,
        'max:amount': 300,
      },
      { stage: 'won', 'sum:amount': 1250, 'avg:amount': 625, 'min:amount': 50, 'max:amount': 1200 },
    ]);
  });

  it('labels groups in the caller’s language', async () => {
    const r = await agg('groupBy=stage', t.token, 'zh-CN,zh;q=0.9');
    expect(r.body.rows.map((x: { $labels: { stage: string } }) => x.$labels.stage)).toEqual([
      '初步沟通',
      '方案报价',
      '赢单',
    ]);
    expect(r.body.columns[0]).toMatchObject({ key: 'stage', label: '阶段', role: 'group' });
  });

  it('says which records have no rate instead of adding them as home currency', async () => {
    // Before the first EUR rate: the two EUR deals are counted but left out of the sums.
    const r = await agg('groupBy=stage&measures=count,sum:amount&asOf=2025-12-31&totals=true');
    expect(plain(r.body.rows)).toEqual([
      { stage: 'qualification', count: 2, 'sum:amount': 100 },
      { stage: 'proposal', count: 2, 'sum:amount': 300 },
      { stage: 'won', count: 2, 'sum:amount': 50 },
    ]);
    expect(r.body.missingRates).toEqual({ currencies: ['EUR'], records: 2 });
    expect(plain([r.body.totals])).toEqual([{ count: 6, 'sum:amount': 450 }]);
  });

  it('groups by lookups with the target’s record name, and by the owner with their name', async () => {
    const r = await agg('groupBy=account&measures=count&asOf=2026-03-01');
    expect(
      r.body.rows.map((x: { $labels: { account: string }; count: number }) => [
        x.$labels.account,
        x.count,
      ]),
    ).toEqual([
      ['Acme', 3],
      ['Beta', 2],
      ['(empty)', 1],
    ]);
    const owners = await agg('groupBy=owner_id&measures=count');
    expect(
      owners.body.rows.map((x: { $labels: { owner_id: string }; count: number }) => [
        x.$labels.owner_id,
        x.count,
      ]),
    ).toEqual([
      ['Admin', 4],
      ['rep@example.com', 2],
    ]);
  });

  it('buckets dates by month, and instants on the caller’s calendar', async () => {
    const r = await agg('groupBy=close_date:month&measures=count,sum:amount&asOf=2026-03-01');
    expect(plain(r.body.rows)).toEqual([
      { 'close_date:month': '2026-01-01', count: 2, 'sum:amount': 320 },
      { 'close_date:month': '2026-02-01', count: 1, 'sum:amount': 300 },
      { 'close_date:month': '2026-03-01', count: 2, 'sum:amount': 1150 },
      { 'close_date:month': null, count: 1, 'sum:amount': 0 },
    ]);
    expect(r.body.rows[0].$labels['close_date:month']).toBe('Jan 2026');
    const utc = await agg(
      `groupBy=signed_at:month&filter=${filterParam({ '!=': [{ var: 'signed_at' }, null] })}`,
    );
    expect(plain(utc.body.rows)).toEqual([
      { 'signed_at:month': '2026-01-01', count: 2 },
      { 'signed_at:month': '2026-02-01', count: 1 },
    ]);
    // In Shanghai (UTC+8) A1 is signed on 1 February and A3 on 1 March.
    const me = await t.call('PATCH', '/api/auth/me', { timeZone: 'Asia/Shanghai' });
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    t.engine.zones.forget();
    const sh = await agg(
      `groupBy=signed_at:month&filter=${filterParam({ '!=': [{ var: 'signed_at' }, null] })}`,
    );
    expect(plain(sh.body.rows)).toEqual([
      { 'signed_at:month': '2026-01-01', count: 1 },
      { 'signed_at:month': '2026-02-01', count: 1 },
      { 'signed_at:month': '2026-03-01', count: 1 },
    ]);
    // The drill-down of a bucket lists exactly its records, in the same zone.
    for (const row of sh.body.rows) {
      const list = await t.call(
        'GET',
        `/api/records/deals?count=true&filter=${filterParam(row.$filter)}`,
      );
      expect(list.status, JSON.stringify(list.body)).toBe(200);
      expect(list.body.count.value).toBe(row.count);
    }
    await t.call('PATCH', '/api/auth/me', { timeZone: null });
    t.engine.zones.forget();
  });

  it('groups by two fields, filters, and drills down to the same records', async () => {
    const f = filterParam({ '!=': [{ var: 'stage' }, 'proposal'] });
    const r = await agg(
      `groupBy=stage,account&measures=count,sum:amount&filter=${f}&asOf=2026-03-01`,
    );
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(plain(r.body.rows)).toEqual([
      { stage: 'qualification', account: expect.any(String), count: 2, 'sum:amount': 320 },
      { stage: 'won', account: expect.any(String), count: 1, 'sum:amount': 50 },
      { stage: 'won', account: null, count: 1, 'sum:amount': 1100 },
    ]);
    for (const row of r.body.rows) {
      const list = await t.call(
        'GET',
        `/api/records/deals?count=true&filter=${filterParam(row.$filter)}`,
      );
      expect(list.body.count.value, JSON.stringify(row.$filter)).toBe(row.count);
    }
  });

  it('sorts by a measure and limits the groups', async () => {
    const r = await agg(
      'groupBy=stage&measures=sum:amount&sort=-sum:amount&limit=2&asOf=2026-03-01',
    );
    expect(plain(r.body.rows)).toEqual([
      { stage: 'won', 'sum:amount': 1150 },
      { stage: 'qualification', 'sum:amount': 320 },
    ]);
    expect(r.body.truncated).toBe(true);
  });

  it('counts only what a rep may read, and refuses hidden fields like unknown ones', async () => {
    const r = await agg('groupBy=stage&measures=count,sum:amount&asOf=2026-03-01', rep);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(plain(r.body.rows)).toEqual([
      { stage: 'proposal', count: 1, 'sum:amount': 300 },
      { stage: 'won', count: 1, 'sum:amount': 50 },
    ]);
    const hidden = await agg('measures=sum:margin', rep);
    const unknown = await agg('measures=sum:nothing_here', rep);
    expect(hidden.status).toBe(400);
    expect(hidden.body.error.code).toBe('INVALID_QUERY');
    expect(hidden.body.error.details[0].path).toBe('measures');
    expect(hidden.body.error.details[0].message).toBe(
      unknown.body.error.details[0].message.replace('nothing_here', 'margin'),
    );
    const byHidden = await agg('groupBy=margin', rep);
    expect(byHidden.status).toBe(400);
    expect((await agg('measures=sum:margin')).body.rows).toEqual([
      expect.objectContaining({ 'sum:margin': 10 }),
    ]);
  });

  it('refuses bad parameters with their paths', async () => {
    const cases: [string, string][] = [
      ['groupBy=stage,account,owner_id', 'groupBy'],
      ['groupBy=close_date', 'groupBy'],
      ['groupBy=stage:month', 'groupBy'],
      ['groupBy=name_text', 'groupBy'],
      ['measures=sum:stage', 'measures'],
      ['measures=median:amount', 'measures'],
      ['asOf=2026-02-30', 'asOf'],
      ['asOf=yesterday', 'asOf'],
      ['sort=-nothing', 'sort'],
      ['limit=0', 'limit'],
      ['bogus=1', 'bogus'],
      ['filter=%7B', 'filter'],
      ['groupBy=stage&groupBy=account', 'groupBy'],
    ];
    for (const [query, path] of cases) {
      const r = await agg(query);
      expect(r.status, query).toBe(400);
      expect(r.body.error.details[0].path, query).toBe(path);
    }
    expect((await agg('', 'not-a-token')).status).toBe(401);
    expect((await t.call('GET', '/api/records/nothing/aggregate')).status).toBe(404);
  });

  it('keeps currencies for administrators, checked', async () => {
    const got = await t.call('GET', '/api/currencies', undefined, rep);
    expect(got.body).toEqual({
      home: 'USD',
      rates: [
        { currency: 'EUR', rate: 1.1, date: '2026-01-01' },
        { currency: 'EUR', rate: 1.2, date: '2026-06-01' },
      ],
    });
    expect((await t.call('PUT', '/api/currencies', got.body, rep)).status).toBe(403);
    const bad = await t.call('PUT', '/api/currencies', {
      home: 'XYZ',
      rates: [
        { currency: 'EUR', rate: 1, date: '2026-13-01' },
        { currency: 'ABC', rate: 1, date: '2026-01-01' },
        { currency: 'GBP', rate: 1, date: '2026-01-01' },
        { currency: 'GBP', rate: 1.1, date: '2026-01-01' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'home',
      'rates[0].date',
      'rates[1].currency',
      'rates[3]',
    ]);
    const negative = await t.call('PUT', '/api/currencies', {
      home: 'USD',
      rates: [{ currency: 'EUR', rate: -1, date: '2026-01-01' }],
    });
    expect(negative.status).toBe(400);
    expect((await t.call('GET', '/api/currencies')).body).toEqual(got.body);
  });
});
