import { getRecord, listRecords } from '@atrium/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, type Reply, startTestApp, type TestApp } from './support/test-app.js';

/** Every field type, so each JSON type the compiled serializer writes is exercised. */
const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'revenue', type: 'currency' },
    { name: 'founded', type: 'date' },
    { name: 'parent', type: 'lookup', target: 'accounts' },
  ],
};

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'notes', type: 'textarea' },
    { name: 'email', type: 'email' },
    { name: 'phone', type: 'phone' },
    { name: 'site', type: 'url' },
    { name: 'quantity', type: 'integer' },
    { name: 'ratio', type: 'decimal', precision: 12, scale: 4 },
    { name: 'amount', type: 'currency' },
    { name: 'probability', type: 'percent' },
    { name: 'hot', type: 'boolean' },
    { name: 'close_date', type: 'date' },
    { name: 'call_at', type: 'datetime' },
    { name: 'stage', type: 'picklist', options: [{ value: 'new' }, { value: 'won' }] },
    { name: 'products', type: 'multipicklist', options: [{ value: 'a' }, { value: 'b' }] },
    { name: 'account', type: 'lookup', target: 'accounts' },
    { name: 'reviewer', type: 'user' },
    { name: 'code', type: 'autonumber', prefix: 'D-' },
    {
      name: 'expected',
      type: 'formula',
      returns: 'currency',
      expression: { '*': [{ var: 'amount' }, { '/': [{ var: 'probability' }, 100] }] },
    },
    { name: 'labels', type: 'tags' },
  ],
};

// Text that JSON must escape: quotes, backslashes, control characters, non-BMP characters.
const AWKWARD = 'He said "hi"\\ then\n\ttabbed \u0001 — 商机 😀 </script>';

describe('records: the compiled response serializer', () => {
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, DEALS]);
    const parent = await t.call('POST', '/api/records/accounts', { name: 'Parent' });
    const account = await t.call('POST', '/api/records/accounts', {
      name: AWKWARD,
      revenue: 1234567.89,
      founded: '1999-12-31',
      parent: parent.body.id,
    });
    accountId = account.body.id;
    const me = await t.call('GET', '/api/auth/me');
    const full = {
      name: AWKWARD,
      notes: 'line 1\nline 2\r\n\u2028',
      email: 'a@example.com',
      phone: '+1 555 0100',
      site: 'https://example.com/?q=%22x%22&y=1',
      quantity: -9007199254740991,
      ratio: 0.0001,
      amount: 99999999.99,
      probability: 12.5,
      hot: true,
      close_date: '2026-02-28',
      call_at: '2026-02-01T10:00:00.123Z',
      stage: 'won',
      products: ['a', 'b'],
      account: accountId,
      reviewer: me.body.id,
      labels: ['x', '"quoted"', '中文'],
    };
    for (const body of [full, { name: 'empty' }, { name: 'zero', quantity: 0, hot: false }]) {
      const r = await t.call('POST', '/api/records/deals', body);
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    }
  });
  afterAll(async () => t?.close());

  /**
   * The answer must say what JSON.stringify says of what the read path returns: byte for byte,
   * but for the key order inside an expanded lookup (Postgres's jsonb order there, the record's
   * column order in the answer).
   */
  async function sameAsStringify(url: string, read: () => Promise<unknown>): Promise<Reply> {
    const r = await t.call('GET', url);
    expect(r.status).toBe(200);
    expect(r.raw.headers['content-type']).toBe('application/json; charset=utf-8');
    const expected = JSON.stringify(await read());
    if (url.includes('expand=')) expect(JSON.parse(r.raw.body)).toStrictEqual(JSON.parse(expected));
    else expect(r.raw.body).toBe(expected);
    return r;
  }

  it('writes a page exactly as JSON.stringify does, every field type included', async () => {
    const ctx = { actor: { id: '', email: '', isAdmin: true }, locale: 'en' as const };
    const r = await sameAsStringify('/api/records/deals?sort=name', () =>
      listRecords(t.engine, ctx, 'deals', { sort: 'name' }),
    );
    expect(r.body.data).toHaveLength(3);
    expect(r.body.data.find((d: Reply['body']) => d.name === AWKWARD)).toMatchObject({
      quantity: -9007199254740991,
      hot: true,
      products: ['a', 'b'],
      expected: 12500000,
      currency_code: 'USD',
    });
  });

  it('writes expanded lookups, partial field lists, counts and cursors alike', async () => {
    const ctx = { actor: { id: '', email: '', isAdmin: true }, locale: 'en' as const };
    const query = { expand: 'account', fields: 'name,account,hot', count: 'true', limit: '2' };
    const qs = new URLSearchParams(query).toString();
    const r = await sameAsStringify(`/api/records/deals?${qs}`, () =>
      // The route parses the query (list-query.ts); the read path takes it typed.
      listRecords(t.engine, ctx, 'deals', { ...query, count: true, limit: 2 }),
    );
    expect(r.body.count).toEqual({ value: 3, exact: true });
    expect(typeof r.body.nextCursor).toBe('string');
    const withAccount = await sameAsStringify(
      `/api/records/deals?expand=account&filter=${filterParam({ '==': [{ var: 'name' }, AWKWARD] })}`,
      () =>
        listRecords(t.engine, ctx, 'deals', {
          expand: 'account',
          filter: JSON.stringify({ '==': [{ var: 'name' }, AWKWARD] }),
        }),
    );
    const expanded = withAccount.body.data[0].account;
    expect(expanded).toMatchObject({ id: accountId, name: AWKWARD, revenue: 1234567.89 });
    // One level only: the account's own lookup stays an id.
    expect(typeof expanded.parent).toBe('string');
  });

  it('writes one record exactly as JSON.stringify does, expanded or not', async () => {
    const ctx = { actor: { id: '', email: '', isAdmin: true }, locale: 'en' as const };
    const list = await t.call('GET', '/api/records/deals?sort=name');
    for (const row of list.body.data) {
      await sameAsStringify(`/api/records/deals/${row.id}`, () =>
        getRecord(t.engine, ctx, 'deals', row.id),
      );
      await sameAsStringify(`/api/records/deals/${row.id}?expand=account`, () =>
        getRecord(t.engine, ctx, 'deals', row.id, { expand: 'account' }),
      );
    }
  });

  it('follows the metadata: a field added by an apply is in the next answer', async () => {
    await t.apply([{ ...DEALS, fields: [...DEALS.fields, { name: 'region', type: 'text' }] }]);
    const id = (await t.call('POST', '/api/records/deals', { name: 'new', region: 'north' })).body
      .id;
    const r = await t.call('GET', `/api/records/deals/${id}`);
    expect(r.body.region).toBe('north');
    const page = await t.call('GET', '/api/records/deals?fields=region&sort=name');
    expect(page.body.data.map((d: Reply['body']) => d.region ?? null)).toContain('north');
  });

  it('still answers errors in the error shape', async () => {
    const r = await t.call('GET', '/api/records/deals?limit=abc');
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].path).toBe('limit');
  });
});
