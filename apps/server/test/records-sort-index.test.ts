import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Text sorts read `nullif(col, '') collate "und-x-icu"` (records/sort.ts): the record name and
 * indexed text fields get an index on exactly that expression, so `sort=name` walks an index
 * instead of sorting the table.
 */
const firms = (fields: Record<string, unknown>[]) => ({
  kind: 'module',
  name: 'firms',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'code', type: 'text', indexed: true },
    { name: 'notes', type: 'text' },
    { name: 'city', type: 'text', indexed: false },
    { name: 'stage', type: 'picklist', options: [{ value: 'a' }, { value: 'b' }] },
    ...fields,
  ],
});

const ROWS = 4000;

describe('records: text sorts are served by an index in their collation', () => {
  let t: TestApp;
  let icu: boolean;

  beforeAll(async () => {
    t = await startTestApp();
    const found = await sql`select 1 from pg_collation where collname = 'und-x-icu'`.execute(
      t.handle.db,
    );
    icu = found.rows.length > 0;
    await t.apply([firms([])]);
    await sql`insert into ws_main.firms (id, name, code, notes)
      select gen_random_uuid(), md5(i::text), md5((i * 7)::text), md5((i * 3)::text)
      from generate_series(1, ${ROWS}) i`.execute(t.handle.db);
    await sql`update ws_main.firms set name = '' where random() < 0.05`.execute(t.handle.db);
    await sql`analyze ws_main.firms`.execute(t.handle.db);
  });
  afterAll(async () => t.close());

  const sortIndexes = async () =>
    (
      await sql<{ indexname: string; indexdef: string }>`select indexname, indexdef from pg_indexes
        where schemaname = 'ws_main' and tablename = 'firms' and indexname like '%\\_\\_sort'
        order by indexname`.execute(t.handle.db)
    ).rows;

  it('indexes the record name and indexed text fields on the sort expression, nothing else', async () => {
    const indexes = await sortIndexes();
    // A server without ICU sorts text in its own collation, which no such index serves.
    if (!icu) return expect(indexes).toEqual([]);
    expect(indexes.map((i) => i.indexname)).toEqual(['firms__code__sort', 'firms__name__sort']);
    for (const i of indexes)
      expect(i.indexdef).toMatch(/\(NULLIF\(\w+, ''::text\) COLLATE "und-x-icu"\)/);
  });

  it('a sort=name page walks the index', async () => {
    if (!icu) return;
    // The first part of a page sorted by a text field (page-query.ts), as the list runs it.
    const expr = `nullif(r."name", '') collate "und-x-icu"`;
    const plan = await sql<{ 'QUERY PLAN': string }>`explain select r.id from ws_main.firms r
      where r.deleted_at is null and ${sql.raw(expr)} is not null
      order by ${sql.raw(expr)} asc, r."id" asc limit 51`.execute(t.handle.db);
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(text).toContain('firms__name__sort');
    const backward = await sql<{ 'QUERY PLAN': string }>`explain select r.id from ws_main.firms r
      where r.deleted_at is null and ${sql.raw(expr)} is not null
      order by ${sql.raw(expr)} desc, r."id" desc limit 51`.execute(t.handle.db);
    expect(backward.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('firms__name__sort');

    // …and the list answers in that order, empty names last, page after page.
    const first = await t.call('GET', '/api/records/firms?sort=name&limit=50&fields=name');
    expect(first.status).toBe(200);
    const names = first.body.data.map((r: { name: string }) => r.name);
    expect(names).toEqual([...names].sort());
    const next = await t.call(
      'GET',
      `/api/records/firms?sort=name&limit=50&fields=name&cursor=${first.body.nextCursor}`,
    );
    expect(next.body.data[0].name >= (names.at(-1) as string)).toBe(true);
  });

  it('follows the field: renamed with it, added with indexed:true, dropped with indexed:false', async () => {
    if (!icu) return;
    await t.apply([
      {
        ...firms([]),
        fields: firms([]).fields.map((f) =>
          f.name === 'code'
            ? { name: 'ref', renamedFrom: 'code', type: 'text', indexed: true }
            : f.name === 'notes'
              ? { ...f, indexed: true }
              : f,
        ),
      },
    ]);
    expect((await sortIndexes()).map((i) => i.indexname)).toEqual([
      'firms__name__sort',
      'firms__notes__sort',
      'firms__ref__sort',
    ]);
    const noIndex = firms([]).fields.map((f) =>
      f.name === 'code' ? { name: 'ref', type: 'text', indexed: false } : f,
    );
    await t.apply([{ ...firms([]), fields: noIndex }]);
    expect((await sortIndexes()).map((i) => i.indexname)).toEqual(['firms__name__sort']);
  });
});
