import { createHmac } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClient, typeCheckClient } from './support/generated-client.js';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

/** The secret startTestApp signs with. */
const SECRET = 'test-secret-test-secret-test-secret';

const accounts = {
  kind: 'module',
  name: 'accounts',
  label: { en: 'Accounts', 'zh-CN': '客户' },
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 200 },
    { name: 'industry', type: 'picklist', options: [{ value: 'tech' }, { value: 'retail' }] },
    { name: 'employees', type: 'integer', min: 0 },
    { name: 'website', type: 'url' },
    { name: 'regions', type: 'multipicklist', options: [{ value: 'emea' }, { value: 'apac' }] },
  ],
};

const salesDeals = {
  kind: 'module',
  name: 'sales_deals',
  label: { en: 'Deals' },
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    { name: 'probability', type: 'percent' },
    { name: 'account', type: 'lookup', target: 'accounts' },
    { name: 'manager', type: 'user' },
    { name: 'close_date', type: 'date' },
    { name: 'closed_at', type: 'datetime' },
    { name: 'won', type: 'boolean' },
    { name: 'number', type: 'autonumber', prefix: 'D-' },
    { name: 'tags', type: 'tags' },
    {
      name: 'expected',
      type: 'formula',
      returns: 'currency',
      expression: { '*': [{ var: 'amount' }, { '/': [{ var: 'probability' }, 100] }] },
    },
  ],
};

/** An HS256 JWT made by hand, so claims like `exp` can be anything. */
function jwt(
  payload: Record<string, unknown>,
  secret = SECRET,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
) {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const body = `${part(header)}.${part(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Every route of the app, read from Fastify's own route tree. */
function routes(t: TestApp): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const parents: string[] = [];
  for (const line of t.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^(.*?)(?:├── |└── )(\S+)(?: \(([^)]*)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1] as string).length / 4;
    const url =
      (depth === 0 ? '' : (parents[depth - 1] as string).replace(/\/$/, '/')) + (m[2] as string);
    parents[depth] = url;
    for (const method of (m[3] ?? '').split(', ').filter(Boolean)) out.push({ method, url });
  }
  return out;
}

describe('authentication', () => {
  let t: TestApp;
  let adminId: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([accounts]);
    const me = await t.call('POST', '/api/auth/login', ADMIN, null);
    adminId = me.body.user.id;
  });
  afterAll(async () => t.close());

  it('finds the routes it guards in the route table', () => {
    const all = routes(t);
    expect(all).toContainEqual({ method: 'GET', url: '/api/meta' });
    expect(all).toContainEqual({ method: 'POST', url: '/api/meta/apply' });
    expect(all).toContainEqual({ method: 'GET', url: '/api/meta/revisions/:n' });
    expect(all).toContainEqual({ method: 'PATCH', url: '/api/records/:module/:id' });
    expect(all).toContainEqual({ method: 'POST', url: '/api/records/:module/:id/restore' });
    expect(all).toContainEqual({ method: 'GET', url: '/api/openapi.json' });
    expect(all).toContainEqual({ method: 'POST', url: '/api/auth/login' });
    expect(all.length).toBeGreaterThan(15);
  });

  it('refuses every /api route but health and login without a valid token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const signedIn = await t.call('POST', '/api/auth/login', ADMIN, null);
    const { sid } = JSON.parse(
      Buffer.from(signedIn.body.token.split('.')[1], 'base64url').toString(),
    );
    const claims = { sub: adminId, sid };
    const valid = jwt({ ...claims, iat: now, exp: now + 600 });
    // The hand-made token is accepted: the refusals below are about what is wrong with each.
    expect((await t.call('GET', '/api/meta', undefined, valid)).status).toBe(200);
    const bad: [string, string | null][] = [
      ['no token', null],
      ['garbage', 'not-a-token'],
      ['garbage with dots', 'a.b.c'],
      ['expired', jwt({ ...claims, iat: now - 3600, exp: now - 10 })],
      [
        'another secret',
        jwt({ ...claims, iat: now, exp: now + 600 }, 'some-other-secret-some-other-secret'),
      ],
      [
        'alg none',
        `${jwt({ ...claims, iat: now, exp: now + 600 }, SECRET, { alg: 'none', typ: 'JWT' })
          .split('.')
          .slice(0, 2)
          .join('.')}.`,
      ],
      [
        'tampered claims',
        `${valid.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, sub: 'x', exp: now + 600 })).toString('base64url')}.${valid.split('.')[2]}`,
      ],
    ];
    const guarded = routes(t).filter(
      (r) => r.url.startsWith('/api/') && !PUBLIC_ROUTES.includes(r.url),
    );
    expect(guarded.map((r) => `${r.method} ${r.url}`)).toEqual(
      expect.arrayContaining([
        'GET /api/records/:module/:id/history',
        'DELETE /api/records/:module/:id',
        'POST /api/meta/plan',
      ]),
    );
    expect(guarded.length).toBeGreaterThan(12);
    const fill = (url: string) =>
      url
        .replace(':module', 'accounts')
        .replace(':id', '0190f3a4-7b1c-7d2e-8f90-123456789abc')
        .replace(':n', '1');
    for (const { method, url } of guarded) {
      for (const [why, token] of bad) {
        const r = await t.call(
          method,
          fill(url),
          method === 'POST' || method === 'PATCH' ? {} : undefined,
          token,
        );
        expect(r.status, `${method} ${url} with ${why}`).toBe(401);
        if (method !== 'HEAD')
          expect(r.body.error.code, `${method} ${url} with ${why}`).toBe('UNAUTHORIZED');
      }
    }
    // Unknown routes under /api are not a way around it either.
    expect((await t.call('GET', '/api/nope', undefined, null)).status).toBe(401);
  });

  it('decides from the matched route, so no spelling of a path gets past it', async () => {
    for (const url of [
      '/%61pi/openapi.json',
      '/api/%6Fpenapi.json',
      '/%61%70%69/meta',
      '/api/records/%61ccounts',
      '/api/meta?x=/api/health',
      '/api/health/../meta',
      '/api//meta',
      '/%61pi/nope',
    ]) {
      const r = await t.call('GET', url, undefined, null);
      expect(r.status, url).toBe(401);
      expect(r.body.error.code, url).toBe('UNAUTHORIZED');
    }
    // A spelling that matches no API route finds no API data: it is a page path of the web app
    // (its index.html when the app is built), or a 404.
    const upper = await t.call('GET', '/API/meta', undefined, null);
    if (upper.status === 200) expect(upper.raw.headers['content-type']).toMatch(/text\/html/);
    else expect(upper.body.error.code).toBe('ROUTE_NOT_FOUND');
    // The encoded spelling does reach the route once a token is sent.
    expect((await t.call('GET', '/%61pi/openapi.json')).status).toBe(200);
    expect((await t.call('GET', '/%61pi/health', undefined, null)).status).toBe(200);
  });

  it('answers health and the root without a token', async () => {
    expect(await t.call('GET', '/api/health', undefined, null)).toMatchObject({
      status: 200,
      body: { status: 'ok' },
    });
    expect((await t.call('GET', '/', undefined, null)).status).toBe(200);
  });

  it('refuses a wrong e-mail and a wrong password alike, with 401', async () => {
    const wrongPassword = await t.call(
      'POST',
      '/api/auth/login',
      { email: ADMIN.email, password: 'wrong' },
      null,
    );
    const wrongEmail = await t.call(
      'POST',
      '/api/auth/login',
      { email: 'nobody@example.com', password: ADMIN.password },
      null,
    );
    expect(wrongPassword.status).toBe(401);
    expect(wrongEmail.status).toBe(401);
    expect(wrongPassword.body.error.code).toBe('UNAUTHORIZED');
    expect(wrongEmail.body).toEqual(wrongPassword.body);
    expect(wrongPassword.body).not.toHaveProperty('token');
  });

  it('refuses a login without e-mail or password with 400', async () => {
    for (const body of [
      {},
      { email: ADMIN.email },
      { password: 'x' },
      { email: '', password: 'x' },
    ]) {
      const r = await t.call('POST', '/api/auth/login', body, null);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('takes the e-mail in any case and returns a working token', async () => {
    const r = await t.call(
      'POST',
      '/api/auth/login',
      { email: 'ADMIN@Example.COM', password: ADMIN.password },
      null,
    );
    expect(r.status).toBe(200);
    expect(r.body.user).toMatchObject({ id: adminId, email: ADMIN.email, isAdmin: true });
    expect(r.body.user).not.toHaveProperty('password_hash');
    expect((await t.call('GET', '/api/meta', undefined, r.body.token)).status).toBe(200);
    // The password is not case-insensitive.
    const upper = await t.call(
      'POST',
      '/api/auth/login',
      { email: ADMIN.email, password: ADMIN.password.toUpperCase() },
      null,
    );
    expect(upper.status).toBe(401);
  });

  it('signs tokens that expire', async () => {
    const r = await t.call('POST', '/api/auth/login', ADMIN, null);
    const payload = JSON.parse(Buffer.from(r.body.token.split('.')[1], 'base64url').toString());
    // Who the user is and what they may do is loaded per request, not carried in the token.
    expect(Object.keys(payload).sort()).toEqual(['exp', 'iat', 'sid', 'sub']);
    expect(payload.sub).toBe(adminId);
    expect(payload.exp - payload.iat).toBe(15 * 60);
    expect(r.body.refreshToken).toMatch(new RegExp(`^${payload.sid}\\.`));
  });
});

/** The routes that answer without a token: they carry their own proof (a password, a refresh or reset token). */
const PUBLIC_ROUTES = [
  '/api/health',
  '/api/auth/login',
  '/api/auth/refresh',
  '/api/auth/logout',
  '/api/auth/reset',
];

describe('OpenAPI', () => {
  let t: TestApp;
  let doc: Record<string, any>;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([accounts, salesDeals]);
    const r = await t.call('GET', '/api/openapi.json');
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(async () => t.close());

  it('is OpenAPI 3.1 with a schema per module and the records routes', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.version).toBe('rev-1');
    const schemas = doc.components.schemas;
    for (const name of [
      'Accounts',
      'AccountsCreate',
      'AccountsUpdate',
      'SalesDeals',
      'SalesDealsCreate',
      'SalesDealsUpdate',
      'Error',
    ]) {
      expect(schemas, name).toHaveProperty(name);
    }
    expect(Object.keys(schemas.Accounts.properties)).toEqual(
      expect.arrayContaining([
        'id',
        'version',
        'created_at',
        'owner_id',
        'name',
        'industry',
        'employees',
        'website',
        'regions',
      ]),
    );
    expect(schemas.Accounts.title).toBe('Accounts');
    expect(schemas.AccountsCreate.required).toEqual(['name']);
    expect(schemas.AccountsUpdate.required).toEqual(['version']);
    // Computed fields are read, never written.
    expect(schemas.SalesDeals.properties).toHaveProperty('expected');
    expect(schemas.SalesDealsCreate.properties).not.toHaveProperty('expected');
    expect(schemas.SalesDealsCreate.properties).not.toHaveProperty('number');
    expect(JSON.stringify(doc)).not.toContain('decimalScale');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/approvals',
      '/api/approvals/{id}/approve',
      '/api/approvals/{id}/reject',
      '/api/audit',
      '/api/auth/login',
      '/api/auth/logout',
      '/api/auth/me',
      '/api/auth/password',
      '/api/auth/refresh',
      '/api/auth/reset',
      '/api/automations/dry-run',
      '/api/currencies',
      '/api/dashboards',
      '/api/dashboards/{name}',
      '/api/health',
      '/api/jobs',
      '/api/jobs/{id}/retry',
      '/api/meta',
      '/api/meta/apply',
      '/api/meta/plan',
      '/api/meta/revisions',
      '/api/meta/revisions/{n}',
      '/api/meta/revisions/{n}/revert',
      '/api/notifications',
      '/api/notifications/read-all',
      '/api/notifications/{id}/read',
      '/api/outbox',
      '/api/records/accounts',
      '/api/records/accounts/aggregate',
      '/api/records/accounts/bulk',
      '/api/records/accounts/export',
      '/api/records/accounts/import',
      '/api/records/accounts/{id}',
      '/api/records/accounts/{id}/history',
      '/api/records/accounts/{id}/restore',
      '/api/records/accounts/{id}/trace',
      '/api/records/accounts/{id}/transitions',
      '/api/records/accounts/{id}/transitions/{name}',
      '/api/records/sales_deals',
      '/api/records/sales_deals/aggregate',
      '/api/records/sales_deals/bulk',
      '/api/records/sales_deals/export',
      '/api/records/sales_deals/import',
      '/api/records/sales_deals/{id}',
      '/api/records/sales_deals/{id}/history',
      '/api/records/sales_deals/{id}/restore',
      '/api/records/sales_deals/{id}/trace',
      '/api/records/sales_deals/{id}/transitions',
      '/api/records/sales_deals/{id}/transitions/{name}',
      '/api/reports',
      '/api/reports/{name}',
      '/api/settings',
      '/api/tokens',
      '/api/tokens/{id}',
      '/api/users',
      '/api/users/{id}',
      '/api/users/{id}/password-reset',
      '/api/users/{id}/transfer',
      '/api/webhooks/secret',
      '/api/webhooks/secret/rotate',
    ]);
    expect(Object.keys(doc.paths['/api/records/accounts']).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/records/accounts/{id}']).sort()).toEqual([
      'delete',
      'get',
      'parameters',
      'patch',
    ]);
    const ids = Object.values(doc.paths).flatMap((p: any) =>
      Object.values(p).flatMap((op: any) => (op.operationId ? [op.operationId] : [])),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents every route the server answers, with the bearer scheme but on the public ones', () => {
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]: [string, unknown]) =>
        Object.keys(ops as object)
          .filter((k) => k !== 'parameters')
          .map((method) => `${method.toUpperCase()} ${path}`),
      ),
    );
    const modules = ['accounts', 'sales_deals'];
    for (const { method, url } of routes(t)) {
      if (!url.startsWith('/api/') || url === '/api/openapi.json' || method === 'HEAD') continue;
      // Only a module with a conversion document converts (conversion.test.ts checks its path).
      if (url.endsWith('/convert')) continue;
      const paths = url.includes(':module') ? modules.map((m) => url.replace(':module', m)) : [url];
      for (const path of paths) {
        const openapiPath = path.replace(/:(\w+)/g, '{$1}');
        expect(documented, `${method} ${openapiPath}`).toContain(`${method} ${openapiPath}`);
      }
    }
    expect(doc.components.securitySchemes.bearer).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/api/health'].get.security).toEqual([]);
    expect(doc.paths['/api/meta/apply'].post.security).toBeUndefined();
  });

  it('says which module a lookup points to, and what may be null', () => {
    const { SalesDeals, SalesDealsCreate, SalesDealsBulk } = doc.components.schemas;
    const account = SalesDeals.properties.account;
    expect(account['x-atrium-target']).toBe('accounts');
    expect(account.description).toMatch(/accounts/);
    expect(account.anyOf).toEqual([
      { type: 'string', format: 'uuid' },
      { $ref: '#/components/schemas/Accounts' },
      { type: 'null' },
    ]);
    expect(SalesDealsCreate.properties.account).toMatchObject({
      'x-atrium-target': 'accounts',
      format: 'uuid',
    });
    expect(SalesDeals.properties.manager.description).toMatch(/user/);
    // Never null in a stored record: id, version, timestamps; a field may be (even a required one).
    for (const name of ['id', 'version', 'created_at', 'updated_at'])
      expect(SalesDeals.properties[name].type, name).not.toContain('null');
    for (const name of ['deleted_at', 'owner_id', 'title', 'amount', 'number', 'expected'])
      expect(SalesDeals.properties[name].type, name).toContain('null');
    expect(SalesDealsBulk.properties.update.items.required).toEqual(['id', 'version']);
    expect(SalesDealsBulk.properties.delete.items.required).toEqual(['id', 'version']);
  });

  it('is accepted by a stock OpenAPI validator', async () => {
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((api as { openapi?: string }).openapi).toBe('3.1.0');
    // The validator does look: a dangling reference or a response without a description fail.
    const dangling = structuredClone(doc);
    dangling.paths['/api/records/accounts'].post.requestBody.content[
      'application/json'
    ].schema.$ref = '#/components/schemas/Nope';
    await expect(SwaggerParser.validate(dangling as never)).rejects.toThrow();
    const undescribed = structuredClone(doc);
    delete undescribed.paths['/api/records/accounts/{id}'].get.responses['200'].description;
    await expect(SwaggerParser.validate(undescribed as never)).rejects.toThrow();
  });

  it('generates TypeScript types for each module with openapi-typescript', async () => {
    const output = astToString(await openapiTS(structuredClone(doc) as never));
    for (const name of [
      'Accounts',
      'AccountsCreate',
      'AccountsUpdate',
      'SalesDeals',
      'SalesDealsCreate',
      'SalesDealsUpdate',
    ]) {
      expect(output).toMatch(new RegExp(`\\b${name}: \\{`));
    }
    expect(output).toContain('"/api/records/sales_deals/{id}"');
    expect(output).toMatch(/industry\?: "tech" \| "retail" \| null/);
  });

  it('gives a generated client what it needs to create a deal with its account and list it', async () => {
    expect(await typeCheckClient(doc)).toEqual([]);
    // The document is what makes it compile: a lookup typed as a number does not.
    const wrong = structuredClone(doc);
    wrong.components.schemas.SalesDealsCreate.properties.account = { type: 'integer' };
    expect((await typeCheckClient(wrong)).join('\n')).toMatch(
      /'string' is not assignable to type 'number'/,
    );

    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    const client = await loadClient();
    const result = await client.run(
      `http://127.0.0.1:${address.port}`,
      ADMIN.email,
      ADMIN.password,
    );
    expect(result).toMatchObject({
      me: ADMIN.email,
      zone: 'UTC',
      version: 1,
      found: 'Generated deal',
      accountName: 'Generated Co',
      count: 1,
    });
    expect(result.accountId).toBe(result.expected);
    expect(typeof result.created).toBe('string');
  }, 90_000);

  it('follows the metadata: a new module appears after the next apply', async () => {
    await t.apply([
      { kind: 'module', name: 'contacts', fields: [{ name: 'email', type: 'email' }] },
    ]);
    const next = (await t.call('GET', '/api/openapi.json')).body;
    expect(next.info.version).toBe('rev-2');
    expect(next.components.schemas).toHaveProperty('Contacts');
    expect(next.paths).toHaveProperty('/api/records/contacts');
    await SwaggerParser.validate(structuredClone(next));
  });
});
