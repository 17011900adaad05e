import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, type Reply, startTestApp, type TestApp } from './support/test-app.js';

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'text' },
    { name: 'revenue', type: 'currency' },
  ],
};

const STAGES = ['qualification', 'proposal', 'negotiation', 'won', 'lost'];

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'stage', type: 'picklist', options: STAGES.map((value) => ({ value })) },
    { name: 'rank', type: 'integer' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};

type Row = Reply['body'];
/** A list answer. */
interface Page {
  data: Row[];
  nextCursor: string | null;
}

const NAMES = ['OpenAPI', 'aardvark', 'Zulu', 'beta', 'alpha', 'Beta', 'zeta', 'Émile', 'eve'];
/** Han names whose pinyin order (a, li, wang, zhang) differs from their code point order. */
const HAN = ['张三', '李四', '王五', '阿明'];

describe('records: sorting as users expect', () => {
  let t: TestApp;
  let icu: boolean;
  const accounts: Row[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, DEALS]);
    icu =
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_collation
          where collname in ('und-x-icu', 'zh-x-icu')`.execute(t.engine.db)
      ).rows[0]?.n === 2;
    for (const [name, industry, revenue] of [
      ['Beta Corp', 'tech', 500],
      ['acme', 'retail', null],
      ['Zenith', 'tech', 900],
      ['Binned', 'tech', 100],
    ] as const) {
      const r = await t.call('POST', '/api/records/accounts', { name, industry, revenue });
      accounts.push(r.body);
    }
    const names = [...NAMES, ...HAN, null, null, ''];
    for (let i = 0; i < names.length; i++) {
      const r = await t.call('POST', '/api/records/deals', {
        name: names[i],
        stage: i % 6 === 5 ? null : STAGES[(i * 3) % STAGES.length],
        rank: i % 4 === 0 ? null : i % 3,
        account: i % 5 === 4 ? null : (accounts[i % 4] as Row).id,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    // A target in the recycle bin while records still point at it (however it got there).
    await sql`update ws_main.accounts set deleted_at = now() where id = ${accounts[3].id}`.execute(
      t.engine.db,
    );
  });
  afterAll(async () => t.close());

  async function list(query: string, locale = 'en'): Promise<Page> {
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/records/deals?${query}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': locale },
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json();
  }

  /** Every page of `query` at `limit`, checked against one big page. */
  async function walk(query: string, locale = 'en', limit = 2): Promise<Row[]> {
    const big = (await list(`${query}&limit=200`, locale)).data as Row[];
    const rows: Row[] = [];
    let cursor: string | null = null;
    do {
      const page: Row = await list(
        `${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        locale,
      );
      rows.push(...page.data);
      cursor = page.nextCursor;
      expect(rows.length).toBeLessThanOrEqual(big.length);
    } while (cursor);
    expect(rows.map((r) => r.id)).toEqual(big.map((r) => r.id));
    return rows;
  }

  const latin = (rows: Row[]) =>
    rows.map((r) => r.name).filter((n) => n === null || n === '' || NAMES.includes(n));

  it('sorts text linguistically and case-insensitively, empty values last both ways', async () => {
    const asc = latin(await walk('sort=name'));
    const desc = latin(await walk('sort=-name'));
    // null and '' are both empty
    expect(asc.slice(-3).map((n) => n || null)).toEqual([null, null, null]);
    expect(desc.slice(-3).map((n) => n || null)).toEqual([null, null, null]);
    if (!icu) return;
    expect(asc.slice(0, -3)).toEqual([
      'aardvark',
      'alpha',
      'beta',
      'Beta',
      'Émile',
      'eve',
      'OpenAPI',
      'zeta',
      'Zulu',
    ]);
    expect(desc.slice(0, -3)).toEqual([
      'Zulu',
      'zeta',
      'OpenAPI',
      'eve',
      'Émile',
      'Beta',
      'beta',
      'alpha',
      'aardvark',
    ]);
  });

  it('sorts Chinese text in pinyin order for zh-CN callers', async () => {
    if (!icu) return;
    const han = (rows: Row[]) => rows.map((r) => r.name).filter((n) => HAN.includes(n));
    expect(han(await walk('sort=name', 'zh-CN'))).toEqual(['阿明', '李四', '王五', '张三']);
    expect(han(await walk('sort=-name', 'zh-CN'))).toEqual(['张三', '王五', '李四', '阿明']);
    // English callers get the root collation, which does not know pinyin
    expect(han(await walk('sort=name', 'en'))).not.toEqual(['阿明', '李四', '王五', '张三']);
    // a cursor is bound to the collation that made it
    const zh = await list('sort=name&limit=2', 'zh-CN');
    const r = await t.app.inject({
      method: 'GET',
      url: `/api/records/deals?sort=name&cursor=${zh.nextCursor}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'en' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details[0].path).toBe('cursor');
  });

  it('sorts picklists in option order, not alphabetically', async () => {
    for (const dir of ['', '-']) {
      const stages = (await walk(`sort=${dir}stage,name`)).map((r) => r.stage);
      const present = stages.filter((s) => s !== null);
      const order = dir === '' ? STAGES : [...STAGES].reverse();
      const expected = [...present].sort((a, b) => order.indexOf(a) - order.indexOf(b));
      expect(present).toEqual(expected);
      expect(stages.slice(present.length).every((s) => s === null)).toBe(true);
      expect(stages.indexOf(null)).toBe(present.length);
    }
  });

  it('sorts numbers with empty values last in both directions', async () => {
    for (const dir of ['', '-']) {
      const ranks = (await walk(`sort=${dir}rank`, 'en', 3)).map((r) => r.rank);
      const present = ranks.filter((v) => v !== null);
      expect(ranks.slice(present.length).every((v) => v === null)).toBe(true);
      const sorted = [...present].sort((a, b) => (dir === '' ? a - b : b - a));
      expect(present).toEqual(sorted);
    }
  });

  it("sorts by a lookup's field, a target in the recycle bin counting as none", async () => {
    const byId = new Map(accounts.map((a) => [a.id, a]));
    const binned = accounts[3].id;
    for (const [sort, field] of [
      ['account.name', 'name'],
      ['-account.name', 'name'],
      ['account.revenue', 'revenue'],
      ['-account.revenue', 'revenue'],
    ] as const) {
      const rows = await walk(`sort=${sort}`, 'en', 3);
      const values = rows.map((r) =>
        r.account === null || r.account === binned ? null : byId.get(r.account)[field],
      );
      const present = values.filter((v) => v !== null);
      expect(
        values.slice(present.length).every((v) => v === null),
        sort,
      ).toBe(true);
      const key = (v: Row): Row => (typeof v === 'string' ? v.toLowerCase() : v);
      const sorted = [...present].sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const c = x < y ? -1 : x > y ? 1 : 0;
        return sort.startsWith('-') ? -c : c;
      });
      if (icu || field === 'revenue') expect(present, sort).toEqual(sorted);
    }
    // a lookup's field cannot be sorted two levels deep, nor a field the target lacks
    for (const bad of ['account.nope', 'account.name.x', 'stage.name', 'account']) {
      const r = await t.call('GET', `/api/records/deals?sort=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.body.error.details[0].path).toBe('sort');
    }
  });

  it("lets a view sort by a lookup's field", async () => {
    const view = {
      kind: 'view',
      module: 'deals',
      name: 'by_account',
      type: 'table',
      columns: ['name', 'account'],
      sort: [{ field: 'account.name', dir: 'desc' }],
    };
    await t.apply([view]);
    const viaView = await walk('view=by_account');
    const direct = await list('sort=-account.name&limit=200');
    expect(viaView.map((r) => r.id)).toEqual(direct.data.map((r: Row) => r.id));
    const bad = await t.call('POST', '/api/meta/apply', {
      documents: [{ ...view, name: 'bad', sort: [{ field: 'account.nope', dir: 'asc' }] }],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.error.details)).toContain('sort[0].field');
  });

  it('filters, expands and sorts through one lookup join: a binned target is no target', async () => {
    const binned = accounts[3].id;
    const pointing = (await list('limit=200')).data.filter((r: Row) => r.account === binned);
    expect(pointing.length).toBeGreaterThan(0);
    const tech = (
      await list(`limit=200&filter=${filterParam({ '==': [{ var: 'account.industry' }, 'tech'] })}`)
    ).data as Row[];
    expect(tech.length).toBeGreaterThan(0);
    expect(tech.some((r) => r.account === binned)).toBe(false);
    const empty = (
      await list(`limit=200&filter=${filterParam({ is_empty: [{ var: 'account.name' }] })}`)
    ).data as Row[];
    expect(new Set(empty.map((r) => r.id))).toEqual(
      new Set(
        (await list('limit=200')).data
          .filter((r: Row) => r.account === null || r.account === binned)
          .map((r: Row) => r.id),
      ),
    );
    const expanded = (await list('limit=200&expand=account&sort=account.name')).data as Row[];
    for (const r of expanded) {
      if (pointing.some((p: Row) => p.id === r.id)) expect(r.account).toBeNull();
    }
    // the filter and the expand agree on every record
    const withIndustry = (
      await list(
        `limit=200&expand=account&filter=${filterParam({ '!=': [{ var: 'account.industry' }, null] })}`,
      )
    ).data as Row[];
    for (const r of withIndustry) expect(r.account).not.toBeNull();
    expect(withIndustry.length + empty.length).toBe(expanded.length);
  });
});
