import { ERRORS, type ErrorCode } from '@atrium/engine';
import { LOCALES, messageCatalogs } from '@atrium/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Every refusal speaks the caller's language: the same bad request, sent once in English and once
 * with Accept-Language zh-CN, gets the same code and paths, and in zh-CN no message — top-level
 * or in details — is an English sentence.
 */

const accounts = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'region', type: 'text' },
  ],
};
const deals = {
  kind: 'module',
  name: 'deals',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text', required: true, maxLength: 100 },
    { name: 'code', type: 'text', unique: true },
    { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
    { name: 'stage', type: 'picklist', options: [{ value: 'new' }, { value: 'won' }] },
    { name: 'account', type: 'lookup', target: 'accounts', onDelete: 'restrict' },
  ],
};
const openDeals = {
  kind: 'view',
  module: 'deals',
  name: 'open',
  type: 'table',
  columns: ['title', 'stage'],
  filter: { '==': [{ var: 'stage' }, 'new'] },
};

const CJK = /[\u3400-\u9fff]/;

interface Refusal {
  status: number;
  error: { code: ErrorCode; message: string; details: { path: string; message: string }[] };
}

describe('refusals in the caller language', () => {
  let t: TestApp;
  let accountId: string;
  let dealId: string;
  let userToken: string;
  const seen = new Set<ErrorCode>();

  /** Sends the request in `locale` as the administrator (or `token`); the refusal it gets. */
  async function refusal(
    locale: string,
    method: string,
    url: string,
    body?: unknown,
    token: string | null = t.token,
  ): Promise<Refusal> {
    const raw = await t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        'accept-language': locale,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
      },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: raw.statusCode, error: raw.json().error };
  }

  /**
   * The request refused in both languages with the same code and paths: English without
   * Chinese, Chinese in every message.
   */
  async function refusedInBoth(
    code: ErrorCode,
    method: string,
    url: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ en: Refusal; zh: Refusal }> {
    const en = await refusal('en-US,en;q=0.9', method, url, body, token);
    const zh = await refusal('zh-CN,zh;q=0.9', method, url, body, token);
    expect(en.error?.code, `${method} ${url}: ${JSON.stringify(en)}`).toBe(code);
    expect(zh.error.code).toBe(code);
    expect(en.status).toBe(ERRORS[code].status);
    expect(zh.status).toBe(en.status);
    expect(zh.error.details.map((d) => d.path)).toEqual(en.error.details.map((d) => d.path));
    for (const m of [en.error.message, ...en.error.details.map((d) => d.message)])
      expect(m, `${code} in English`).not.toMatch(CJK);
    for (const m of [zh.error.message, ...zh.error.details.map((d) => d.message)])
      expect(m, `${code} in zh-CN (${method} ${url})`).toMatch(CJK);
    seen.add(code);
    return { en, zh };
  }

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([accounts, deals, openDeals]);
    accountId = (await t.call('POST', '/api/records/accounts', { name: 'Acme', region: 'north' }))
      .body.id;
    await t.call('POST', '/api/records/accounts', { name: 'Globex', region: 'north' });
    dealId = (
      await t.call('POST', '/api/records/deals', {
        title: 'Big one',
        code: 'D-1',
        account: accountId,
      })
    ).body.id;
    userToken = await t.userToken('someone@example.com');
  });
  afterAll(async () => t.close());

  it('says what is wrong with a list query', async () => {
    const list = '/api/records/deals';
    const limit = await refusedInBoth('INVALID_QUERY', 'GET', `${list}?limit=abc`);
    expect(limit.en.error.details).toEqual([
      { path: 'limit', message: 'must be a whole number from 1 to 200, in decimal digits' },
    ]);
    expect(limit.zh.error.details[0]?.message).toBe('必须是 1 到 200 之间的整数（十进制数字）');
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?limit=500`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?count=yes`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?colour=red`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?limit=1&limit=2`);
    const sort = await refusedInBoth('INVALID_QUERY', 'GET', `${list}?sort=nope`);
    expect(sort.zh.error.details).toEqual([{ path: 'sort', message: '不能按“nope”排序' }]);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?sort=a,b,c,d,e,f,g`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?cursor=bm90LWEtY3Vyc29y`);
    const view = await refusedInBoth('INVALID_QUERY', 'GET', `${list}?view=nope`);
    expect(view.en.error.details[0]?.message).toBe('deals has no view named "nope"');
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?view=open&fields=code`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?fields=nope`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?expand=title`);
    await refusedInBoth('INVALID_QUERY', 'GET', `${list}?q=${'x'.repeat(201)}`);
  });

  it('says why a filter cannot be used', async () => {
    const list = '/api/records/deals?filter=';
    const op = await refusedInBoth(
      'INVALID_FILTER',
      'GET',
      list + filterParam({ regex: [{ var: 'title' }, 'a'] }),
    );
    expect(op.en.error.details).toEqual([
      { path: 'filter.regex', message: 'operator "regex" cannot be used in a filter' },
    ]);
    expect(op.zh.error.details[0]?.message).toBe('运算符“regex”不能用于筛选条件');
    await refusedInBoth('INVALID_FILTER', 'GET', `${list}not-json`);
    await refusedInBoth(
      'INVALID_FILTER',
      'GET',
      list + filterParam({ '==': [{ var: 'nope' }, 1] }),
    );
    const value = await refusedInBoth(
      'INVALID_FILTER',
      'GET',
      list + filterParam({ '>': [{ var: 'amount' }, 'lots'] }),
    );
    expect(value.zh.error.details[0]?.message).toBe('"lots" 不是数字（字段 amount）');
    await refusedInBoth(
      'INVALID_FILTER',
      'GET',
      list + filterParam({ '<': [{ var: 'stage' }, 'won'] }),
    );
    await refusedInBoth(
      'INVALID_FILTER',
      'GET',
      list + filterParam({ date_in: [{ var: 'created_at' }, 'someday'] }),
    );
    await refusedInBoth('INVALID_FILTER', 'GET', list + filterParam({ '==': [{ var: '$me' }, 1] }));
  });

  it('says why a write is refused', async () => {
    const duplicate = await refusedInBoth('DUPLICATE_VALUE', 'POST', '/api/records/deals', {
      title: 'Again',
      code: 'D-1',
    });
    expect(duplicate.en.error.details).toEqual([
      { path: 'code', message: 'is already used by another record' },
    ]);
    expect(duplicate.zh.error.details).toEqual([{ path: 'code', message: '已被其他记录使用' }]);
    const dangling = await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/records/deals', {
      title: 'Nowhere',
      account: '00000000-0000-4000-8000-000000000000',
    });
    expect(dangling.en.error.details).toEqual([
      { path: 'account', message: 'points to a record that does not exist' },
    ]);
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/records/deals', {
      amount: 'lots',
      stage: 'maybe',
      colour: 'red',
    });
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/records/deals', '{"title": 1e999}');
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/records/deals', {
      title: 'a\u0000b',
    });
    await refusedInBoth('BAD_REQUEST', 'POST', '/api/records/deals', '{"title": ');
    await refusedInBoth('UNKNOWN_MODULE', 'GET', '/api/records/nope');
    await refusedInBoth(
      'NOT_FOUND',
      'GET',
      '/api/records/deals/00000000-0000-4000-8000-000000000000',
    );
    await refusedInBoth('VERSION_CONFLICT', 'PATCH', `/api/records/deals/${dealId}`, {
      version: 99,
      title: 'Stale',
    });
    await refusedInBoth('INVALID_QUERY', 'DELETE', `/api/records/deals/${dealId}?version=x`);
    await refusedInBoth('REFERENCED', 'DELETE', `/api/records/accounts/${accountId}`);
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/records/deals/bulk', {
      create: [{ title: 'One', code: 'B-1' }, { code: 'B-2' }],
    });
    await refusedInBoth('ROUTE_NOT_FOUND', 'GET', '/api/nothing-here');
    await refusedInBoth('FORBIDDEN', 'GET', '/api/records/deals', undefined, userToken);
  });

  it('says what is wrong with metadata documents, at plan and at apply', async () => {
    const badDocs = await refusedInBoth('INVALID_METADATA', 'POST', '/api/meta/plan', {
      documents: [
        {
          ...deals,
          fields: [
            ...deals.fields,
            { name: 'Bad Name', type: 'text' },
            { name: 'x', type: 'nope' },
          ],
        },
      ],
    });
    expect(badDocs.en.error.details.length).toBeGreaterThan(0);
    await refusedInBoth('INVALID_METADATA', 'POST', '/api/meta/plan', {
      documents: [{ ...openDeals, columns: ['title', 'nope'] }],
    });
    await refusedInBoth('INVALID_METADATA', 'POST', '/api/meta/plan', {
      documents: [{ ...openDeals, filter: { '<': [{ var: 'stage' }, 'won'] } }],
    });
    await refusedInBoth('INVALID_METADATA', 'POST', '/api/meta/plan', {
      documents: [
        { ...accounts, fields: [...accounts.fields, { name: 'name', type: 'text' }] },
        { kind: 'role', name: 'a', parent: 'b' },
        { kind: 'role', name: 'b', parent: 'a' },
      ],
    });
    const unique = {
      ...accounts,
      fields: [accounts.fields[0], { name: 'region', type: 'text', unique: true }],
    };
    const conflict = await refusedInBoth('DATA_CONFLICT', 'POST', '/api/meta/apply', {
      documents: [unique],
    });
    expect(conflict.en.error.details[0]?.message).toBe(
      'accounts.region cannot become unique: records share values, e.g. "north" (2 records)',
    );
    expect(conflict.zh.error.details[0]?.message).toBe(
      'accounts.region 无法设为唯一：已有记录使用相同的值，例如 "north"（2 条记录）',
    );
    await refusedInBoth('DESTRUCTIVE_CHANGE', 'POST', '/api/meta/apply', {
      documents: [{ ...accounts, fields: [accounts.fields[0]] }],
    });
    await refusedInBoth('METADATA_CHANGED', 'POST', '/api/meta/apply', {
      documents: [accounts],
      baseRevision: 1000,
    });
    await refusedInBoth('INVALID_METADATA', 'POST', '/api/meta/apply', {
      documents: [accounts],
      resolutions: { 'accounts.region': { fill: 'x' } },
    });
    await refusedInBoth('NOT_FOUND', 'GET', '/api/meta/revisions/999');
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/meta/revisions/abc');
    await refusedInBoth('FORBIDDEN', 'POST', '/api/meta/plan', { documents: [] }, userToken);
  });

  it('reports plan impacts in the caller language', async () => {
    const required = {
      ...accounts,
      fields: [
        accounts.fields[0],
        { name: 'region', type: 'text' },
        { name: 'vat', type: 'text', required: true },
      ],
    };
    const plan = async (locale: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/meta/plan',
          headers: { authorization: `Bearer ${t.token}`, 'accept-language': locale },
          payload: { documents: [required] },
        })
      ).json() as { steps: { impact?: { message: string; key?: unknown }[] }[] };
    const impacts = async (locale: string) =>
      (await plan(locale)).steps.flatMap((s) => s.impact ?? []);
    const [en] = await impacts('en');
    const [zh] = await impacts('zh-CN');
    expect(en?.message).toMatch(/^2 records have no accounts\.vat/);
    expect(zh?.message).toMatch(/^2 条记录的 accounts\.vat 为空/);
    expect(zh).not.toHaveProperty('key');
  });

  it('says what is wrong with settings, users, sessions, tokens and jobs', async () => {
    await refusedInBoth('VALIDATION_FAILED', 'PUT', '/api/settings', { timeZone: 'Mars/Olympus' });
    await refusedInBoth('VALIDATION_FAILED', 'PUT', '/api/settings', { timeZone: 3 });
    await refusedInBoth('FORBIDDEN', 'PUT', '/api/settings', { timeZone: 'UTC' }, userToken);
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/users', { name: 'No e-mail' });
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/users', {
      email: 'x@example.com',
      locale: 'fr',
    });
    await refusedInBoth('DUPLICATE_EMAIL', 'POST', '/api/users', { email: 'someone@example.com' });
    await refusedInBoth(
      'NO_SUCH_USER',
      'PATCH',
      '/api/users/00000000-0000-4000-8000-000000000000',
      {
        name: 'Nobody',
      },
    );
    await refusedInBoth('INVALID_QUERY', 'PATCH', '/api/users/not-a-uuid', { name: 'x' });
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/auth/password', {
      current: 'wrong password',
      new: 'a new password here',
    });
    await refusedInBoth('LINK_EXPIRED', 'POST', '/api/auth/reset', {
      token: 'not-a-token',
      password: 'a new password here',
    });
    await refusedInBoth(
      'UNAUTHORIZED',
      'POST',
      '/api/auth/login',
      { email: 'admin@example.com', password: 'not the password' },
      null,
    );
    await refusedInBoth('UNAUTHORIZED', 'GET', '/api/records/deals', undefined, null);
    await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/tokens', {
      name: 'old',
      expiresAt: '2000-01-01T00:00:00Z',
    });
    await refusedInBoth(
      'NO_SUCH_TOKEN',
      'DELETE',
      '/api/tokens/00000000-0000-4000-8000-000000000000',
    );
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/audit?since=yesterday');
    await refusedInBoth('VALIDATION_FAILED', 'GET', '/api/audit?since=2016-12-31T23:59:60Z');
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/jobs?status=sleeping');
    await refusedInBoth('NOT_FOUND', 'POST', '/api/jobs/abc/retry');
  });

  it("speaks the user's own language when the request names none", async () => {
    const token = await t.userToken('lin@example.com', { admin: true });
    const asked = async () =>
      (
        await t.app.inject({
          method: 'GET',
          url: '/api/records/deals?limit=abc',
          headers: { authorization: `Bearer ${token}` },
        })
      ).json().error as Refusal['error'];
    expect((await asked()).details).toEqual([
      { path: 'limit', message: 'must be a whole number from 1 to 200, in decimal digits' },
    ]);
    const chosen = await t.call('PATCH', '/api/auth/me', { locale: 'zh-CN' }, token);
    expect(chosen.status).toBe(200);
    const zh = await asked();
    expect(zh.message).toBe('查询参数无效');
    expect(zh.details).toEqual([
      { path: 'limit', message: '必须是 1 到 200 之间的整数（十进制数字）' },
    ]);
    // Accept-Language still wins: the same user asking in English reads English.
    expect(
      (await refusal('en', 'GET', '/api/records/deals?limit=abc', undefined, token)).error.message,
    ).toBe('The query parameters are not valid');
  });

  it('covered a broad sample of the catalog', () => {
    const expected: ErrorCode[] = [
      'VALIDATION_FAILED',
      'INVALID_FILTER',
      'INVALID_QUERY',
      'INVALID_METADATA',
      'UNAUTHORIZED',
      'FORBIDDEN',
      'UNKNOWN_MODULE',
      'NOT_FOUND',
      'VERSION_CONFLICT',
      'DUPLICATE_VALUE',
      'DESTRUCTIVE_CHANGE',
      'METADATA_CHANGED',
      'BAD_REQUEST',
      'ROUTE_NOT_FOUND',
      'REFERENCED',
      'DATA_CONFLICT',
      'NO_SUCH_USER',
      'NO_SUCH_TOKEN',
      'LINK_EXPIRED',
      'DUPLICATE_EMAIL',
    ];
    expect([...seen].sort()).toEqual([...expected].sort());
  });
});

describe('message catalogs', () => {
  it('have every key in every language, with the same placeholders', async () => {
    // Loading the app loads every catalog its routes use.
    await import('../src/app.js');
    const catalogs = messageCatalogs();
    expect([...catalogs.keys()]).toEqual(
      expect.arrayContaining([
        'value',
        'filter',
        'documents',
        'list',
        'records',
        'meta',
        'request',
        'server',
        'aggregate',
        'automations',
        'blueprints',
        'approvals',
        'conversions',
        'process',
        'reports',
        'plan',
        'automationDocs',
        'reportDocs',
        'conversionDocs',
      ]),
    );
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [area, catalog] of catalogs) {
      for (const [key, texts] of Object.entries(catalog)) {
        for (const locale of LOCALES) {
          expect(texts[locale], `${area}.${key} in ${locale}`).toMatch(/\S/);
        }
        // Chinese, unless the text is nothing but its placeholders (a list item, a value).
        const words = texts['zh-CN'].replace(/\{\w+\}/g, '').trim();
        if (words !== '') expect(texts['zh-CN'], `${area}.${key} in zh-CN`).toMatch(CJK);
        expect(placeholders(texts['zh-CN']), `${area}.${key} placeholders`).toEqual(
          placeholders(texts.en),
        );
      }
    }
  });

  it('have a zh-CN top-level message for every code', () => {
    for (const [code, entry] of Object.entries(ERRORS))
      expect((entry as { 'zh-CN'?: string })['zh-CN'], code).toMatch(CJK);
  });
});
