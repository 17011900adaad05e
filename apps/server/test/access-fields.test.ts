import { sql } from 'kysely';
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
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'integer' },
    { name: 'margin', type: 'integer' },
    { name: 'discount', type: 'integer' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: false, export: false };
const readOnly = { ...all, create: false, update: false, delete: false };
const DOCS = [
  ACCOUNTS,
  DEALS,
  { kind: 'role', name: 'manager', label: { en: 'Manager' } },
  { kind: 'role', name: 'rep', parent: 'manager' },
  {
    kind: 'profile',
    name: 'sales',
    modules: { deals: all, accounts: all },
    fields: { deals: { margin: 'hidden', discount: 'read' } },
  },
  { kind: 'profile', name: 'viewer', modules: { deals: readOnly } },
  { kind: 'sharing', module: 'deals', default: 'private' },
  { kind: 'sharing', module: 'accounts', default: 'private' },
];

describe('access: documents, field masks, owner changes and the user’s view of the metadata', () => {
  let t: TestApp;
  let rep: string;
  let rep2: string;
  let viewer: string;
  let nobody: string;
  let repId: string;
  let rep2Id: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply(DOCS);
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
    rep2 = await t.userToken('rep2@example.com', { role: 'rep', profile: 'sales' });
    viewer = await t.userToken('viewer@example.com', { role: 'rep', profile: 'viewer' });
    nobody = await t.userToken('nobody@example.com', { role: 'rep' });
    repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id;
    rep2Id = (await t.call('GET', '/api/auth/me', undefined, rep2)).body.id;
  });
  afterAll(async () => t?.close());

  it('refuses a role tree with a cycle or a missing parent, and unknown modules, fields and roles', async () => {
    const r = await t.call('POST', '/api/meta/apply', {
      documents: [
        { kind: 'role', name: 'a', parent: 'b' },
        { kind: 'role', name: 'b', parent: 'a' },
        { kind: 'role', name: 'c', parent: 'nowhere' },
        {
          kind: 'profile',
          name: 'p',
          modules: { nomodule: all },
          fields: { deals: { nofield: 'read' } },
        },
        {
          kind: 'sharing',
          module: 'deals',
          default: 'read',
          rules: [
            {
              name: 'r',
              when: { '>': [{ var: 'nofield' }, 1] },
              to: { role: 'ghost' },
              access: 'read',
            },
          ],
        },
      ],
    });
    expect(r.status).toBe(400);
    const paths = r.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'documents[0].parent',
        'documents[1].parent',
        'documents[2].parent',
        'documents[3].modules.nomodule',
        'documents[3].fields.deals.nofield',
        'documents[4].rules[0].to.role',
        'documents[4].rules[0].when.>[0]',
      ]),
    );
  });

  it('refuses a filter, sort or field list on a hidden field exactly like an unknown one', async () => {
    const body = (r: { body: unknown }) =>
      JSON.stringify(r.body).replaceAll('margin', 'X').replaceAll('nosuch', 'X');
    for (const [hidden, unknown] of [
      [
        `filter=${filterParam({ '>': [{ var: 'margin' }, 1] })}`,
        `filter=${filterParam({ '>': [{ var: 'nosuch' }, 1] })}`,
      ],
      ['sort=margin', 'sort=nosuch'],
      ['fields=margin', 'fields=nosuch'],
    ]) {
      const a = await t.call('GET', `/api/records/deals?${hidden}`, undefined, rep);
      const b = await t.call('GET', `/api/records/deals?${unknown}`, undefined, rep);
      expect(a.status).toBe(400);
      expect(body(a)).toBe(body(b));
    }
    // The administrator still filters on it.
    expect((await t.call('GET', `/api/records/deals?sort=margin`)).status).toBe(200);
  });

  it('refuses writes to read-only and hidden fields on their paths, and masks what a write returns', async () => {
    const created = await t.call('POST', '/api/records/deals', { name: 'mine', amount: 1 }, rep);
    expect(created.status).toBe(201);
    expect(created.body).not.toHaveProperty('margin');
    const refused = await t.call(
      'POST',
      '/api/records/deals',
      { name: 'x', discount: 5, margin: 2 },
      rep,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'discount',
      'margin',
    ]);
    const patch = await t.call(
      'PATCH',
      `/api/records/deals/${created.body.id}`,
      { discount: 5, version: created.body.version },
      rep,
    );
    expect(patch.status).toBe(400);
    expect(patch.body.error.details[0].path).toBe('discount');
    const bulk = await t.call(
      'POST',
      '/api/records/deals/bulk',
      { update: [{ id: created.body.id, version: created.body.version, discount: 9 }] },
      rep,
    );
    expect(bulk.status).toBe(400);
    expect(bulk.body.error.details[0].path).toBe('update[0].discount');
    const after = await t.call('GET', `/api/records/deals/${created.body.id}`);
    expect(after.body).toMatchObject({ discount: null, version: created.body.version });
  });

  it('refuses a lookup to a record the caller may not read like a missing one', async () => {
    const theirs = await t.call('POST', '/api/records/accounts', {
      name: 'theirs',
      owner_id: rep2Id,
    });
    const missing = '0190b5a4-0000-7000-8000-000000000000';
    const a = await t.call(
      'POST',
      '/api/records/deals',
      { name: 'x', account: theirs.body.id },
      rep,
    );
    const b = await t.call('POST', '/api/records/deals', { name: 'x', account: missing }, rep);
    expect(a.status).toBe(400);
    expect(a.body).toEqual(b.body);
    const mine = await t.call('POST', '/api/records/accounts', { name: 'mine' }, rep);
    expect(
      (await t.call('POST', '/api/records/deals', { name: 'x', account: mine.body.id }, rep))
        .status,
    ).toBe(201);
  });

  it('lets only those who may edit a record change its owner, and audits the change', async () => {
    const deal = await t.call('POST', '/api/records/deals', { name: 'handover' }, rep);
    // Another rep cannot see it (private default), so cannot take it over.
    const stolen = await t.call(
      'PATCH',
      `/api/records/deals/${deal.body.id}`,
      { owner_id: rep2Id, version: deal.body.version },
      rep2,
    );
    expect(stolen.status).toBe(404);
    const given = await t.call(
      'PATCH',
      `/api/records/deals/${deal.body.id}`,
      { owner_id: rep2Id, version: deal.body.version },
      rep,
    );
    expect(given.status).toBe(200);
    expect((await t.call('GET', `/api/records/deals/${deal.body.id}`, undefined, rep)).status).toBe(
      404,
    );
    expect(
      (await t.call('GET', `/api/records/deals/${deal.body.id}`, undefined, rep2)).status,
    ).toBe(200);
    const audit = await sql<{ actor_id: string; details: { from: string; to: string } }>`
      select actor_id, details from atrium.audit_log where action = 'record.owner'
      and target = ${`deals:${deal.body.id}`}`.execute(t.handle.db);
    expect(audit.rows).toEqual([{ actor_id: repId, details: { from: repId, to: rep2Id } }]);
  });

  it('refuses every record operation to a user without a profile, naming the module', async () => {
    const r = await t.call('GET', '/api/records/deals', undefined, nobody);
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({
      code: 'FORBIDDEN',
      details: [{ path: 'deals', message: 'read' }],
    });
    const c = await t.call('POST', '/api/records/deals', { name: 'x' }, viewer);
    expect(c.body.error).toMatchObject({
      code: 'FORBIDDEN',
      details: [{ path: 'deals', message: 'create' }],
    });
  });

  it('shows each user only the modules, fields and operations their profile allows', async () => {
    const spec = async (token: string) =>
      (await t.call('GET', '/api/openapi.json', undefined, token)).body;
    const admin = await spec(t.token);
    expect(admin.components.schemas.Deals.properties).toHaveProperty('margin');
    const sales = await spec(rep);
    expect(sales.components.schemas.Deals.properties).not.toHaveProperty('margin');
    expect(sales.components.schemas.Deals.properties).toHaveProperty('discount');
    expect(sales.components.schemas.DealsUpdate.properties).not.toHaveProperty('discount');
    expect(Object.keys(sales.paths['/api/records/deals/{id}']).sort()).toEqual(
      ['delete', 'get', 'parameters', 'patch'].sort(),
    );
    const view = await spec(viewer);
    expect(view.paths).not.toHaveProperty('/api/records/accounts');
    expect(Object.keys(view.paths['/api/records/deals'])).toEqual(['get']);
    expect(view.paths).not.toHaveProperty('/api/records/deals/bulk');
    const none = await spec(nobody);
    expect(Object.keys(none.paths).filter((p) => p.startsWith('/api/records'))).toEqual([]);

    const meta = await t.call('GET', '/api/meta', undefined, viewer);
    expect(
      meta.body.documents.map((d: { kind: string; name: string }) => `${d.kind}:${d.name}`),
    ).toEqual(['module:deals']);
    const salesMeta = await t.call('GET', '/api/meta', undefined, rep);
    const deals = salesMeta.body.documents.find((d: { name: string }) => d.name === 'deals');
    expect(deals.fields.map((f: { name: string }) => f.name)).not.toContain('margin');

    const me = await t.call('GET', '/api/auth/me', undefined, rep);
    expect(me.body.permissions).toEqual({
      admin: false,
      role: 'rep',
      profile: 'sales',
      modules: {
        deals: { ...all, fields: { margin: 'hidden', discount: 'read' } },
        accounts: { ...all, fields: {} },
      },
    });
  });
});
