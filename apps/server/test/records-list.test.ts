import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, type Reply, startTestApp, type TestApp } from './support/test-app.js';

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'text' },
  ],
};

const ITEMS = {
  kind: 'module',
  name: 'items',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    { name: 'rank', type: 'integer' },
    { name: 'due', type: 'date' },
    { name: 'seen_at', type: 'datetime' },
    { name: 'email', type: 'email' },
    { name: 'note', type: 'text' },
    { name: 'colors', type: 'multipicklist', options: [{ value: 'red' }, { value: 'blue' }] },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};

const COUNT = 130;
/** A record as the API returns it: untyped JSON. */
type Row = Reply['body'];

describe('records: lists', () => {
  let t: TestApp;
  let accounts: Row[];
  /** Ids in creation order. */
  const created: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, ITEMS]);
    accounts = [];
    for (const [name, industry] of [
      ['Acme', 'tech'],
      ['Globex', 'retail'],
      ['Gone', 'none'],
    ]) {
      accounts.push((await t.call('POST', '/api/records/accounts', { name, industry })).body);
    }
    for (let i = 0; i < COUNT; i++) {
      const body: Row = {
        // repeated names, so sorts by name have ties for id to break
        name: `Item ${String(i % 45).padStart(2, '0')}`,
        amount: i % 9 === 0 ? null : (i % 7) * 10 + (i % 3) * 0.25,
        rank: i % 4 === 0 ? null : i % 11,
        due: i % 5 === 0 ? null : `2026-0${1 + (i % 9)}-1${i % 10}`,
        seen_at:
          i % 6 === 0
            ? null
            : new Date(Date.UTC(2026, 0, 1) + (i % 13) * 3_600_000 + (i % 2)).toISOString(),
        email: `user${i}@example.com`,
        note: i % 2 === 0 ? 'even' : 'odd',
        colors: i % 2 === 0 ? ['red'] : ['blue'],
        account: i % 10 === 0 ? null : (accounts[i % 3] as Row).id,
      };
      const r = await t.call('POST', '/api/records/items', body);
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      created.push(r.body.id);
    }
    // records for search
    for (const body of [
      { name: '100% Real', email: 'percent@search.test' },
      { name: '1000 real', email: 'thousand@search.test' },
      { name: 'under_score', email: 'u1@search.test' },
      { name: 'underXscore', email: 'u2@search.test' },
      { name: 'Mailbox', email: 'Zebra.Crossing@Example.ORG', note: 'quagga' },
    ]) {
      const r = await t.call('POST', '/api/records/items', body);
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      created.push(r.body.id);
    }
    // "Gone" goes to the recycle bin: expanding it gives null
    await t.call('DELETE', `/api/records/accounts/${(accounts[2] as Row).id}`);
  });
  afterAll(async () => t.close());

  const TOTAL = COUNT + 5;

  async function get(query: string): Promise<Reply> {
    return t.call('GET', `/api/records/items?${query}`);
  }

  /** Walks every page of `query` with limit 50. */
  async function walk(query: string): Promise<Row[]> {
    const rows: Row[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await get(
        `${query}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(50);
      rows.push(...r.body.data);
      cursor = r.body.nextCursor;
      pages += 1;
      expect(pages).toBeLessThan(10);
    } while (cursor);
    return rows;
  }

  /** Empty values sort last in both directions. */
  function expectOrdered(rows: Row[], field: string, dir: 'asc' | 'desc'): void {
    const values = rows.map((r) => r[field]);
    for (let i = 1; i < values.length; i++) {
      const [a, b] = [values[i - 1], values[i]];
      const ok =
        dir === 'asc' ? b === null || (a !== null && a <= b) : b === null || (a !== null && a >= b);
      expect(ok, `${field} ${dir} at ${i}: ${a} then ${b}`).toBe(true);
    }
  }

  it.each([
    ['-amount,name', 'sort=-amount,name'],
    ['name', 'sort=name'],
    ['rank (empty last)', 'sort=rank'],
    ['-rank (empty last)', 'sort=-rank'],
    ['due,-amount', 'sort=due,-amount'],
    ['-seen_at', 'sort=-seen_at'],
    ['-created_at', 'sort=-created_at'],
    ['default', 'count=false'],
  ])(
    'keyset pagination by %s returns every record once, in the order of one big page',
    async (_, query) => {
      const walked = await walk(query);
      const big = await get(`${query}&limit=200`);
      expect(big.status).toBe(200);
      expect(big.body.nextCursor).toBeNull();
      expect(big.body.data).toHaveLength(TOTAL);
      const ids = walked.map((r) => r.id);
      expect(new Set(ids).size).toBe(TOTAL);
      expect(ids).toEqual(big.body.data.map((r: Row) => r.id));
      expect(new Set(ids)).toEqual(new Set(created));
    },
  );

  it('sorts as asked, empty values last in both directions, id breaking ties', async () => {
    const byAmount = (await get('sort=-amount,name&limit=200')).body.data as Row[];
    expectOrdered(byAmount, 'amount', 'desc');
    expect(byAmount[0]?.amount).toBe(60.5);
    expect(byAmount[byAmount.length - 1]?.amount).toBeNull();
    const byRank = (await get('sort=rank&limit=200')).body.data as Row[];
    expectOrdered(byRank, 'rank', 'asc');
    expect(byRank[byRank.length - 1]?.rank).toBeNull();
    expectOrdered((await get('sort=-rank&limit=200')).body.data, 'rank', 'desc');
    expectOrdered((await get('sort=due&limit=200')).body.data, 'due', 'asc');
    const bySeen = (await get('sort=-seen_at&limit=200')).body.data as Row[];
    expectOrdered(
      bySeen.map((r) => ({ seen_at: r.seen_at === null ? null : Date.parse(r.seen_at) })),
      'seen_at',
      'desc',
    );
    // ties on the sort key are broken by id, in the direction of the last key
    for (let i = 1; i < byRank.length; i++) {
      const [a, b] = [byRank[i - 1] as Row, byRank[i] as Row];
      if (a.rank === b.rank) expect(a.id < b.id).toBe(true);
    }
    // default: newest first
    const newest = (await get('limit=200')).body.data.map((r: Row) => r.id);
    expect(newest).toEqual([...created].reverse());
    // explicit id sort
    const byId = (await get('sort=id&limit=200')).body.data.map((r: Row) => r.id);
    expect(byId).toEqual(created);
  });

  it('pages with a filter and a count', async () => {
    const filter = filterParam({ '==': [{ var: 'note' }, 'even'] });
    const walked = await walk(`filter=${filter}&sort=-amount,name`);
    expect(walked).toHaveLength(COUNT / 2);
    for (const r of walked) expect(r.note).toBe('even');
    const counted = await get(`filter=${filter}&count=true&limit=5`);
    expect(counted.body.count).toEqual({ value: COUNT / 2, exact: true });
    expect(counted.body.data).toHaveLength(5);
    // the count does not depend on the page
    const second = await get(
      `filter=${filter}&count=true&limit=5&cursor=${encodeURIComponent(counted.body.nextCursor)}`,
    );
    expect(second.body.count).toEqual({ value: COUNT / 2, exact: true });
    const all = await get('count=true&limit=1');
    expect(all.body.count).toEqual({ value: TOTAL, exact: true });
    expect((await get('limit=1')).body).not.toHaveProperty('count');
    expect((await get('count=true&deleted=only')).body.count).toEqual({ value: 0, exact: true });
    expect(
      (await t.call('GET', '/api/records/accounts?count=true&deleted=only')).body.count,
    ).toEqual({ value: 1, exact: true });
  });

  it('refuses bad limits, sorts and cursors', async () => {
    for (const [query, path] of [
      ['limit=201', 'limit'],
      ['limit=0', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=2.5', 'limit'],
      ['limit=many', 'limit'],
      ['sort=nope', 'sort'],
      ['sort=-nope', 'sort'],
      ['sort=colors', 'sort'],
      ['sort=account', 'sort'],
      ['sort=account.nope', 'sort'],
      ['sort=account.name.x', 'sort'],
      ['sort=name,amount,rank,due,seen_at,email', 'sort'],
      ['cursor=garbage', 'cursor'],
      [`cursor=${Buffer.from('{"a":1}').toString('base64url')}`, 'cursor'],
    ]) {
      const r = await get(query as string);
      expect(r.status, query).toBe(400);
      expect(r.body.error.code, query).toBe('INVALID_QUERY');
      expect(
        r.body.error.details.map((d: Row) => d.path),
        query,
      ).toEqual([path]);
    }
    expect((await get('limit=200')).status).toBe(200);
    // a cursor of another sort is refused rather than misread
    const byName = await get('sort=name&limit=2');
    const other = await get(
      `sort=-amount,name&limit=2&cursor=${encodeURIComponent(byName.body.nextCursor)}`,
    );
    expect(other.status).toBe(400);
    expect(other.body.error.details[0].path).toBe('cursor');
  });

  it('q searches the record name and e-mails, ignoring case, with % and _ taken literally', async () => {
    const names = async (q: string) =>
      ((await get(`q=${encodeURIComponent(q)}&limit=200`)).body.data as Row[])
        .map((r) => r.name)
        .sort();
    expect(await names('ITEM 07')).toEqual(['Item 07', 'Item 07', 'Item 07']);
    expect(await names('real')).toEqual(['100% Real', '1000 real']);
    expect(await names('0% r')).toEqual(['100% Real']);
    expect(await names('%')).toEqual(['100% Real']);
    expect(await names('under_')).toEqual(['under_score']);
    expect(await names('_')).toEqual(['under_score']);
    // e-mails are searched
    expect(await names('zebra.crossing@example.org')).toEqual(['Mailbox']);
    expect(await names('user129@')).toEqual(['Item 39']);
    // other text fields are not
    expect(await names('quagga')).toEqual([]);
    // blank q is no search
    expect((await get('q=%20%20&limit=200')).body.data).toHaveLength(TOTAL);
    const counted = await get('q=item%200&count=true');
    expect(counted.body.count.value).toBe(30);
    const long = await get(`q=${'x'.repeat(201)}`);
    expect(long.status).toBe(400);
    expect(long.body.error.details[0].path).toBe('q');
  });

  it('expand=account replaces the id with the target record', async () => {
    const plain = (await get('sort=id&limit=200')).body.data as Row[];
    const expanded = (await get('sort=id&limit=200&expand=account')).body.data as Row[];
    expect(expanded.map((r) => r.id)).toEqual(plain.map((r) => r.id));
    const [acme, globex, gone] = accounts as [Row, Row, Row];
    let seen = 0;
    expanded.forEach((r, i) => {
      const id = (plain[i] as Row).account;
      if (id === null || id === gone.id) {
        expect(r.account).toBeNull();
        return;
      }
      const target = id === acme.id ? acme : globex;
      expect(r.account).toMatchObject({
        id,
        name: target.name,
        industry: target.industry,
        version: 1,
      });
      seen += 1;
    });
    expect(seen).toBeGreaterThan(50);
    // everything else is unchanged
    const { account: _a, ...rest } = expanded[1] as Row;
    const { account: _b, ...plainRest } = plain[1] as Row;
    expect(rest).toEqual(plainRest);

    // one record
    const withAccount = plain.find((r) => r.account === acme.id) as Row;
    const one = await t.call('GET', `/api/records/items/${withAccount.id}?expand=account`);
    expect(one.status).toBe(200);
    expect(one.body.account).toMatchObject({ id: acme.id, name: 'Acme' });
    // the expanded record reads exactly like the record itself
    const direct = await t.call('GET', `/api/records/accounts/${acme.id}`);
    expect(one.body.account).toEqual(direct.body);
  });

  it('refuses expanding what is not a lookup', async () => {
    for (const expand of ['name', 'colors', 'nope', 'account.name', 'owner_id']) {
      const r = await get(`expand=${expand}`);
      expect(r.status, expand).toBe(400);
      expect(r.body.error.code).toBe('INVALID_QUERY');
      expect(r.body.error.details.map((d: Row) => d.path)).toEqual(['expand']);
    }
    const one = await t.call('GET', `/api/records/items/${created[0]}?expand=name`);
    expect(one.status).toBe(400);
  });

  it('fields= returns only the columns asked for, plus id, version, the sort keys and the currency of money', async () => {
    const r = await get('fields=name,email&sort=-amount&limit=3');
    expect(r.status).toBe(200);
    for (const row of r.body.data) {
      // `amount` is money (a sort key here): it never travels without its currency.
      expect(Object.keys(row).sort()).toEqual([
        'amount',
        'currency_code',
        'email',
        'id',
        'name',
        'version',
      ]);
    }
    const walked = await walk('fields=name&sort=-amount,name');
    const full = await get('sort=-amount,name&limit=200');
    expect(walked.map((x) => x.id)).toEqual(full.body.data.map((x: Row) => x.id));
    const bad = await get('fields=name,nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: 'fields', message: expect.stringContaining('nope') },
    ]);
  });
});
