import { evaluate, truthy } from '@atrium/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    {
      name: 'industry',
      type: 'picklist',
      options: [{ value: 'tech' }, { value: 'retail' }, { value: 'finance' }],
    },
  ],
};

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    { name: 'qty', type: 'integer' },
    { name: 'ratio', type: 'decimal', precision: 6, scale: 3 },
    { name: 'active', type: 'boolean' },
    {
      name: 'stage',
      type: 'picklist',
      options: [{ value: 'new' }, { value: 'won' }, { value: 'lost' }],
    },
    {
      name: 'colors',
      type: 'multipicklist',
      options: [{ value: 'red' }, { value: 'green' }, { value: 'blue' }],
    },
    { name: 'tags', type: 'tags' },
    { name: 'close_date', type: 'date' },
    { name: 'closed_at', type: 'datetime' },
    { name: 'email', type: 'email' },
    { name: 'notes', type: 'text' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.now();
const TODAY = Date.UTC(
  new Date(NOW).getUTCFullYear(),
  new Date(NOW).getUTCMonth(),
  new Date(NOW).getUTCDate(),
);
/** A calendar date `days` from today (UTC), as YYYY-MM-DD. */
const dateIn = (days: number) => new Date(TODAY + days * DAY).toISOString().slice(0, 10);
/** An instant `ms` from now, as ISO. */
const at = (ms: number) => new Date(NOW + ms).toISOString();

type Seed = Record<string, unknown> & { name: string };

/** The deals; `account` holds the seed account's name, replaced by its id when inserted. */
const SEED: Seed[] = [
  {
    name: 'Alpha',
    amount: 100,
    qty: 1,
    ratio: 0.5,
    active: true,
    stage: 'new',
    colors: ['red'],
    tags: ['vip'],
    close_date: dateIn(0),
    closed_at: at(-HOUR),
    email: 'alpha@example.com',
    notes: 'Big Deal',
    account: 'Acme',
  },
  {
    name: 'alpine',
    amount: 250.5,
    qty: 0,
    ratio: 1.25,
    active: false,
    stage: 'won',
    colors: ['red', 'blue'],
    tags: ['vip', 'hot'],
    close_date: dateIn(-3),
    closed_at: at(-2 * DAY),
    notes: '',
    account: 'Shop',
  },
  { name: 'Beta', colors: [] },
  {
    name: 'beta max',
    amount: 1000,
    qty: 5,
    ratio: 0,
    active: true,
    stage: 'lost',
    colors: ['green'],
    tags: ['hot'],
    close_date: dateIn(-10),
    closed_at: at(-10 * DAY),
    notes: 'small deal',
    account: 'Bank',
  },
  {
    name: 'Gamma',
    amount: 0,
    qty: 10,
    active: false,
    stage: 'won',
    colors: ['blue', 'green'],
    tags: [],
    close_date: dateIn(1),
    closed_at: at(DAY),
    notes: '100% sure',
    account: 'Nobody',
  },
  {
    name: 'delta_1',
    amount: 99.99,
    qty: 3,
    ratio: 2,
    active: true,
    stage: 'new',
    tags: ['cold'],
    close_date: dateIn(-40),
    closed_at: at(-40 * DAY),
    notes: 'a_b',
    account: 'Acme',
  },
  {
    name: 'Epsilon',
    amount: 5000,
    qty: 7,
    active: true,
    stage: 'won',
    colors: ['red', 'green', 'blue'],
    tags: ['vip'],
    close_date: dateIn(40),
    closed_at: at(40 * DAY),
    email: 'EPS@Example.com',
    notes: 'DEAL of the year',
  },
  {
    name: 'zeta',
    amount: -50,
    qty: 2,
    active: false,
    stage: 'lost',
    colors: ['green'],
    close_date: dateIn(-1),
    closed_at: at(-25 * HOUR),
    account: 'Shop',
  },
];

const ACCOUNT_SEED = [
  { name: 'Acme', industry: 'tech' },
  { name: 'Shop', industry: 'retail' },
  { name: 'Bank', industry: 'finance' },
  { name: 'Nobody' },
];

const ALL = SEED.map((s) => s.name).sort();
const sorted = (names: string[]) => [...names].sort();
const except = (...names: string[]) => ALL.filter((n) => !names.includes(n));

describe('records: filters through the list API', () => {
  let t: TestApp;
  /** The deals as the API returns them, with `account` expanded, for the in-memory cross-check. */
  let rows: Record<string, unknown>[];
  const accountIds = new Map<string, string>();

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, DEALS]);
    for (const a of ACCOUNT_SEED) {
      const r = await t.call('POST', '/api/records/accounts', a);
      accountIds.set(a.name, r.body.id);
    }
    for (const s of SEED) {
      const body = { ...s, ...(s.account ? { account: accountIds.get(s.account as string) } : {}) };
      const r = await t.call('POST', '/api/records/deals', body);
      if (r.status !== 201) throw new Error(`seed ${s.name}: ${JSON.stringify(r.body)}`);
    }
    rows = (await t.call('GET', '/api/records/deals?limit=200&expand=account')).body.data;
  });
  afterAll(async () => t.close());

  async function list(filter: unknown): Promise<string[]> {
    const r = await t.call('GET', `/api/records/deals?limit=200&filter=${filterParam(filter)}`);
    if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return sorted(r.body.data.map((d: { name: string }) => d.name));
  }

  /** SQL returns exactly `expected`, and the same expression in memory selects the same records. */
  async function expectNames(filter: unknown, expected: string[]): Promise<void> {
    expect(await list(filter), JSON.stringify(filter)).toEqual(sorted(expected));
    const inMemory = rows
      .filter((row) => truthy(evaluate(filter as never, row)))
      .map((r) => r.name as string);
    expect(sorted(inMemory), `in memory: ${JSON.stringify(filter)}`).toEqual(sorted(expected));
  }

  async function refused(filter: string): Promise<{ path: string; message: string }> {
    const r = await t.call('GET', `/api/records/deals?filter=${encodeURIComponent(filter)}`);
    expect(r.status, filter).toBe(400);
    expect(r.body.error.code, filter).toBe('INVALID_FILTER');
    expect(r.body.error.details, filter).toHaveLength(1);
    const [detail] = r.body.error.details;
    expect(detail.path, filter).toMatch(/^filter/);
    return detail;
  }

  it('seeded every record', () => {
    expect(sorted(rows.map((r) => r.name as string))).toEqual(ALL);
  });

  it('== and != (null-safe, as in memory)', async () => {
    await expectNames({ '==': [{ var: 'stage' }, 'won'] }, ['alpine', 'Gamma', 'Epsilon']);
    await expectNames({ '==': [{ var: 'amount' }, 100] }, ['Alpha']);
    await expectNames({ '==': ['won', { var: 'stage' }] }, ['alpine', 'Gamma', 'Epsilon']);
    await expectNames({ '==': [{ var: 'active' }, true] }, [
      'Alpha',
      'beta max',
      'delta_1',
      'Epsilon',
    ]);
    await expectNames({ '==': [{ var: 'stage' }, null] }, ['Beta']);
    await expectNames({ '===': [{ var: 'qty' }, 0] }, ['alpine']);
    // != keeps the records where the field is empty
    await expectNames({ '!=': [{ var: 'stage' }, 'won'] }, except('alpine', 'Gamma', 'Epsilon'));
    await expectNames({ '!=': [{ var: 'amount' }, 100] }, except('Alpha'));
    await expectNames({ '!=': [{ var: 'active' }, true] }, ['alpine', 'Beta', 'Gamma', 'zeta']);
    await expectNames({ '!==': [{ var: 'notes' }, 'a_b'] }, except('delta_1'));
    await expectNames({ '!=': [{ var: 'stage' }, null] }, except('Beta'));
  });

  it('< <= > >= (null never matches), on numbers, dates and datetimes', async () => {
    await expectNames({ '<': [{ var: 'amount' }, 100] }, ['Gamma', 'delta_1', 'zeta']);
    await expectNames({ '<=': [{ var: 'amount' }, 100] }, ['Alpha', 'Gamma', 'delta_1', 'zeta']);
    await expectNames({ '>': [{ var: 'amount' }, 100] }, ['alpine', 'beta max', 'Epsilon']);
    await expectNames({ '>=': [{ var: 'amount' }, 100] }, [
      'Alpha',
      'alpine',
      'beta max',
      'Epsilon',
    ]);
    // the value on the left flips the comparison
    await expectNames({ '>': [100, { var: 'amount' }] }, ['Gamma', 'delta_1', 'zeta']);
    await expectNames({ '<': [{ var: 'ratio' }, 1] }, ['Alpha', 'beta max']);
    await expectNames({ '>=': [{ var: 'qty' }, 5] }, ['beta max', 'Gamma', 'Epsilon']);
    await expectNames({ '<': [{ var: 'close_date' }, dateIn(0)] }, [
      'alpine',
      'beta max',
      'delta_1',
      'zeta',
    ]);
    await expectNames({ '>': [{ var: 'closed_at' }, at(0)] }, ['Gamma', 'Epsilon']);
  });

  it('3-argument < and <= and between', async () => {
    await expectNames({ '<': [0, { var: 'amount' }, 1000] }, ['Alpha', 'alpine', 'delta_1']);
    await expectNames({ '<=': [0, { var: 'amount' }, 1000] }, [
      'Alpha',
      'alpine',
      'beta max',
      'Gamma',
      'delta_1',
    ]);
    await expectNames({ between: [{ var: 'amount' }, 0, 1000] }, [
      'Alpha',
      'alpine',
      'beta max',
      'Gamma',
      'delta_1',
    ]);
    await expectNames({ between: [{ var: 'close_date' }, dateIn(-10), dateIn(-1)] }, [
      'alpine',
      'beta max',
      'zeta',
    ]);
    await expectNames({ between: [{ var: 'qty' }, 2, 3] }, ['delta_1', 'zeta']);
  });

  it('in a list, and a null in the list matching empty fields', async () => {
    await expectNames({ in: [{ var: 'stage' }, ['new', 'lost']] }, [
      'Alpha',
      'beta max',
      'delta_1',
      'zeta',
    ]);
    await expectNames({ in: [{ var: 'qty' }, [0, 1, 2]] }, ['Alpha', 'alpine', 'zeta']);
    await expectNames({ in: [{ var: 'stage' }, ['new', null]] }, ['Alpha', 'Beta', 'delta_1']);
    await expectNames({ in: [{ var: 'stage' }, []] }, []);
    await expectNames(
      { '!': { in: [{ var: 'stage' }, ['won']] } },
      except('alpine', 'Gamma', 'Epsilon'),
    );
  });

  it('contains and starts_with ignore case and take % and _ literally', async () => {
    await expectNames({ contains: [{ var: 'notes' }, 'deal'] }, ['Alpha', 'beta max', 'Epsilon']);
    await expectNames({ contains: [{ var: 'notes' }, '%'] }, ['Gamma']);
    await expectNames({ contains: [{ var: 'notes' }, '_'] }, ['delta_1']);
    await expectNames({ contains: [{ var: 'name' }, 'A_1'] }, ['delta_1']);
    await expectNames({ starts_with: [{ var: 'name' }, 'AL'] }, ['Alpha', 'alpine']);
    await expectNames({ starts_with: [{ var: 'name' }, 'beta'] }, ['Beta', 'beta max']);
    await expectNames({ starts_with: [{ var: 'email' }, 'eps@'] }, ['Epsilon']);
    // {"in": [text, field]} is contains
    await expectNames({ in: ['DEAL', { var: 'notes' }] }, ['Alpha', 'beta max', 'Epsilon']);
  });

  it('has on multipicklist and tags', async () => {
    await expectNames({ has: [{ var: 'colors' }, 'red'] }, ['Alpha', 'alpine', 'Epsilon']);
    await expectNames({ has: [{ var: 'colors' }, ['red', 'blue']] }, ['alpine', 'Epsilon']);
    await expectNames({ has: [{ var: 'tags' }, 'vip'] }, ['Alpha', 'alpine', 'Epsilon']);
    await expectNames({ has: [{ var: 'tags' }, ['vip', 'hot']] }, ['alpine']);
    await expectNames({ in: ['green', { var: 'colors' }] }, [
      'beta max',
      'Gamma',
      'Epsilon',
      'zeta',
    ]);
    await expectNames(
      { '!': { has: [{ var: 'tags' }, 'vip'] } },
      except('Alpha', 'alpine', 'Epsilon'),
    );
  });

  it('is_empty on text, number, date, lookup and lists', async () => {
    // notes: null for Beta, zeta; '' for alpine
    await expectNames({ is_empty: [{ var: 'notes' }] }, ['alpine', 'Beta', 'zeta']);
    await expectNames({ is_empty: [{ var: 'amount' }] }, ['Beta']);
    await expectNames({ is_empty: [{ var: 'ratio' }] }, ['Beta', 'Gamma', 'Epsilon', 'zeta']);
    await expectNames({ is_empty: [{ var: 'close_date' }] }, ['Beta']);
    await expectNames({ is_empty: [{ var: 'account' }] }, ['Beta', 'Epsilon']);
    // colors: [] for Beta, null for delta_1; tags: null for Beta, zeta, [] for Gamma
    await expectNames({ is_empty: [{ var: 'colors' }] }, ['Beta', 'delta_1']);
    await expectNames({ is_empty: [{ var: 'tags' }] }, ['Beta', 'Gamma', 'zeta']);
    await expectNames({ '!': { is_empty: [{ var: 'tags' }] } }, except('Beta', 'Gamma', 'zeta'));
  });

  it('! and !! on fields follow JSON Logic truthiness', async () => {
    await expectNames({ '!': { var: 'notes' } }, ['alpine', 'Beta', 'zeta']);
    await expectNames({ '!!': { var: 'notes' } }, except('alpine', 'Beta', 'zeta'));
    // 0 is falsy
    await expectNames({ '!': { var: 'qty' } }, ['alpine', 'Beta']);
    await expectNames({ '!!': [{ var: 'amount' }] }, except('Beta', 'Gamma'));
    // false is falsy
    await expectNames({ '!': { var: 'active' } }, ['alpine', 'Beta', 'Gamma', 'zeta']);
    await expectNames({ '!!': { var: 'active' } }, ['Alpha', 'beta max', 'delta_1', 'Epsilon']);
    // ! of a comparison: the complement, nulls included
    await expectNames({ '!': { '>': [{ var: 'amount' }, 100] } }, [
      'Alpha',
      'Beta',
      'Gamma',
      'delta_1',
      'zeta',
    ]);
    await expectNames(
      { '!': [{ '==': [{ var: 'stage' }, 'won'] }] },
      except('alpine', 'Gamma', 'Epsilon'),
    );
  });

  it('and / or nest', async () => {
    await expectNames(
      { and: [{ '==': [{ var: 'active' }, true] }, { '>': [{ var: 'amount' }, 100] }] },
      ['beta max', 'Epsilon'],
    );
    await expectNames(
      { or: [{ '==': [{ var: 'stage' }, 'lost'] }, { has: [{ var: 'tags' }, 'vip'] }] },
      ['Alpha', 'alpine', 'beta max', 'Epsilon', 'zeta'],
    );
    await expectNames(
      {
        and: [
          { or: [{ '==': [{ var: 'stage' }, 'won'] }, { '==': [{ var: 'stage' }, 'new'] }] },
          {
            '!': { or: [{ '<': [{ var: 'amount' }, 100] }, { has: [{ var: 'colors' }, 'blue'] }] },
          },
        ],
      },
      ['Alpha'],
    );
    await expectNames({ or: [{ '==': [{ var: 'stage' }, 'new'] }, false] }, ['Alpha', 'delta_1']);
    await expectNames({ and: [true, { '==': [{ var: 'stage' }, 'new'] }] }, ['Alpha', 'delta_1']);
    await expectNames(true, ALL);
    await expectNames(false, []);
  });

  it('date_in on a date field', async () => {
    const period = (from: number, to: number) =>
      SEED.filter((s) => {
        if (!s.close_date) return false;
        const d = Date.parse(s.close_date as string);
        return d >= from && d < to;
      }).map((s) => s.name);
    const now = new Date(TODAY);
    const y = now.getUTCFullYear();
    const m = now.getUTCMonth();
    const monday = TODAY - ((now.getUTCDay() + 6) % 7) * DAY;
    await expectNames({ date_in: [{ var: 'close_date' }, 'today'] }, ['Alpha']);
    await expectNames({ date_in: [{ var: 'close_date' }, 'yesterday'] }, ['zeta']);
    await expectNames({ date_in: [{ var: 'close_date' }, 'tomorrow'] }, ['Gamma']);
    await expectNames({ date_in: [{ var: 'close_date' }, 'last_n_days', 7] }, [
      'Alpha',
      'alpine',
      'zeta',
    ]);
    await expectNames({ date_in: [{ var: 'close_date' }, 'last_n_days', 11] }, [
      'Alpha',
      'alpine',
      'beta max',
      'zeta',
    ]);
    await expectNames({ date_in: [{ var: 'close_date' }, 'next_n_days', 2] }, ['Alpha', 'Gamma']);
    await expectNames(
      { date_in: [{ var: 'close_date' }, 'this_month'] },
      period(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)),
    );
    await expectNames(
      { date_in: [{ var: 'close_date' }, 'last_month'] },
      period(Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)),
    );
    await expectNames(
      { date_in: [{ var: 'close_date' }, 'next_month'] },
      period(Date.UTC(y, m + 1, 1), Date.UTC(y, m + 2, 1)),
    );
    await expectNames(
      { date_in: [{ var: 'close_date' }, 'this_week'] },
      period(monday, monday + 7 * DAY),
    );
    await expectNames(
      { date_in: [{ var: 'close_date' }, 'this_year'] },
      period(Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)),
    );
    expect(period(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1))).toContain('Alpha');
  });

  it('date_in on a datetime field', async () => {
    const period = (from: number, to: number) =>
      SEED.filter((s) => {
        if (!s.closed_at) return false;
        const d = Date.parse(s.closed_at as string);
        return d >= from && d < to;
      }).map((s) => s.name);
    const y = new Date(TODAY).getUTCFullYear();
    const m = new Date(TODAY).getUTCMonth();
    await expectNames(
      { date_in: [{ var: 'closed_at' }, 'last_n_days', 3] },
      period(TODAY - 2 * DAY, TODAY + DAY),
    );
    await expectNames(
      { date_in: [{ var: 'closed_at' }, 'last_n_days', 30] },
      period(TODAY - 29 * DAY, TODAY + DAY),
    );
    await expectNames({ date_in: [{ var: 'closed_at' }, 'today'] }, period(TODAY, TODAY + DAY));
    await expectNames(
      { date_in: [{ var: 'closed_at' }, 'next_n_days', 60] },
      period(TODAY, TODAY + 60 * DAY),
    );
    await expectNames(
      { date_in: [{ var: 'closed_at' }, 'this_month'] },
      period(Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)),
    );
    expect(period(TODAY - 29 * DAY, TODAY + DAY)).toEqual(
      expect.arrayContaining(['alpine', 'beta max', 'zeta']),
    );
  });

  it("a lookup's field, one level deep", async () => {
    const deep = { '==': [{ var: 'account.industry' }, 'tech'] };
    await expectNames(deep, ['Alpha', 'delta_1']);
    await expectNames({ in: [{ var: 'account.industry' }, ['retail', 'finance']] }, [
      'alpine',
      'beta max',
      'zeta',
    ]);
    // no account, or an account without industry: both count as "not tech"
    await expectNames({ '!=': [{ var: 'account.industry' }, 'tech'] }, except('Alpha', 'delta_1'));
    await expectNames({ is_empty: [{ var: 'account.industry' }] }, ['Beta', 'Gamma', 'Epsilon']);
    await expectNames({ starts_with: [{ var: 'account.name' }, 'sh'] }, ['alpine', 'zeta']);
    // (the in-memory rows carry the expanded account, so this one is checked in SQL only)
    expect(await list({ '==': [{ var: 'account' }, accountIds.get('Bank') as string] })).toEqual([
      'beta max',
    ]);
  });

  it('combines a filter with q, sort and pagination', async () => {
    const r = await t.call(
      'GET',
      `/api/records/deals?filter=${filterParam({ '>': [{ var: 'amount' }, 0] })}&q=al&sort=-amount&limit=1`,
    );
    expect(r.status).toBe(200);
    expect(r.body.data.map((d: { name: string }) => d.name)).toEqual(['alpine']);
    const next = await t.call(
      'GET',
      `/api/records/deals?filter=${filterParam({ '>': [{ var: 'amount' }, 0] })}&q=al&sort=-amount&limit=1&cursor=${r.body.nextCursor}`,
    );
    expect(next.body.data.map((d: { name: string }) => d.name)).toEqual(['Alpha']);
    expect(next.body.nextCursor).toBeNull();
  });

  it('refuses operators that cannot be compiled, naming them', async () => {
    for (const [filter, op] of [
      ['{"cat":["a",{"var":"name"}]}', 'cat'],
      ['{"+":[{"var":"amount"},1]}', '+'],
      ['{"map":[{"var":"tags"},{"var":""}]}', 'map'],
      ['{"and":[{"==":[{"var":"stage"},"won"]},{"substr":[{"var":"name"},1]}]}', 'substr'],
      ['{"or":[{"some":[{"var":"tags"},{"==":[{"var":""},"vip"]}]}]}', 'some'],
      ['{"if":[true,true,false]}', 'if'],
    ] as const) {
      const d = await refused(filter);
      expect(d.message, filter).toContain(`"${op}"`);
      expect(d.path, filter).toContain(op);
    }
    const nested = await refused('{"and":[{"==":[{"var":"stage"},"won"]},{"cat":["a"]}]}');
    expect(nested.path).toBe('filter.and[1].cat');
  });

  it('refuses unknown fields, bad JSON and wrong shapes', async () => {
    const unknown = await refused('{"==":[{"var":"nope"},1]}');
    expect(unknown.message).toContain('nope');
    expect(unknown.path).toBe('filter.==[0]');
    const deepUnknown = await refused('{"==":[{"var":"account.nope"},1]}');
    expect(deepUnknown.message).toContain('account.nope');
    await refused('{"==":[{"var":"stage.industry"},"x"]}');
    await refused('{"==":[{"var":"account.account.name"},"x"]}');
    const bad = await refused('{"==":[{"var":"stage"},');
    expect(bad.path).toBe('filter');
    await refused('"just text"');
    await refused('[1,2]');
    await refused('{}');
    await refused('{"==":[{"var":"stage"},"won"],"!=":[{"var":"stage"},"lost"]}');
    await refused('{"==":[{"var":"amount"},{"var":"qty"}]}');
    await refused('{"and":[]}');
    // a var default would be read in memory but not in SQL
    const withDefault = await refused('{"==":[{"var":["account.industry","tech"]},"tech"]}');
    expect(withDefault.path).toBe('filter.==[0]');
    expect(withDefault.message).toContain('default');
    // a var written as a one-element list is fine
    expect(await list({ '==': [{ var: ['stage'] }, 'new'] })).toEqual(['Alpha', 'delta_1']);
  });

  it('refuses values of the wrong type', async () => {
    for (const filter of [
      '{"==":[{"var":"amount"},"lots"]}',
      '{"==":[{"var":"qty"},1.5]}',
      '{"==":[{"var":"active"},"yes"]}',
      '{"==":[{"var":"close_date"},"2026-02-30"]}',
      '{"<":[{"var":"closed_at"},"soon"]}',
      '{"==":[{"var":"stage"},"lost-ish"]}',
      '{"==":[{"var":"account"},"not-a-uuid"]}',
      '{"==":[{"var":"name"},5]}',
      '{"in":[{"var":"qty"},["1"]]}',
      '{"has":[{"var":"colors"},"purple"]}',
      '{"<":[{"var":"amount"},null]}',
      '{"between":[{"var":"amount"},1]}',
      '{"date_in":[{"var":"close_date"},"someday"]}',
      '{"date_in":[{"var":"close_date"},"last_n_days",0]}',
      '{"contains":[{"var":"name"},{"var":"notes"}]}',
    ]) {
      const d = await refused(filter);
      expect(d.message.length, filter).toBeGreaterThan(0);
    }
    const typed = await refused('{"==":[{"var":"amount"},"lots"]}');
    expect(typed.path).toBe('filter.==[1]');
  });

  it('refuses operators the field type does not offer', async () => {
    for (const [filter, path] of [
      ['{"contains":[{"var":"qty"},"1"]}', 'filter.contains[0]'],
      ['{"starts_with":[{"var":"amount"},"1"]}', 'filter.starts_with[0]'],
      ['{"has":[{"var":"name"},"x"]}', 'filter.has[0]'],
      ['{"date_in":[{"var":"amount"},"today"]}', 'filter.date_in[0]'],
      ['{"<":[{"var":"stage"},"won"]}', 'filter.<[0]'],
      ['{"<":[{"var":"active"},true]}', 'filter.<[0]'],
      ['{"==":[{"var":"colors"},"red"]}', 'filter.==[0]'],
      ['{"contains":[{"var":"account"},"a"]}', 'filter.contains[0]'],
    ] as const) {
      const d = await refused(filter);
      expect(d.path, filter).toBe(path);
      expect(d.message, filter).toMatch(/does not apply/);
    }
  });
});
