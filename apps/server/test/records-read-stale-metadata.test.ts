import { applyChange, createEngine } from '@atrium/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'text' },
  ],
};

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'note', type: 'text' },
    { name: 'rank', type: 'integer' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};

type Row = Reply['body'];

/**
 * A node that has not yet heard of a revision another node applied reads with the old
 * metadata: Postgres then answers 42703 (column gone) or 42P01 (table gone). The read reloads
 * the metadata once and answers from the new revision, never 500.
 */
describe('records: reads while the metadata changes elsewhere', () => {
  let t: TestApp;
  let deal: Row;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, DEALS]);
    const account = (await t.call('POST', '/api/records/accounts', { name: 'Acme' })).body;
    deal = (
      await t.call('POST', '/api/records/deals', {
        name: 'Big',
        note: 'n',
        rank: 3,
        account: account.id,
      })
    ).body;
  });
  afterAll(async () => t.close());

  /** Applies on "another node": this app's metadata cache is not told. */
  async function applyElsewhere(documents: unknown[], remove?: string[]): Promise<void> {
    const before = t.engine.metadata.current.revision;
    const request = { documents, allowDestructive: true, ...(remove && { remove }) };
    // Another engine over the same database: its own metadata cache is the one refreshed.
    const elsewhere = await createEngine(t.engine.db, { workspace: t.engine.workspace.name });
    await applyChange(elsewhere, request, null);
    expect(t.engine.metadata.current.revision).toBe(before);
  }

  it('reloads once when a dropped field is read, and answers from the new revision', async () => {
    const fields = DEALS.fields.filter((f) => f.name !== 'note');
    await applyElsewhere([{ ...DEALS, fields }]);
    const listed = await t.call('GET', '/api/records/deals?sort=name');
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.data).toHaveLength(1);
    expect(listed.body.data[0]).not.toHaveProperty('note');
    expect(listed.body.data[0].name).toBe('Big');
    const one = await t.call('GET', `/api/records/deals/${deal.id}`);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('note');
  });

  it('refuses with a 400 what no longer exists after the reload', async () => {
    await applyElsewhere([
      { ...DEALS, fields: DEALS.fields.filter((f) => f.name !== 'note' && f.name !== 'rank') },
    ]);
    const sorted = await t.call('GET', '/api/records/deals?sort=rank');
    // the stale metadata still knows rank: the query meets the dropped column, reloads, retries
    expect(sorted.status, JSON.stringify(sorted.body)).toBe(400);
    expect(sorted.body.error.details[0].path).toBe('sort');
  });

  it('refuses expanding a lookup field dropped elsewhere on its path', async () => {
    await applyElsewhere([
      {
        ...DEALS,
        fields: DEALS.fields.filter((f) => !['note', 'rank', 'account'].includes(f.name)),
      },
    ]);
    const expanded = await t.call('GET', `/api/records/deals/${deal.id}?expand=account`);
    expect(expanded.status).toBe(400);
    expect(expanded.body.error.details[0].path).toBe('expand');
    expect((await t.call('GET', '/api/records/deals')).status).toBe(200);
  });

  it('answers 404 for a module dropped elsewhere, not 500', async () => {
    await applyElsewhere([], ['module:deals']);
    const r = await t.call('GET', '/api/records/deals');
    expect(r.status, JSON.stringify(r.body)).toBe(404);
    expect(r.body.error.code).toBe('UNKNOWN_MODULE');
  });
});
