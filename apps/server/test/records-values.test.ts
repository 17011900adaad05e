import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

/** Values are stored as sent or refused at their path: never rounded, never half-valid. */
const LEDGER = {
  kind: 'module',
  name: 'ledger',
  recordName: 'title',
  defaultCurrency: 'CNY',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    { name: 'small', type: 'decimal', precision: 6, scale: 2, max: 1e9 },
    { name: 'count', type: 'integer' },
    { name: 'stage', type: 'picklist', options: [{ value: 'open' }, { value: 'won' }] },
    { name: 'tags', type: 'tags' },
    { name: 'notes', type: 'textarea' },
    {
      name: 'scaled',
      type: 'formula',
      returns: 'currency',
      expression: { '*': [{ var: 'amount' }, 1000] },
    },
  ],
};

const RAW_JSON = { 'content-type': 'application/json' };

describe('records: values are exact, or refused at their path', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([LEDGER]);
  });
  afterAll(async () => t.close());

  /** Sends raw JSON text, so numbers reach the server digit for digit. */
  async function send(method: 'POST' | 'PATCH', url: string, text: string, locale?: string) {
    const r = await t.app.inject({
      method,
      url,
      headers: {
        ...RAW_JSON,
        authorization: `Bearer ${t.token}`,
        ...(locale ? { 'accept-language': locale } : {}),
      },
      payload: text,
    });
    return { status: r.statusCode, body: r.json() } as Reply;
  }
  const rows = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from ws_main.ledger`.execute(t.handle.db))
      .rows[0]?.n;
  const paths = (r: Reply) => r.body.error.details.map((d: { path: string }) => d.path).sort();

  it('refuses a number JSON cannot hold exactly instead of rounding it', async () => {
    const before = await rows();
    // 99999999999999.99 reads back as …98: refused too
    const close = await send(
      'POST',
      '/api/records/ledger',
      '{"title":"x","amount":99999999999999.99}',
    );
    expect(paths(close)).toEqual(['amount']);
    const big = await send(
      'POST',
      '/api/records/ledger',
      '{"title":"x","amount":999999999999999.99}',
    );
    expect(big.status).toBe(400);
    expect(big.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(big)).toEqual(['amount']);
    const integer = await send(
      'POST',
      '/api/records/ledger',
      '{"title":"x","count":9007199254740993}',
    );
    expect(paths(integer)).toEqual(['count']);
    const huge = await send('POST', '/api/records/ledger', '{"title":"x","count":1e400}');
    expect(paths(huge)).toEqual(['count']);
    expect(await rows()).toBe(before);

    // what a double holds exactly passes, trailing zeros and exponents included
    const fine = await send(
      'POST',
      '/api/records/ledger',
      '{"title":"ok","amount":12345678901234.56,"small":1.50,"count":9007199254740991}',
    );
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
    expect(fine.body).toMatchObject({
      amount: 12345678901234.56,
      small: 1.5,
      count: 9007199254740991,
    });
    const exp = await send('POST', '/api/records/ledger', '{"title":"e","amount":1.5e3}');
    expect(exp.body.amount).toBe(1500);
  });

  it('checks numbers exactly on update and in bulk too, at their paths', async () => {
    const created = (await t.call('POST', '/api/records/ledger', { title: 'p' })).body;
    const patch = await send(
      'PATCH',
      `/api/records/ledger/${created.id}`,
      '{"version":1,"amount":999999999999999.99}',
    );
    expect(patch.status).toBe(400);
    expect(paths(patch)).toEqual(['amount']);
    const bulk = await send(
      'POST',
      '/api/records/ledger/bulk',
      '{"create":[{"title":"a","amount":1},{"title":"b","amount":999999999999999.99}]}',
    );
    expect(bulk.status).toBe(400);
    expect(paths(bulk)).toEqual(['create[1].amount']);
  });

  it('a formula result the column cannot hold is stored empty, not a server error', async () => {
    const r = await t.call('POST', '/api/records/ledger', { title: 'f', amount: 1e14 });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.scaled).toBeNull();
    const ok = await t.call('POST', '/api/records/ledger', { title: 'g', amount: 2.5 });
    expect(ok.body.scaled).toBe(2500);
  });

  it('refuses a value beyond the column, whatever min/max the admin wrote, and too many decimals', async () => {
    for (const [field, value] of [
      ['amount', 1e16],
      ['amount', -1e16],
      ['small', 10000], // numeric(6,2) holds < 10^4, even with max: 1e9
      ['small', 1.234],
      ['amount', 0.001],
      ['count', 2 ** 60],
    ] as const) {
      const r = await t.call('POST', '/api/records/ledger', { title: 'x', [field]: value });
      expect(r.status, `${field}=${value}`).toBe(400);
      expect(paths(r)).toEqual([field]);
    }
    const edge = await t.call('POST', '/api/records/ledger', { title: 'x', small: 9999.99 });
    expect(edge.status).toBe(201);
    expect(edge.body.small).toBe(9999.99);
  });

  it('currency_code must be an active ISO 4217 code', async () => {
    const bad = await t.call('POST', '/api/records/ledger', { title: 'x', currency_code: 'XXQ' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([
      { path: 'currency_code', message: 'is not an active ISO 4217 currency code' },
    ]);
    const ok = await t.call('POST', '/api/records/ledger', { title: 'x', currency_code: 'JPY' });
    expect(ok.status).toBe(201);
    expect(ok.body.currency_code).toBe('JPY');
    const dflt = await t.call('POST', '/api/records/ledger', { title: 'y' });
    expect(dflt.body.currency_code).toBe('CNY');
    // and a module's defaultCurrency is checked at apply
    const r = await t.call('POST', '/api/meta/apply', {
      documents: [{ ...LEDGER, defaultCurrency: 'XXQ' }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'documents[0].defaultCurrency',
    ]);
  });

  it('refuses NUL characters in text values at their path, writing nothing', async () => {
    const before = await rows();
    const r = await t.call('POST', '/api/records/ledger', {
      title: 'a\u0000b',
      notes: 'fine',
      tags: ['ok', 'n\u0000l'],
    });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['tags[1]', 'title']);
    expect(await rows()).toBe(before);
    const created = (await t.call('POST', '/api/records/ledger', { title: 'clean' })).body;
    const patch = await t.call('PATCH', `/api/records/ledger/${created.id}`, {
      version: 1,
      notes: '\u0000',
    });
    expect(patch.status).toBe(400);
    expect(paths(patch)).toEqual(['notes']);
  });

  it('answers value problems in Chinese to a zh-CN caller', async () => {
    const r = await send(
      'POST',
      '/api/records/ledger',
      '{"count":"many","stage":"lost","colour":1,"amount":0.001,"currency_code":"XXQ"}',
      'zh-CN',
    );
    expect(r.status).toBe(400);
    const byPath = Object.fromEntries(
      r.body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
    );
    expect(byPath).toEqual({
      title: '必填',
      count: expect.stringMatching(/[\u4e00-\u9fff]/),
      stage: '必须是以下之一：["open","won"]',
      colour: '不是已知字段',
      amount: '小数位数过多',
      currency_code: '不是有效的 ISO 4217 币种代码',
    });
    const inexact = await send(
      'POST',
      '/api/records/ledger',
      '{"title":"x","amount":1e400}',
      'zh-CN',
    );
    expect(inexact.body.error.details[0].message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('records: required means one thing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('refuses at apply a default that breaks the field’s own rules, required included', async () => {
    for (const [field, why] of [
      [{ name: 'code', type: 'text', required: true, default: null }, 'null on a required field'],
      [{ name: 'code', type: 'text', required: true, default: '' }, 'blank on a required field'],
      [{ name: 'n', type: 'integer', max: 5, default: 6 }, 'beyond max'],
      [{ name: 'c', type: 'currency', default: 1e16 }, 'beyond the column'],
    ] as const) {
      const r = await t.call('POST', '/api/meta/apply', {
        documents: [{ kind: 'module', name: 'things', fields: [field] }],
      });
      expect(r.status, why).toBe(400);
      expect(
        r.body.error.details.map((d: { path: string }) => d.path),
        why,
      ).toEqual(['documents[0].fields[0].default']);
    }
  });

  it('a required field is judged by the value that would be stored, defaults merged', async () => {
    // A document stored before this check (written straight into the store) still cannot make
    // POST {} store null: validation runs after the defaults are merged.
    await t.apply([
      {
        kind: 'module',
        name: 'tickets',
        fields: [
          { name: 'title', type: 'text' },
          { name: 'priority', type: 'integer', required: true, default: 3 },
        ],
      },
    ]);
    await sql`update ws_main._meta_documents set body = jsonb_set(body, '{fields,1,default}', 'null'::jsonb) where key = 'module:tickets'`.execute(
      t.handle.db,
    );
    await sql`insert into ws_main._meta_revisions (n, summary, changes, steps) select max(n) + 1, 'test', '[]', '[]' from ws_main._meta_revisions`.execute(
      t.handle.db,
    );
    const r = await t.call('POST', '/api/records/tickets', {});
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual(['priority']);
    const n = await sql<{ n: number }>`select count(*)::int as n from ws_main.tickets`.execute(
      t.handle.db,
    );
    expect(n.rows[0]?.n).toBe(0);
  });
});
