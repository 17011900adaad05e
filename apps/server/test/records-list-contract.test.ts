import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, type Reply, startTestApp, type TestApp } from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    { name: 'close', type: 'date' },
  ],
};

type Row = Reply['body'];

/** A cursor's JSON, to forge one the way a client could. */
const decode = (cursor: string): unknown[] =>
  JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
const encode = (values: unknown[]): string =>
  Buffer.from(JSON.stringify(values)).toString('base64url');

describe('records: the list contract', () => {
  let t: TestApp;
  let first: Row;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS]);
    for (let i = 0; i < 12; i++) {
      const r = await t.call('POST', '/api/records/deals', {
        name: `Deal ${i}`,
        amount: i * 100,
        close: `2026-03-${String(i + 1).padStart(2, '0')}`,
      });
      expect(r.status).toBe(201);
      first ??= r.body;
    }
    const patched = await t.call('PATCH', `/api/records/deals/${first.id}`, {
      name: 'Deal 0 renamed',
      version: first.version,
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  });
  afterAll(async () => t.close());

  const list = (query: string) => t.call('GET', `/api/records/deals?${query}`);

  /** The answer is one INVALID_QUERY (or `code`) with exactly these paths, and nothing else. */
  async function refused(url: string, paths: string[], code = 'INVALID_QUERY'): Promise<void> {
    const r = await t.call('GET', url);
    expect(r.status, `${url} ${JSON.stringify(r.body)}`).toBe(400);
    expect(r.body.error.code, url).toBe(code);
    expect(
      r.body.error.details.map((d: Row) => d.path),
      url,
    ).toEqual(paths);
  }

  it('parses limit and count strictly', async () => {
    for (const limit of ['0x10', '1e1', '2.0', '+5', ' 5', '05', '0', '201', '-1', 'abc', '1,2']) {
      await refused(`/api/records/deals?limit=${encodeURIComponent(limit)}`, ['limit']);
    }
    for (const count of ['yes', '1', 'TRUE', 'on']) {
      await refused(`/api/records/deals?count=${count}`, ['count']);
    }
    expect((await list('limit=5')).body.data).toHaveLength(5);
    expect((await list('limit=200')).body.data).toHaveLength(12);
    expect((await list('count=true&limit=1')).body.count).toEqual({ value: 12, exact: true });
    expect((await list('count=false')).body).not.toHaveProperty('count');
    // an empty value is no value
    expect((await list('limit=&sort=')).body.data).toHaveLength(12);
  });

  it('refuses unknown and repeated parameters, bad enums and NUL bytes', async () => {
    await refused('/api/records/deals?limt=5', ['limt']);
    await refused('/api/records/deals?sort=name&sort=-name', ['sort']);
    await refused('/api/records/deals?limit=5&limit=6', ['limit']);
    await refused('/api/records/deals?deleted=yes', ['deleted']);
    await refused('/api/records/deals?q=a%00b', ['q']);
    await refused(`/api/records/deals?filter=${'x'.repeat(8001)}`, ['filter']);
    // a NUL written as a JSON escape inside the filter
    await refused(
      `/api/records/deals?filter=${filterParam({ '==': [{ var: 'name' }, 'a\u0000b'] })}`,
      ['filter.==[1]'],
      'INVALID_FILTER',
    );
    await refused(
      `/api/records/deals?filter=${filterParam({ contains: [{ var: 'name' }, '\u0000'] })}`,
      ['filter.contains[1]'],
      'INVALID_FILTER',
    );
    await refused(`/api/records/deals?q=${'x'.repeat(201)}`, ['q']);
    // several problems are reported together
    const r = await list('limt=5&count=yes');
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: Row) => d.path).sort()).toEqual(['count', 'limt']);
  });

  it('refuses a filter nested thousands of levels deep with a 400', async () => {
    let deep: unknown = { '==': [{ var: 'name' }, 'x'] };
    for (let i = 0; i < 1200; i++) deep = { '!': deep };
    const r = await list(`filter=${filterParam(deep)}`);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_FILTER');
  });

  it('refuses a cursor whose values do not match the sort, never a 500', async () => {
    await refused('/api/records/deals?sort=id&cursor=WzFd', ['cursor']);
    await refused(`/api/records/deals?cursor=${encode(['x'])}`, ['cursor']);
    await refused('/api/records/deals?cursor=%E2%98%83', ['cursor']);
    const page = await list('sort=amount,close&limit=2');
    const [binding, , , id] = decode(page.body.nextCursor);
    // the right binding, the wrong types in each position
    for (const values of [
      ['100', '2026-03-02', id],
      [100, '2026-02-30', id],
      [100, '2026-03-02', 'not-a-uuid'],
      [100, '2026-03-02', null],
      [100, { a: 1 }, id],
      [true, '2026-03-02', id],
      [100, '2026-03-02'],
    ]) {
      await refused(`/api/records/deals?sort=amount,close&cursor=${encode([binding, ...values])}`, [
        'cursor',
      ]);
    }
    const next = await list(`sort=amount,close&limit=2&cursor=${page.body.nextCursor}`);
    expect(next.status).toBe(200);
    expect(next.body.data.map((d: Row) => d.amount)).toEqual([200, 300]);
  });

  it('binds a cursor to the sort, filter, q and deleted that made it', async () => {
    const filter = filterParam({ '>': [{ var: 'amount' }, 100] });
    const base = `sort=-amount&filter=${filter}&q=deal`;
    const page = await list(`${base}&limit=3`);
    expect(page.status).toBe(200);
    const cursor = page.body.nextCursor as string;
    expect((await list(`${base}&limit=3&cursor=${cursor}`)).status).toBe(200);
    for (const other of [
      `sort=amount&filter=${filter}&q=deal`,
      `sort=-amount,name&filter=${filter}&q=deal`,
      `sort=-amount&filter=${filterParam({ '>': [{ var: 'amount' }, 200] })}&q=deal`,
      `sort=-amount&q=deal`,
      `sort=-amount&filter=${filter}&q=deal%201`,
      `sort=-amount&filter=${filter}`,
      `${base}&deleted=include`,
    ]) {
      await refused(`/api/records/deals?${other}&cursor=${cursor}`, ['cursor']);
    }
    // the page size and the columns may change between pages
    const wider = await list(`${base}&limit=50&fields=name&cursor=${cursor}`);
    expect(wider.status).toBe(200);
    expect(wider.body.data.map((d: Row) => d.amount)).toEqual([800, 700, 600, 500, 400, 300, 200]);
  });

  it('parses the query of one record and of its history strictly', async () => {
    const url = `/api/records/deals/${first.id}`;
    await refused(`${url}?deleted=yes`, ['deleted']);
    await refused(`${url}?nope=1`, ['nope']);
    await refused(`${url}?expand=a&expand=b`, ['expand']);
    expect((await t.call('GET', `${url}?deleted=true`)).status).toBe(200);
    expect((await t.call('GET', `${url}?deleted=false`)).status).toBe(200);
    await refused(`${url}/history?limit=0x10`, ['limit']);
    await refused(`${url}/history?limit=1&limit=2`, ['limit']);
    await refused(`${url}/history?cursor=WzFd`, ['cursor']);
    await refused(`${url}/history?sort=id`, ['sort']);
    const page = await t.call('GET', `${url}/history?limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.data[0].action).toBe('update');
    const rest = await t.call('GET', `${url}/history?limit=1&cursor=${page.body.nextCursor}`);
    expect(rest.body.data.map((h: Row) => h.action)).toEqual(['create']);
    // a history cursor is bound to its record
    const other = (await list('sort=-amount&limit=1')).body.data[0];
    await refused(`/api/records/deals/${other.id}/history?cursor=${page.body.nextCursor}`, [
      'cursor',
    ]);
  });

  it('answers odd queries with a 200 or a 4xx in the error shape, never a 500', async () => {
    const odd = [
      'sort=-',
      'sort=,',
      'sort=--name',
      'sort=name.',
      'sort=.name',
      'sort=id,id,-id',
      'sort=__proto__',
      'sort=constructor',
      'expand=,',
      'expand=__proto__',
      'fields=,',
      'fields=__proto__',
      'cursor=W10',
      'cursor=WyJ4Il0',
      'cursor=bnVsbA',
      'cursor=e30',
      `cursor=${'A'.repeat(1999)}`,
      'filter=null',
      'filter=[]',
      'filter=1',
      'filter=%7B%7D',
      'filter=%7B%22var%22%3A%22name%22%7D',
      'q=%25',
      'q=%5C',
      'view=',
      'view=__proto__',
      'view=x%27%3B',
      '__proto__=1',
      'constructor=1',
      'toString=x',
      'limit=9007199254740993',
      'limit=-0',
      'count=',
      'deleted=',
      'count=true&deleted=only&q=x&sort=-amount,close&expand=&fields=name',
    ];
    for (const query of odd) {
      const r = await list(query);
      expect(r.status, `${query} ${JSON.stringify(r.body)}`).toBeLessThan(500);
      if (r.status >= 400) {
        expect(Object.keys(r.body), query).toEqual(['error']);
        expect(typeof r.body.error.code).toBe('string');
        expect(Array.isArray(r.body.error.details)).toBe(true);
      }
    }
  });

  it('publishes the same contract in OpenAPI, typed', async () => {
    const doc = (await t.call('GET', '/api/openapi.json')).body;
    const params = doc.paths['/api/records/deals'].get.parameters as Row[];
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(
      [
        'count',
        'cursor',
        'deleted',
        'expand',
        'fields',
        'filter',
        'limit',
        'q',
        'sort',
        'view',
      ].sort(),
    );
    expect(byName.limit.schema).toEqual({ type: 'integer', minimum: 1, maximum: 200 });
    expect(byName.count.schema).toEqual({ type: 'boolean' });
    expect(byName.deleted.schema.enum).toEqual(['only', 'include']);
    for (const p of params) expect(p.in).toBe('query');
    const one = doc.paths['/api/records/deals/{id}'].get.parameters as Row[];
    expect(one.map((p) => p.name).sort()).toEqual(['deleted', 'expand']);
  });
});
