import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectOptions } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, filterParam, type Reply, startTestApp, type TestApp } from './support/test-app.js';

const CONTACTS = {
  kind: 'module',
  name: 'contacts',
  label: { en: 'Contacts', 'zh-CN': '联系人' },
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'code', type: 'text', pattern: '^(a+)+$' },
    { name: 'age', type: 'integer' },
  ],
};

/** A 4xx in the one error shape, with `code` and (when given) these detail paths. */
function expectRefusal(
  r: Pick<Reply, 'status' | 'body'>,
  status: number,
  code: string,
  paths?: string[],
) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toEqual({
    error: { code, message: expect.any(String), details: expect.any(Array) },
  });
  for (const d of r.body.error.details) {
    expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
  }
  if (paths)
    expect([...new Set(r.body.error.details.map((d: { path: string }) => d.path))]).toEqual(paths);
}

/** `{ '!': [ … ] }` nested `depth` times around `true`, as JSON text (JSON.stringify would overflow). */
function nestedJson(depth: number): string {
  return `${'{"!":['.repeat(depth)}true${']}'.repeat(depth)}`;
}
const nested = (depth: number): unknown => JSON.parse(nestedJson(depth));

describe('bad input', () => {
  let t: TestApp;
  let revision: number;
  /** Rows in the table, the recycle bin's included. */
  const count = async () => {
    const table = t.engine.metadata.current.modules.get('contacts')?.table as string;
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(table)}`.execute(
      t.handle.db,
    );
    return r.rows[0]?.n;
  };
  const currentRevision = async () => (await t.call('GET', '/api/meta')).body.revision as number;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([CONTACTS]);
    revision = await currentRevision();
    expect((await t.call('POST', '/api/records/contacts', { name: 'Ann' })).status).toBe(201);
  });
  afterAll(async () => t.close());

  it('refuses NUL and lone surrogates in filters, searches, the login and metadata, writing nothing', async () => {
    const cases: [string, string, unknown, number, string, string[]][] = [
      [
        'GET',
        `/api/records/contacts?filter=${filterParam({ '==': [{ var: 'name' }, 'a\u0000b'] })}`,
        undefined,
        400,
        'INVALID_FILTER',
        ['filter.==[1]'],
      ],
      [
        'GET',
        `/api/records/contacts?filter=${filterParam({ '==': [{ var: 'name' }, 'a\ud800'] })}`,
        undefined,
        400,
        'INVALID_FILTER',
        ['filter.==[1]'],
      ],
      ['GET', '/api/records/contacts?q=a%00b', undefined, 400, 'INVALID_QUERY', ['q']],
      ['GET', '/api/users?q=a%00b', undefined, 400, 'INVALID_QUERY', ['q']],
      ['GET', '/api/records/con%00tacts', undefined, 400, 'INVALID_QUERY', ['module']],
      [
        'POST',
        '/api/auth/login',
        { email: 'admin@example.com\u0000', password: ADMIN.password },
        400,
        'VALIDATION_FAILED',
        ['email'],
      ],
      [
        'POST',
        '/api/meta/apply',
        { documents: [{ ...CONTACTS, label: { en: 'Con\u0000tacts' } }] },
        400,
        'VALIDATION_FAILED',
        ['documents[0].label.en'],
      ],
      [
        'POST',
        '/api/meta/apply',
        { documents: [{ ...CONTACTS, name: 'contacts\u0000' }] },
        400,
        'VALIDATION_FAILED',
        ['documents[0].name'],
      ],
      [
        'POST',
        '/api/meta/apply',
        { documents: [{ ...CONTACTS, label: { en: 'Con\udc00tacts' } }] },
        400,
        'VALIDATION_FAILED',
        ['documents[0].label.en'],
      ],
      [
        'POST',
        '/api/meta/plan',
        { documents: [{ ...CONTACTS, fields: [{ name: 'a\u0000', type: 'text' }] }] },
        400,
        'VALIDATION_FAILED',
        ['documents[0].fields[0].name'],
      ],
      [
        'POST',
        '/api/records/contacts',
        { name: 'x', 'a\u0000': 1 },
        400,
        'VALIDATION_FAILED',
        ['(body)'],
      ],
    ];
    for (const [method, url, body, status, code, paths] of cases) {
      const r = await t.call(method, url, body);
      expectRefusal(r, status, code, paths);
    }
    expect(await currentRevision()).toBe(revision);
    expect(await count()).toBe(1);
  });

  it('refuses revision numbers outside the integer range with 400', async () => {
    for (const url of [
      '/api/meta/revisions?before=1e30',
      '/api/meta/revisions?before=-1e30',
      '/api/meta/revisions?before=99999999999',
      '/api/meta/revisions?before=1&before=2',
    ]) {
      expectRefusal(await t.call('GET', url), 400, 'INVALID_QUERY', ['before']);
    }
    for (const n of ['99999999999999', '1e3', '0x10', '-1', '0', '2147483648', 'abc']) {
      expectRefusal(await t.call('GET', `/api/meta/revisions/${n}`), 400, 'INVALID_QUERY', ['n']);
      expectRefusal(
        await t.call('POST', `/api/meta/revisions/${n}/revert`, {}),
        400,
        'INVALID_QUERY',
        ['n'],
      );
    }
    // Ajv coerces "Infinity" to a number its own maximum then skips; the guard refuses it.
    for (const url of [
      '/api/meta/revisions?before=Infinity',
      '/api/meta/revisions?limit=Infinity',
      '/api/users?limit=Infinity',
      '/api/users?limit=-Infinity',
    ]) {
      expectRefusal(await t.call('GET', url), 400, 'INVALID_QUERY', [
        url.split(/[?=]/)[1] as string,
      ]);
    }
    expect((await t.call('GET', '/api/meta/revisions?before=2147483647')).status).toBe(200);
    expectRefusal(await t.call('GET', '/api/meta/revisions/2147483647'), 404, 'NOT_FOUND', ['n']);
  });

  it('bounds the depth and size of every JSON Logic expression', async () => {
    // Too long for the list contract's filter parameter (8,000 characters) before it is even read.
    const deepFilter = `/api/records/contacts?filter=${encodeURIComponent(nestedJson(5000))}`;
    expectRefusal(await t.call('GET', deepFilter), 400, 'INVALID_QUERY', ['filter']);
    const deepShort = `/api/records/contacts?filter=${encodeURIComponent(nestedJson(40))}`;
    expectRefusal(await t.call('GET', deepShort), 400, 'INVALID_FILTER', ['filter']);
    const wide = { or: Array.from({ length: 3000 }, () => ({ '==': [{ var: 'age' }, 1] })) };
    const r = await t.app.inject({
      method: 'GET',
      url: '/api/records/contacts',
      query: { filter: JSON.stringify(wide) },
      headers: { authorization: `Bearer ${t.token}` },
    });
    expectRefusal({ status: r.statusCode, body: r.json() }, 400, 'INVALID_QUERY', ['filter']);
    // Within bounds, a nested filter still works.
    const fine = await t.call(
      'GET',
      `/api/records/contacts?filter=${filterParam({ and: [nested(30) as object, { '==': [{ var: 'name' }, 'Ann'] }] })}`,
    );
    expect(fine.status, JSON.stringify(fine.body)).toBe(200);

    const withRule = (when: unknown) => ({
      documents: [{ ...CONTACTS, validationRules: [{ name: 'r', when, message: { en: 'no' } }] }],
    });
    expectRefusal(
      await t.call('POST', '/api/meta/apply', withRule(nested(40))),
      400,
      'INVALID_METADATA',
      ['documents[0].validationRules[0].when'],
    );
    // Thousands of levels are refused before anything recurses over them.
    const deepDocument = await t.app.inject({
      method: 'POST',
      url: '/api/meta/apply',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' },
      payload: `{"documents":[{"kind":"module","name":"contacts","fields":[],"validationRules":[{"name":"r","message":{"en":"no"},"when":${nestedJson(5000)}}]}]}`,
    });
    expectRefusal(
      { status: deepDocument.statusCode, body: deepDocument.json() },
      400,
      'VALIDATION_FAILED',
    );
    const formula = {
      ...CONTACTS,
      fields: [
        ...CONTACTS.fields,
        {
          name: 'f',
          type: 'formula',
          returns: 'integer',
          expression: { '+': Array(2500).fill(1) },
        },
      ],
    };
    expectRefusal(
      await t.call('POST', '/api/meta/apply', { documents: [formula] }),
      400,
      'INVALID_METADATA',
      ['documents[0].fields[3].expression'],
    );
    const view = {
      kind: 'view',
      module: 'contacts',
      name: 'deep',
      type: 'table',
      columns: ['name'],
      filter: nested(40),
    };
    expectRefusal(
      await t.call('POST', '/api/meta/apply', { documents: [CONTACTS, view] }),
      400,
      'INVALID_METADATA',
      ['documents[1].filter'],
    );
    expect(await currentRevision()).toBe(revision);
  });

  it('checks patterns in linear time and refuses the ones that need backtracking', async () => {
    const started = performance.now();
    const r = await t.call('POST', '/api/records/contacts', {
      name: 'x',
      code: `${'a'.repeat(31)}!`,
    });
    expectRefusal(r, 400, 'VALIDATION_FAILED', ['code']);
    expect(performance.now() - started).toBeLessThan(500);
    expect(
      (await t.call('POST', '/api/records/contacts', { name: 'y', code: 'aaaa' })).status,
    ).toBe(201);
    // Over the length a pattern is checked on, a value fails it.
    expectRefusal(
      await t.call('POST', '/api/records/contacts', { name: 'z', code: 'a'.repeat(10_001) }),
      400,
      'VALIDATION_FAILED',
      ['code'],
    );
    for (const pattern of ['^(a)\\1$', 'a(?=b)', '(?<!x)y']) {
      const doc = {
        ...CONTACTS,
        fields: [...CONTACTS.fields, { name: 'p', type: 'text', pattern }],
      };
      const refused = await t.call('POST', '/api/meta/apply', { documents: [doc] });
      expectRefusal(refused, 400, 'INVALID_METADATA', ['documents[0].fields[3].pattern']);
      expect(refused.body.error.details[0].message).toMatch(/linear time/);
    }
    expect(await currentRevision()).toBe(revision);
    expect(await count()).toBe(2);
  });

  it("answers Fastify's own refusals in the error shape", async () => {
    const send = async (opts: InjectOptions) => {
      const r = await t.app.inject({
        ...opts,
        headers: { authorization: `Bearer ${t.token}`, ...opts.headers },
      });
      return { status: r.statusCode, body: r.json() };
    };
    expectRefusal(
      await send({
        method: 'POST',
        url: '/api/records/contacts',
        payload: '{"name": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'BAD_REQUEST',
      ['(body)'],
    );
    expectRefusal(
      await send({
        method: 'POST',
        url: '/api/records/contacts',
        payload: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      ['(body)'],
    );
    expectRefusal(
      await send({
        method: 'POST',
        url: '/api/records/contacts',
        payload: JSON.stringify({ name: 'x'.repeat(1_100_000) }),
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'PAYLOAD_TOO_LARGE',
      ['(body)'],
    );
    expectRefusal(
      await send({
        method: 'POST',
        url: '/api/records/contacts',
        payload: '{"__proto__": {"x": 1}}',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'BAD_REQUEST',
    );
    expectRefusal(await send({ method: 'GET', url: '/api/nothing/here' }), 404, 'ROUTE_NOT_FOUND');
    expectRefusal(
      await send({ method: 'GET', url: `/api/records/${'m'.repeat(200)}` }),
      414,
      'URI_TOO_LONG',
    );
    expectRefusal(await send({ method: 'GET', url: '/api/records/%E0%A4%A' }), 400, 'BAD_REQUEST');
    expect(await count()).toBe(2);
  });

  it('answers in the caller language', async () => {
    const zh = await t.app.inject({
      method: 'GET',
      url: '/api/records/nothing',
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN,zh;q=0.9' },
    });
    expect(zh.json().error).toMatchObject({ code: 'UNKNOWN_MODULE', message: '模块不存在' });
    const en = await t.call('GET', '/api/records/nothing');
    expect(en.body.error).toMatchObject({ code: 'UNKNOWN_MODULE', message: 'No such module' });
    const anonymous = await t.app.inject({
      method: 'GET',
      url: '/api/meta',
      headers: { 'accept-language': 'zh' },
    });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.message).toMatch(/请先登录/);
  });

  it('answers a URL over 16 KB, from the HTTP parser itself, in the error shape', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const get = (path: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end();
      });
    const long = await get(`/api/records/contacts?q=${'x'.repeat(20_000)}`);
    expectRefusal({ status: long.status, body: JSON.parse(long.body) }, 431, 'HEADERS_TOO_LARGE');
    const param = await get(`/api/records/${'m'.repeat(5000)}`);
    expectRefusal({ status: param.status, body: JSON.parse(param.body) }, 414, 'URI_TOO_LONG');
    // The server is still there.
    expect((await get('/api/health')).status).toBe(200);
  });
});
