import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true, unique: true },
    { name: 'industry', type: 'picklist', options: [{ value: 'tech' }, { value: 'retail' }] },
    { name: 'revenue', type: 'currency' },
  ],
};
const VIEW = {
  kind: 'view',
  module: 'accounts',
  name: 'all',
  type: 'table',
  columns: ['name', 'revenue'],
};

async function indexes(t: TestApp, table: string): Promise<string[]> {
  const r = await sql<{ indexname: string }>`select indexname from pg_indexes
    where schemaname = 'ws_main' and tablename = ${table} order by indexname`.execute(t.handle.db);
  return r.rows.map((x) => x.indexname);
}

describe('reverting a revision', () => {
  let t: TestApp;
  let acme: { id: string };
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, VIEW]);
    acme = (
      await t.call('POST', '/api/records/accounts', {
        name: 'Acme',
        industry: 'tech',
        revenue: 1200.5,
      })
    ).body;
    await t.call('POST', '/api/records/accounts', { name: 'Globex', revenue: 99 });
  });
  afterAll(async () => t.close());

  it('brings a dropped field back with its values', async () => {
    const withoutRevenue = {
      ...ACCOUNTS,
      fields: ACCOUNTS.fields.filter((f) => f.name !== 'revenue'),
    };
    const dropped = await t.apply([withoutRevenue, { ...VIEW, columns: ['name'] }], {
      allowDestructive: true,
    });
    expect((await t.call('GET', `/api/records/accounts/${acme.id}`)).body.revenue).toBeUndefined();

    const preview = await t.call('POST', `/api/meta/revisions/${dropped.body.revision}/revert`, {
      dryRun: true,
    });
    expect(preview.status).toBe(200);
    expect(preview.body.destructive).toBe(false);
    expect(preview.body.steps.map((s: { step: { kind: string } }) => s.step.kind)).toContain(
      'restore_column',
    );
    expect((await t.call('GET', '/api/meta')).body.revision).toBe(dropped.body.revision);

    const reverted = await t.call(
      'POST',
      `/api/meta/revisions/${dropped.body.revision}/revert`,
      {},
    );
    expect(reverted.status).toBe(200);
    expect(reverted.body.revision).toBe(dropped.body.revision + 1);
    const back = await t.call('GET', `/api/records/accounts/${acme.id}`);
    expect(back.body.revenue).toBe(1200.5);
    const meta = await t.call('GET', '/api/meta');
    expect(meta.body.documents).toEqual(expect.arrayContaining([ACCOUNTS, VIEW]));
    const trash = await sql`select * from ws_main._trash where field = 'revenue'`.execute(
      t.handle.db,
    );
    expect(trash.rows).toEqual([]);
  });

  it('brings a dropped module back with its records, indexes and uniqueness', async () => {
    const before = await indexes(t, 'accounts');
    const dropped = await t.apply([], { remove: ['module:accounts'], allowDestructive: true });
    expect((await t.call('GET', '/api/records/accounts')).status).toBe(404);

    const reverted = await t.call(
      'POST',
      `/api/meta/revisions/${dropped.body.revision}/revert`,
      {},
    );
    expect(reverted.status).toBe(200);
    expect(reverted.body.steps.map((s: { step: { kind: string } }) => s.step.kind)).toContain(
      'restore_table',
    );
    expect(await indexes(t, 'accounts')).toEqual(before);
    const list = await t.call('GET', '/api/records/accounts?sort=name');
    expect(list.body.data.map((a: { name: string }) => a.name)).toEqual(['Acme', 'Globex']);
    const duplicate = await t.call('POST', '/api/records/accounts', { name: 'Acme' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.details).toEqual([{ path: 'name', message: expect.any(String) }]);
    expect((await t.call('GET', '/api/meta')).body.documents).toEqual(
      expect.arrayContaining([ACCOUNTS, VIEW]),
    );
  });

  it('undoing an addition is destructive and needs allowDestructive', async () => {
    const added = await t.apply([
      { kind: 'module', name: 'notes', fields: [{ name: 'body', type: 'textarea' }] },
    ]);
    const refused = await t.call('POST', `/api/meta/revisions/${added.body.revision}/revert`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('DESTRUCTIVE_CHANGE');
    const done = await t.call('POST', `/api/meta/revisions/${added.body.revision}/revert`, {
      allowDestructive: true,
    });
    expect(done.status).toBe(200);
    expect((await t.call('GET', '/api/records/notes')).status).toBe(404);
  });

  it('refuses an unknown revision, and non-administrators', async () => {
    const missing = await t.call('POST', '/api/meta/revisions/999/revert', {});
    expect(missing.status).toBe(404);
    const user = await t.userToken('clerk@example.com');
    const forbidden = await t.call('POST', '/api/meta/revisions/1/revert', {}, user);
    expect(forbidden.status).toBe(403);
  });
});
