import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

/** POST /api/records/:module/bulk: many writes through the one write path, all or nothing. */
const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};
const CONTACTS = {
  kind: 'module',
  name: 'contacts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'email', type: 'email', unique: true },
    { name: 'account', type: 'lookup', target: 'accounts', onDelete: 'restrict' },
    { name: 'score', type: 'integer', default: 10 },
    {
      name: 'double_score',
      type: 'formula',
      returns: 'integer',
      expression: { '*': [{ var: 'score' }, 2] },
    },
  ],
  validationRules: [
    {
      name: 'score_cap',
      field: 'score',
      when: { '>': [{ var: 'score' }, 100] },
      message: { en: 'may be at most 100', 'zh-CN': '不能超过 100' },
    },
  ],
};

describe('records: bulk writes', () => {
  let t: TestApp;
  let account: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, CONTACTS]);
    account = (await t.call('POST', '/api/records/accounts', { name: 'Acme' })).body.id;
  });
  afterAll(async () => t.close());

  const bulk = (body: unknown, module = 'contacts') =>
    t.call('POST', `/api/records/${module}/bulk`, body);
  const paths = (r: Reply) => r.body.error.details.map((d: { path: string }) => d.path).sort();
  const count = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from ws_main.contacts`.execute(t.handle.db))
      .rows[0]?.n;
  const historyCount = async () =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from ws_main._history where module = 'contacts'`.execute(
        t.handle.db,
      )
    ).rows[0]?.n;

  it('creates, updates and deletes in one request, as single writes would', async () => {
    const a = (await t.call('POST', '/api/records/contacts', { name: 'A' })).body;
    const b = (await t.call('POST', '/api/records/contacts', { name: 'B' })).body;
    const r = await bulk({
      create: [
        { name: 'New 1', account },
        { name: 'New 2', score: 7 },
      ],
      update: [{ id: a.id, version: 1, score: 50 }],
      delete: [{ id: b.id, version: 1 }],
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.created).toHaveLength(2);
    expect(r.body.created[0]).toMatchObject({
      name: 'New 1',
      account,
      score: 10,
      double_score: 20,
      version: 1,
    });
    expect(r.body.created[1]).toMatchObject({ name: 'New 2', score: 7, double_score: 14 });
    expect(r.body.updated).toEqual([
      expect.objectContaining({ id: a.id, score: 50, double_score: 100, version: 2 }),
    ]);
    expect(r.body.deleted).toEqual([
      expect.objectContaining({ id: b.id, deleted_at: expect.any(String), version: 2 }),
    ]);
    // the same history as single writes leave
    const h = await t.call('GET', `/api/records/contacts/${a.id}/history`);
    expect(h.body.data[0]).toMatchObject({
      action: 'update',
      changes: { score: { from: 10, to: 50 } },
    });
    const hb = await t.call('GET', `/api/records/contacts/${b.id}/history`);
    expect(hb.body.data[0].action).toBe('delete');
    const created = await t.call('GET', `/api/records/contacts/${r.body.created[0].id}`);
    expect(created.body).toEqual(r.body.created[0]);
  });

  it('is all or nothing, and names every problem at its path', async () => {
    const a = (await t.call('POST', '/api/records/contacts', { name: 'Keep' })).body;
    const before = { rows: await count(), history: await historyCount() };
    const r = await bulk({
      create: [
        { name: 'fine' },
        { name: 'fine too', email: 'x@example.com' },
        { name: 'bad', email: 'not-an-email' },
        { score: 500 },
        { name: 'rule', score: 101 },
      ],
      update: [
        { id: a.id, version: 7, name: 'stale' },
        { id: '01890000-0000-7000-8000-000000000000', version: 1, name: 'ghost' },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(r)).toEqual([
      'create[2].email',
      'create[3].name',
      'create[4].score',
      'update[0].version',
      'update[1].id',
    ]);
    expect({ rows: await count(), history: await historyCount() }).toEqual(before);
    expect((await t.call('GET', `/api/records/contacts/${a.id}`)).body.version).toBe(1);
  });

  it('a stale version alone is a 409 at its path', async () => {
    const a = (await t.call('POST', '/api/records/contacts', { name: 'Versioned' })).body;
    const r = await bulk({ update: [{ id: a.id, version: 2, name: 'x' }] });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('VERSION_CONFLICT');
    expect(paths(r)).toEqual(['update[0].version']);
  });

  it('a duplicate unique value met while writing refuses everything, at the operation that met it', async () => {
    const before = await count();
    const r = await bulk({
      create: [
        { name: 'one', email: 'same@example.com' },
        { name: 'two', email: 'same@example.com' },
      ],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('DUPLICATE_VALUE');
    expect(paths(r)).toEqual(['create[1].email']);
    expect(await count()).toBe(before);
  });

  it('honours lookups: no link into the recycle bin, and restrict on delete', async () => {
    const binned = (await t.call('POST', '/api/records/accounts', { name: 'Binned' })).body;
    expect((await t.call('DELETE', `/api/records/accounts/${binned.id}`)).status).toBe(200);
    const r = await bulk({
      create: [
        { name: 'ok', account },
        { name: 'x', account: binned.id },
      ],
    });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['create[1].account']);

    const other = (await t.call('POST', '/api/records/accounts', { name: 'Free' })).body;
    const del = await bulk(
      {
        delete: [
          { id: other.id, version: 1 },
          { id: account, version: 1 },
        ],
      },
      'accounts',
    );
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('REFERENCED');
    expect(paths(del)).toEqual(['delete[1].contacts.account']);
    expect((await t.call('GET', `/api/records/accounts/${other.id}`)).status).toBe(200);
  });

  it('refuses an envelope that is not one, more than 1,000 operations, and the same record twice', async () => {
    expect(paths(await bulk([]))).toEqual(['(body)']);
    expect(paths(await bulk({ create: {}, upsert: [] }))).toEqual(['create', 'upsert']);
    const tooMany = await bulk({
      create: Array.from({ length: 600 }, (_, i) => ({ name: `n${i}` })),
      delete: Array.from({ length: 401 }, () => ({ id: account, version: 1 })),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details[0].message).toContain('1000');
    const a = (await t.call('POST', '/api/records/contacts', { name: 'Twice' })).body;
    const twice = await bulk({
      update: [{ id: a.id, version: 1, name: 'x' }],
      delete: [{ id: a.id, version: 1 }],
    });
    expect(twice.status).toBe(400);
    expect(paths(twice)).toEqual(['delete[0].id']);
    const noVersion = await bulk({ delete: [{ id: a.id }] });
    expect(paths(noVersion)).toEqual(['delete[0].version']);
    expect(await bulk({})).toMatchObject({
      status: 200,
      body: { created: [], updated: [], deleted: [] },
    });
  });

  it('writes 1,000 records in one request', async () => {
    const before = await count();
    const started = performance.now();
    const r = await bulk({
      create: Array.from({ length: 1000 }, (_, i) => ({
        name: `bulk ${i}`,
        account,
        score: i % 100,
      })),
    });
    const ms = performance.now() - started;
    expect(r.status, JSON.stringify(r.body).slice(0, 500)).toBe(200);
    expect(r.body.created).toHaveLength(1000);
    expect(await count()).toBe((before ?? 0) + 1000);
    // A rough guard, not a benchmark: one request must not take a record per round trip to a second.
    expect(ms).toBeLessThan(20_000);
  });
});
