import { syncStageHistory } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const deals = (stageField: string, from?: string) => ({
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text' },
    {
      name: stageField,
      type: 'picklist',
      options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
      ...(from && { renamedFrom: from }),
    },
  ],
});
const funnel = (field: string) => ({
  kind: 'report',
  module: 'deals',
  name: 'funnel',
  type: 'funnel',
  field,
});

interface Entry {
  history_id: string;
  field: string;
  record_id: string;
  value: string;
  left_at: Date | null;
}

/**
 * A funnel reads the stage history (reports/stage-history.ts): narrow rows the database derives
 * from every field-history entry that sets a tracked field, whatever door wrote it, tracking
 * exactly the fields funnel reports read.
 */
describe('the stage history funnels read', () => {
  let t: TestApp;
  const rows = async () =>
    (
      await sql<Entry>`
        select history_id, field, record_id, value, left_at from ws_main._stage_history
        order by history_id`.execute(t.handle.db)
    ).rows;
  /**
   * What the rows must be: every entry of `_history` that set the field, as it says, the stay
   * it began ending when the record's next such entry came.
   */
  const fromHistory = async (field: string) =>
    (
      await sql<Entry>`
        select id as history_id, ${field}::text as field, record_id,
          changes -> ${field} ->> 'to' as value,
          lead(at) over (partition by record_id order by id) as left_at
        from ws_main._history where module = 'deals' and changes ? ${field}
        order by id`.execute(t.handle.db)
    ).rows;
  const figures = async () => {
    const r = await t.call('GET', '/api/reports/funnel?period=all');
    expect(r.status).toBe(200);
    return r.body.rows.map((x: { stage: string; entered: number; advanced: number | null }) => [
      x.stage,
      x.entered,
      x.advanced,
    ]);
  };
  const patch = async (id: string, body: Record<string, unknown>) => {
    const current = await t.call('GET', `/api/records/deals/${id}`);
    const r = await t.call('PATCH', `/api/records/deals/${id}`, {
      version: current.body.version,
      ...body,
    });
    expect(r.status).toBe(200);
  };
  let ids: string[] = [];

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([deals('stage')]);
    // Written before any funnel exists: one by one, in bulk, moved, one sent to the bin.
    for (const name of ['D1', 'D2']) {
      const r = await t.call('POST', '/api/records/deals', { name, stage: 'a' });
      ids.push(r.body.id);
    }
    const bulk = await t.call('POST', '/api/records/deals/bulk', {
      create: [
        { name: 'D3', stage: 'a' },
        { name: 'D4', stage: 'a' },
      ],
    });
    ids = [...ids, ...bulk.body.created.map((r: { id: string }) => r.id)];
    await patch(ids[0] as string, { stage: 'b' });
    await patch(ids[0] as string, { stage: 'c' });
    await patch(ids[1] as string, { stage: 'b' });
    expect((await t.call('DELETE', `/api/records/deals/${ids[3]}`)).status).toBe(200);
  });
  afterAll(async () => t?.close());

  it('tracks nothing until a funnel reads a field, then takes its past from the history', async () => {
    expect(await rows()).toEqual([]);
    await t.apply([funnel('stage')]);
    expect(await rows()).toEqual(await fromHistory('stage'));
    // D4 is in the bin: its entries are kept but not counted.
    expect(await figures()).toEqual([
      ['a', 3, 2],
      ['b', 2, 1],
      ['c', 1, null],
    ]);
  });

  it('gets every later entry from whatever writes the history', async () => {
    await patch(ids[2] as string, { stage: 'b' });
    const bulk = await t.call('POST', '/api/records/deals/bulk', {
      create: [{ name: 'D5', stage: 'b' }],
    });
    expect(bulk.status).toBe(200);
    // A rewritten entry (as tests and imports backdate them) is derived again.
    await sql`update ws_main._history set at = at - interval '3 days'
      where record_id = ${ids[2]} and action = 'create'`.execute(t.handle.db);
    expect((await t.call('POST', `/api/records/deals/${ids[3]}/restore`)).status).toBe(200);
    expect(await rows()).toEqual(await fromHistory('stage'));
    const [stay] = (
      await sql<{ days: number }>`select extract(day from (
          select at from ws_main._history where record_id = ${ids[2]} and action = 'create') -
        (select at from ws_main._stage_history where record_id = ${ids[2]} order by history_id limit 1)
        ) as days`.execute(t.handle.db)
    ).rows;
    expect(Number(stay?.days)).toBe(0);
    expect(await figures()).toEqual([
      ['a', 4, 3],
      ['b', 4, 1],
      ['c', 1, null],
    ]);
  });

  it('follows a renamed field, and forgets a field no funnel reads', async () => {
    const before = await figures();
    await t.apply([deals('phase', 'stage'), funnel('phase')]);
    expect(await rows()).toEqual(await fromHistory('phase'));
    expect(await figures()).toEqual(before);
    await t.apply([], { remove: ['report:deals.funnel'] });
    expect(await rows()).toEqual([]);
    expect((await sql`select * from ws_main._stage_fields`.execute(t.handle.db)).rows).toEqual([]);
  });

  it('is brought in step when an engine opens a workspace', async () => {
    await t.apply([funnel('phase')]);
    await sql`delete from ws_main._stage_fields`.execute(t.handle.db);
    await sql`delete from ws_main._stage_history`.execute(t.handle.db);
    const docs = t.engine.metadata.current.documents;
    expect(await syncStageHistory(t.handle.db, 'ws_main', docs)).toEqual({
      tracked: ['deals.phase'],
      untracked: [],
    });
    expect(await rows()).toEqual(await fromHistory('phase'));
    expect(await syncStageHistory(t.handle.db, 'ws_main', docs)).toEqual({
      tracked: [],
      untracked: [],
    });
  });
});
