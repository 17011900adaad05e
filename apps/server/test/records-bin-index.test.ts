import { syncKeptIndexes } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const NOTES = {
  kind: 'module',
  name: 'notes',
  recordName: 'title',
  fields: [{ name: 'title', type: 'text', required: true }],
};

/**
 * The recycle bin reads its records from an index of the deleted ones alone (ddl.ts
 * binIndexSql), not by reading the whole table; a workspace made before that index existed
 * gets it when an engine opens it.
 */
describe('the recycle bin index', () => {
  let t: TestApp;
  const binIndex = async () =>
    (
      await sql<{ name: string; def: string; note: string | null }>`
        select i.indexname as name, i.indexdef as def,
          obj_description(format('%I.%I', i.schemaname, i.indexname)::regclass, 'pg_class') as note
        from pg_indexes i where i.schemaname = 'ws_main' and i.tablename = 'notes'
          and i.indexname like '%bin'`.execute(t.handle.db)
    ).rows;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([NOTES]);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('comes with the module, holds the deleted records, and serves the bin', async () => {
    expect(await binIndex()).toEqual([
      {
        name: 'notes__deleted_at__bin',
        def: expect.stringMatching(/\(deleted_at\) WHERE \(deleted_at IS NOT NULL\)$/),
        note: 'atrium bin index',
      },
    ]);
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c']) {
      const r = await t.call('POST', '/api/records/notes', { title });
      ids.push(r.body.id);
    }
    for (const id of ids.slice(0, 2))
      expect((await t.call('DELETE', `/api/records/notes/${id}`)).status).toBe(200);
    const bin = await t.call('GET', '/api/records/notes?deleted=only');
    expect(bin.body.data.map((r: { id: string }) => r.id).sort()).toEqual(ids.slice(0, 2).sort());
    // Postgres can answer the bin from it (told not to read the table, it still can).
    const plan = await t.handle.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      return sql<{ 'QUERY PLAN': string }>`explain select id from ws_main.notes r
        where r.deleted_at is not null order by deleted_at desc limit 50`.execute(trx);
    });
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('notes__deleted_at__bin');
  });

  it('is made when a workspace from before it opens', async () => {
    await sql`drop index ws_main.notes__deleted_at__bin`.execute(t.handle.db);
    const docs = t.engine.metadata.current.documents;
    expect(await syncKeptIndexes(t.handle.db, 'ws_main', docs)).toEqual({
      created: ['notes__deleted_at__bin'],
      dropped: [],
    });
    expect((await binIndex()).map((i) => i.note)).toEqual(['atrium bin index']);
    expect(await syncKeptIndexes(t.handle.db, 'ws_main', docs)).toEqual({
      created: [],
      dropped: [],
    });
  });
});
