import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullProfile, startTestApp, type TestApp } from './support/test-app.js';

/** A dry run shows what a write would set off — and writes nothing, enqueues nothing. */
const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    {
      name: 'stage',
      type: 'picklist',
      default: 'open',
      options: [{ value: 'open' }, { value: 'won' }],
    },
    { name: 'amount', type: 'currency' },
    { name: 'tier', type: 'text' },
    { name: 'end_date', type: 'date' },
  ],
};
const TASKS = {
  kind: 'module',
  name: 'tasks',
  recordName: 'subject',
  fields: [
    { name: 'subject', type: 'text', required: true },
    { name: 'deal', type: 'lookup', target: 'deals' },
  ],
};
const DOCS = [
  DEALS,
  TASKS,
  { kind: 'role', name: 'rep' },
  fullProfile(['deals', 'tasks']),
  {
    kind: 'blueprint',
    module: 'deals',
    name: 'flow',
    field: 'stage',
    transitions: [{ name: 'win', from: ['open'], to: 'won' }],
  },
  {
    kind: 'automation',
    module: 'deals',
    name: 'a_tier',
    trigger: { on: 'create' },
    when: { '>': [{ var: 'amount' }, 1000] },
    actions: [
      { type: 'update_fields', values: { tier: 'gold' } },
      { type: 'assign', strategy: 'round_robin', role: 'rep' },
    ],
  },
  {
    kind: 'automation',
    module: 'deals',
    name: 'b_task',
    trigger: { on: 'create' },
    actions: [
      {
        type: 'create_record',
        module: 'tasks',
        values: { subject: { cat: ['Kick off ', { var: 'name' }] }, deal: { var: 'id' } },
      },
      { type: 'webhook', url: 'https://hooks.example.com/x' },
    ],
  },
  {
    kind: 'automation',
    module: 'deals',
    name: 'c_stage',
    trigger: { on: 'update', fields: ['amount'] },
    when: { '>': [{ var: 'amount' }, 5000] },
    actions: [{ type: 'update_fields', values: { stage: 'won' } }],
  },
  {
    kind: 'automation',
    module: 'deals',
    name: 'd_renewal',
    trigger: { on: 'date', field: 'end_date', offset: '-30d', at: '09:00' },
    actions: [{ type: 'notify', to: 'owner' }],
  },
];

describe('automations dry-run', () => {
  let t: TestApp;
  /** Every row the workspace holds, table by table. */
  const everything = async () => {
    const tables = await sql<{ name: string }>`select table_name as name
      from information_schema.tables where table_schema = 'ws_main' order by 1`.execute(
      t.handle.db,
    );
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables.rows)
      out[name] = (
        await sql`select * from ${sql.raw(`ws_main."${name}"`)} order by 1`.execute(t.handle.db)
      ).rows;
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply(DOCS);
    await t.userToken('rep@example.com', { role: 'rep', profile: 'full' });
  });
  afterAll(async () => t.close());

  it('shows a create’s automations in order, their values, record and jobs, and writes nothing', async () => {
    const before = await everything();
    const end = new Date(Date.now() + 60 * 86_400_000).toISOString().slice(0, 10);
    const r = await t.call('POST', '/api/automations/dry-run', {
      module: 'deals',
      changes: { name: 'Big', amount: 5000, end_date: end },
    });
    expect(r.status).toBe(200);
    const { mode, record, refused, runs, scheduled } = r.body;
    expect([mode, refused]).toEqual(['create', null]);
    expect(record).toMatchObject({ name: 'Big', tier: 'gold', stage: 'open' });
    // The task b_task creates runs no automation (tasks have none): two runs in all.
    expect(runs.map((x: any) => [x.module, x.automation, x.result])).toEqual([
      ['deals', 'a_tier', 'done'],
      ['deals', 'b_task', 'done'],
    ]);
    expect(runs[0].actions).toEqual([
      { index: 0, type: 'update_fields', values: { tier: 'gold' } },
      { index: 1, type: 'assign', field: 'owner_id', user: record.owner_id },
    ]);
    expect(runs[1].actions[0]).toMatchObject({
      type: 'create_record',
      module: 'tasks',
      values: { subject: 'Kick off Big', deal: record.id },
    });
    expect(runs[1].actions[1].job).toMatchObject({
      kind: 'webhook',
      idempotencyKey: `b_task:deals:${record.id}:1:1`,
      payload: { url: 'https://hooks.example.com/x', body: { event: 'create', module: 'deals' } },
    });
    expect(scheduled).toEqual([
      { automation: 'deals.d_renewal', recordId: record.id, runAt: expect.any(String) },
    ]);
    // Nothing at all was written: records, history, trace, jobs, round robin.
    expect(await everything()).toEqual(before);
  });

  it('shows a blueprint guard refusal an automation would meet on a change', async () => {
    const deal = (await t.call('POST', '/api/records/deals', { name: 'Small', amount: 10 })).body;
    const before = await everything();
    const r = await t.call('POST', '/api/automations/dry-run', {
      module: 'deals',
      recordId: deal.id,
      changes: { amount: 9000 },
    });
    expect(r.status).toBe(200);
    expect(r.body.mode).toBe('update');
    expect(r.body.record).toBeNull();
    expect(r.body.refused).toMatchObject({
      code: 'BLUEPRINT_FIELD',
      details: [{ path: 'stage', message: expect.stringContaining('deals.c_stage') }],
    });
    const ok = await t.call('POST', '/api/automations/dry-run', {
      module: 'deals',
      recordId: deal.id,
      changes: { amount: 20 },
    });
    expect(ok.body.refused).toBeNull();
    expect(ok.body.record).toMatchObject({ amount: 20, version: 2 });
    expect(ok.body.runs).toEqual([
      expect.objectContaining({ automation: 'c_stage', result: 'skipped', actions: [] }),
    ]);
    expect(await everything()).toEqual(before);
  });

  it('evaluates the conditions on a record as it is', async () => {
    const deal = (await t.call('POST', '/api/records/deals', { name: 'Eval', amount: 2000 })).body;
    const r = await t.call('POST', '/api/automations/dry-run', {
      module: 'deals',
      recordId: deal.id,
    });
    expect(r.body.mode).toBe('evaluate');
    expect(r.body.conditions.map((c: any) => [c.automation, c.holds])).toEqual([
      ['a_tier', true],
      ['b_task', true],
      ['c_stage', false],
      ['d_renewal', true],
    ]);
  });

  it('is for administrators, and refuses a bad request with field paths', async () => {
    const rep = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'rep@example.com', password: 'pw-pw-pw-pw' },
    });
    const token = rep.json().token as string;
    const refused = await t.call('POST', '/api/automations/dry-run', { module: 'deals' }, token);
    expect(refused.status).toBe(403);
    const bad = await t.call('POST', '/api/automations/dry-run', {
      module: 'deals',
      recordId: 'nope',
      changes: [],
      extra: 1,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.path).sort()).toEqual([
      'changes',
      'extra',
      'recordId',
    ]);
    const unknown = await t.call('POST', '/api/automations/dry-run', { module: 'nope' });
    expect(unknown.status).toBe(404);
  });
});
