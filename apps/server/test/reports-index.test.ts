import { buildAggregate, parseGroups, parseMeasures, syncKeptIndexes } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'currency' },
    { name: 'discount', type: 'decimal' },
    { name: 'probability', type: 'percent' },
    {
      name: 'stage',
      type: 'picklist',
      options: [{ value: 'open' }, { value: 'won' }, { value: 'lost' }],
    },
    { name: 'source', type: 'picklist', options: [{ value: 'web' }, { value: 'event' }] },
    { name: 'close_date', type: 'date' },
    { name: 'notes', type: 'textarea' },
  ],
};
const TASKS = {
  kind: 'module',
  name: 'tasks',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'status', type: 'picklist', options: [{ value: 'todo' }, { value: 'done' }] },
  ],
};
const report = (name: string, more: Record<string, unknown>) => ({
  kind: 'report',
  module: 'deals',
  name,
  type: 'summary',
  ...more,
});
const SOURCES = report('sources', {
  groupBy: ['source'],
  measures: ['count', 'sum:amount'],
  dateField: 'close_date',
  // A text field: read from the table, never carried in the index.
  filter: { '!=': [{ var: 'notes' }, 'spam'] },
});
const FORECAST = {
  kind: 'report',
  module: 'deals',
  name: 'forecast',
  type: 'forecast',
  amount: 'amount',
  probability: 'probability',
  dateField: 'close_date',
};
const PIPELINE = report('pipeline', { groupBy: ['stage'], measures: ['count', 'sum:amount'] });
const TODO = { ...report('todo', { groupBy: ['status'], measures: ['count'] }), module: 'tasks' };

/**
 * Reports read a module through covering indexes derived from the report documents
 * (reports/report-indexes.ts): a period's figures come from an index range, not the table.
 */
describe('report indexes', () => {
  let t: TestApp;
  const reportIndexes = async () =>
    (
      await sql<{ table: string; name: string; def: string }>`
        select i.tablename as table, i.indexname as name, i.indexdef as def
        from pg_indexes i
        where i.schemaname = 'ws_main'
          and obj_description(format('%I.%I', i.schemaname, i.indexname)::regclass, 'pg_class')
            = 'atrium report index'
        order by 1, 2`.execute(t.handle.db)
    ).rows;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, TASKS, SOURCES, FORECAST, PIPELINE, TODO]);
  });
  afterAll(async () => t?.close());

  it('covers every column the reports read, keyed by their date field (else the owner)', async () => {
    const found = await reportIndexes();
    expect(found.map((i) => [i.table, i.def.replace(/^.* USING btree /, '')])).toEqual([
      [
        'deals',
        '(close_date) INCLUDE (amount, currency_code, owner_id, probability, source, stage) WHERE (deleted_at IS NULL)',
      ],
      ['tasks', '(owner_id) INCLUDE (status) WHERE (deleted_at IS NULL)'],
    ]);
  });

  it('answers a period’s figures from the index alone', async () => {
    for (let i = 0; i < 40; i++) {
      const r = await t.call('POST', '/api/records/deals', {
        name: `D${i}`,
        amount: 1000 + i,
        probability: 50,
        stage: ['open', 'won', 'lost'][i % 3],
        source: i % 2 ? 'web' : 'event',
        close_date: `2026-0${1 + (i % 6)}-15`,
      });
      expect(r.status).toBe(201);
    }
    await sql`vacuum analyze ws_main.deals`.execute(t.handle.db);
    const [admin] = (
      await sql<{ id: string }>`select id from atrium.users where email = ${ADMIN.email}`.execute(
        t.handle.db,
      )
    ).rows;
    const actor = { id: admin?.id, email: ADMIN.email, isAdmin: true, role: null, profile: null };
    const built = await buildAggregate(
      t.engine,
      { actor: actor as never, locale: 'en', timeZone: 'UTC' },
      {
        module: 'deals',
        groups: [],
        measures: [],
        filters: [
          {
            logic: {
              and: [
                { '>=': [{ var: 'close_date' }, '2026-02-01'] },
                { '<': [{ var: 'close_date' }, '2026-04-01'] },
              ],
            },
            path: 'period',
          },
        ],
      },
      (m) => ({ groups: parseGroups(m, 'source'), measures: parseMeasures(m, 'count,sum:amount') }),
    );
    // Told not to read the table, Postgres still answers, from the report index alone.
    const plan = await t.handle.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_bitmapscan = off`.execute(trx);
      return sql
        .raw<{ 'QUERY PLAN': string }>(
          `explain ${built.query.sql.replace(/\$(\d+)/g, (_, n) => literal(built.query.parameters[Number(n) - 1]))}`,
        )
        .execute(trx);
    });
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    const [deals] = await reportIndexes();
    expect(text).toContain(`Index Only Scan using ${deals?.name}`);
    // And the figures through the route are those of the records.
    const answer = await t.call('GET', '/api/reports/sources?period=2026-02-01..2026-03-31');
    expect(answer.status).toBe(200);
    expect(answer.body.totals.count).toBe(14);
  });

  it('follows the reports: another column read is another index, the old one dropped', async () => {
    const before = (await reportIndexes()).map((i) => i.name);
    const plan = await t.call('POST', '/api/meta/plan', {
      documents: [{ ...SOURCES, measures: ['count', 'sum:amount', 'avg:discount'] }],
    });
    expect(plan.status).toBe(200);
    const said = plan.body.steps
      .filter((s: { step: { kind: string } }) => s.step.kind.endsWith('scope_index'))
      .map((s: { summary: string }) => s.summary);
    expect(said).toEqual([
      expect.stringMatching(/^drop report index deals \(close_date\) include \(amount, /),
      expect.stringMatching(
        /^report index deals \(close_date\) include \(amount, currency_code, discount, /,
      ),
    ]);
    await t.apply([{ ...SOURCES, measures: ['count', 'sum:amount', 'avg:discount'] }]);
    const after = await reportIndexes();
    expect(after.map((i) => i.name)).not.toContain(before[0]);
    expect(after[0]?.def).toContain('discount');
    // No report on tasks any more: its index goes with the report.
    await t.apply([], { remove: ['report:tasks.todo'] });
    expect((await reportIndexes()).map((i) => i.table)).toEqual(['deals']);
  });

  it('is made when a workspace from before it opens', async () => {
    const [deals] = await reportIndexes();
    await sql.raw(`drop index ws_main.${deals?.name}`).execute(t.handle.db);
    const docs = t.engine.metadata.current.documents;
    expect(await syncKeptIndexes(t.handle.db, 'ws_main', docs)).toEqual({
      created: [deals?.name],
      dropped: [],
    });
    expect(await reportIndexes()).toEqual([deals]);
  });
});

function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `'{${v.join(',')}}'`;
  return `'${String(v).replace(/'/g, "''")}'`;
}
