import { syncKeptIndexes } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'integer', indexed: true },
    { name: 'region', type: 'text' },
    { name: 'score', type: 'integer' },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: false, export: false };
const EAST_HOT = {
  and: [{ '==': [{ var: 'region' }, "o'east"] }, { '>=': [{ var: 'score' }, 90] }],
};
const sharing = (when: unknown) => ({
  kind: 'sharing',
  module: 'deals',
  default: 'private',
  rules: [{ name: 'east_hot', when, to: { role: 'rep' }, access: 'read' }],
});
const DOCS = [
  DEALS,
  { kind: 'role', name: 'manager' },
  { kind: 'role', name: 'rep', parent: 'manager' },
  { kind: 'profile', name: 'sales', modules: { deals: all } },
  sharing(EAST_HOT),
];

type Deal = { id: string; owner_id: string; amount: number | null; region: string; score: number };

/**
 * A rep's scope (own records OR a sharing rule) is read as one branch per part, each from an
 * index in the sort's order (access-indexes.ts), and merged: the pages must hold exactly the
 * records of the scope, in order, across cursors, with empty values last.
 */
describe('access: scope branches read from their own indexes', () => {
  let t: TestApp;
  let rep: string;
  let repId: string;
  let deals: Deal[];

  const scopeIndexes = async () =>
    (
      await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
        where schemaname = 'ws_main' and tablename = 'deals' and indexname like '%scope%'
        `.execute(t.handle.db)
    ).rows
      .map((r) => r.indexdef.replace(/^.* USING btree /, ''))
      .sort();

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply(DOCS);
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
    await t.userToken('rep2@example.com', { role: 'rep', profile: 'sales' });
    repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id;
    const other = (await t.call('GET', '/api/auth/me')).body.id;
    const create = Array.from({ length: 90 }, (_, i) => ({
      name: `Deal ${i}`,
      // Ties and empty amounts, so ids break ties and empties come last.
      amount: i % 9 === 0 ? null : (i * 37) % 50,
      region: i % 3 === 0 ? "o'east" : 'west',
      score: (i * 13) % 100,
      owner_id: i % 4 === 0 ? repId : other,
    }));
    const r = await t.call('POST', '/api/records/deals/bulk', { create });
    expect(r.status).toBe(200);
    deals = r.body.created;
  });
  afterAll(async () => t?.close());

  it('creates an index per branch and sort column, and replaces them when a rule changes', async () => {
    expect(await scopeIndexes()).toEqual([
      "(amount, id) WHERE ((region = 'o''east'::text) AND (score >= 90))",
      "(id) WHERE ((region = 'o''east'::text) AND (score >= 90))",
      '(owner_id, amount, id)',
      '(owner_id, id)',
    ]);
    const plan = await t.call('POST', '/api/meta/plan', {
      documents: [sharing({ '>=': [{ var: 'score' }, 95] })],
    });
    expect(plan.status).toBe(200);
    const kinds = plan.body.steps.map((s: { step: { kind: string } }) => s.step.kind);
    expect(kinds.filter((k: string) => k === 'drop_scope_index')).toHaveLength(2);
    expect(kinds.filter((k: string) => k === 'create_scope_index')).toHaveLength(2);
  });

  it('pages through exactly the rep’s scope, in order, in both directions and by id', async () => {
    const visible = deals.filter(
      (d) => d.owner_id === repId || (d.region === "o'east" && d.score >= 90),
    );
    expect(visible.length).toBeGreaterThan(20);
    const cmp = (a: Deal, b: Deal, dir: 1 | -1) => {
      if (a.amount === b.amount) return dir * (a.id < b.id ? -1 : 1);
      if (a.amount === null) return 1;
      if (b.amount === null) return -1;
      return dir * (a.amount - b.amount);
    };
    const cases: [string, (a: Deal, b: Deal) => number][] = [
      ['-amount', (a, b) => cmp(a, b, -1)],
      ['amount', (a, b) => cmp(a, b, 1)],
      ['-id', (a, b) => (a.id < b.id ? 1 : -1)],
    ];
    for (const [sort, order] of cases) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/records/deals?sort=${sort}&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await t.call('GET', url, undefined, rep);
        expect(page.status).toBe(200);
        seen.push(...page.body.data.map((d: Deal) => d.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen, sort).toEqual([...visible].sort(order).map((d) => d.id));
    }
    // A filter narrows every branch alike.
    const filter = filterParam({ '>=': [{ var: 'amount' }, 25] });
    const page = await t.call(
      'GET',
      `/api/records/deals?sort=-amount&filter=${filter}&limit=200`,
      undefined,
      rep,
    );
    expect(page.body.data.map((d: Deal) => d.id)).toEqual(
      visible
        .filter((d) => d.amount !== null && d.amount >= 25)
        .sort((a, b) => cmp(a, b, -1))
        .map((d) => d.id),
    );
  });

  it('brings indexes of an older shape to the current one when a workspace opens', async () => {
    const schema = 'ws_main';
    const docs = t.engine.metadata.current.documents;
    const current = await scopeIndexes();
    // What an earlier release made: `(owner_id, amount)` without the tie-breaker, unmarked.
    await sql
      .raw('create index "deals__scope_0123456789__idx" on ws_main.deals (owner_id, amount)')
      .execute(t.handle.db);
    const { rows } = await sql<{ name: string }>`select indexname as name from pg_indexes
      where schemaname = 'ws_main' and indexdef like '%(owner_id, amount, id)%'`.execute(
      t.handle.db,
    );
    await sql.raw(`drop index ws_main."${rows[0]?.name}"`).execute(t.handle.db);

    const synced = await syncKeptIndexes(t.handle.db, schema, docs);
    expect(synced.dropped).toEqual(['deals__scope_0123456789__idx']);
    expect(synced.created).toEqual([rows[0]?.name]);
    expect(await scopeIndexes()).toEqual(current);
    // In step: one catalog query, nothing changed.
    expect(await syncKeptIndexes(t.handle.db, schema, docs)).toEqual({ created: [], dropped: [] });
  });
});
