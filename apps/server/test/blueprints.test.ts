import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullProfile, type Reply, startTestApp, type TestApp } from './support/test-app.js';

/** A blueprint owns its picklist field: it changes through transitions only, whatever the door. */
const STAGES = ['qualification', 'proposal', 'negotiation', 'closed_won', 'closed_lost'];
const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    {
      name: 'stage',
      type: 'picklist',
      default: 'qualification',
      options: STAGES.map((value) => ({ value })),
    },
    { name: 'amount', type: 'currency' },
    { name: 'close_date', type: 'date' },
    { name: 'lost_reason', type: 'text' },
    { name: 'probability', type: 'integer' },
  ],
};
const BLUEPRINT = {
  kind: 'blueprint',
  module: 'deals',
  name: 'sales_process',
  field: 'stage',
  transitions: [
    {
      name: 'propose',
      label: { en: 'Send proposal', 'zh-CN': '提交方案报价' },
      from: ['qualification'],
      to: 'proposal',
      require: ['amount'],
    },
    {
      name: 'negotiate',
      label: { en: 'Start negotiation', 'zh-CN': '进入商务谈判' },
      from: ['proposal'],
      to: 'negotiation',
      // Only worth negotiating above 1,000.
      when: { '>': [{ var: 'amount' }, 1000] },
    },
    {
      name: 'win',
      label: { en: 'Mark as won', 'zh-CN': '赢单' },
      from: ['proposal', 'negotiation'],
      to: 'closed_won',
      require: ['amount', 'close_date'],
    },
    {
      name: 'lose',
      label: { en: 'Mark as lost', 'zh-CN': '输单' },
      from: ['qualification', 'proposal', 'negotiation'],
      to: 'closed_lost',
      require: ['lost_reason'],
    },
    {
      name: 'reopen',
      label: { en: 'Reopen', 'zh-CN': '重新激活' },
      from: ['closed_lost'],
      to: 'qualification',
      who: { owner: true },
    },
  ],
};

describe('blueprints', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, BLUEPRINT, fullProfile(['deals'])]);
  });
  afterAll(async () => t.close());

  const create = (body: unknown) => t.call('POST', '/api/records/deals', body);
  const run = (id: string, name: string, body: unknown, token?: string) =>
    t.call('POST', `/api/records/deals/${id}/transitions/${name}`, body, token);
  const detail = (r: Reply) => r.body.error.details as { path: string; message: string }[];
  const stageRows = async (id: string) =>
    (
      await sql<{
        stage: string;
        version: number;
      }>`select stage, version from ws_main.deals where id = ${id}`.execute(t.handle.db)
    ).rows[0];

  it('starts a new record in the initial state and refuses another one on create', async () => {
    const ok = await create({ name: 'Plain' });
    expect(ok.status).toBe(201);
    expect(ok.body.stage).toBe('qualification');
    const same = await create({ name: 'Explicit', stage: 'qualification' });
    expect(same.status).toBe(201);

    const r = await create({ name: 'Shortcut', stage: 'closed_won' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BLUEPRINT_FIELD');
    expect(detail(r).map((d) => d.path)).toEqual(['stage']);
    // The refusal names the transitions open from where a new record starts.
    expect(detail(r)[0]?.message).toContain('Send proposal (propose)');
    expect(detail(r)[0]?.message).toContain('Mark as lost (lose)');
    expect(detail(r)[0]?.message).not.toContain('(win)');
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from ws_main.deals where name = 'Shortcut'`.execute(t.handle.db);
    expect(n.rows[0]?.n).toBe(0);
  });

  it('refuses a direct stage edit on update, in the caller’s language, and writes nothing', async () => {
    const deal = (await create({ name: 'Edit me', amount: 500 })).body;
    const r = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: 1,
      stage: 'closed_won',
      probability: 100,
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BLUEPRINT_FIELD');
    expect(detail(r)[0]?.path).toBe('stage');
    expect(detail(r)[0]?.message).toContain('Send proposal (propose)');
    expect(await stageRows(deal.id)).toEqual({ stage: 'qualification', version: 1 });

    const zh = await t.app.inject({
      method: 'PATCH',
      url: `/api/records/deals/${deal.id}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
      payload: { version: 1, stage: 'proposal' },
    });
    expect(zh.statusCode).toBe(409);
    expect(zh.json().error.details[0].message).toContain('提交方案报价 (propose)');

    // Other fields still change the ordinary way; sending the same stage is no change.
    const fine = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: 1,
      stage: 'qualification',
      probability: 20,
    });
    expect(fine.status).toBe(200);
    expect(fine.body).toMatchObject({ stage: 'qualification', probability: 20, version: 2 });
  });

  it('refuses a stage edit through bulk, at each operation’s path, all or nothing', async () => {
    const deal = (await create({ name: 'Bulk me' })).body;
    const r = await t.call('POST', '/api/records/deals/bulk', {
      create: [{ name: 'Fine' }, { name: 'Won already', stage: 'closed_won' }],
      update: [{ id: deal.id, version: 1, stage: 'negotiation' }],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BLUEPRINT_FIELD');
    expect(detail(r).map((d) => d.path)).toEqual(['create[1].stage', 'update[0].stage']);
    expect(detail(r)[1]?.message).toContain('(propose)');
    const n = await sql<{
      n: number;
    }>`select count(*)::int as n from ws_main.deals where name in ('Fine', 'Won already')`.execute(
      t.handle.db,
    );
    expect(n.rows[0]?.n).toBe(0);
    expect(await stageRows(deal.id)).toEqual({ stage: 'qualification', version: 1 });
  });

  it('lists the transitions this user may run now, with their required fields', async () => {
    const deal = (await create({ name: 'List me' })).body;
    const r = await t.call('GET', `/api/records/deals/${deal.id}/transitions`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      blueprint: 'sales_process',
      field: 'stage',
      state: 'qualification',
    });
    expect(r.body.transitions.map((x: { name: string }) => x.name)).toEqual(['propose', 'lose']);
    expect(r.body.transitions[0]).toEqual({
      name: 'propose',
      label: 'Send proposal',
      from: ['qualification'],
      to: 'proposal',
      require: [{ name: 'amount', label: 'Amount', type: 'currency' }],
      approval: null,
    });
  });

  it('runs a transition with its required fields, and the history names it', async () => {
    const deal = (await create({ name: 'Big one' })).body;
    const missing = await run(deal.id, 'propose', { values: {}, version: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    expect(detail(missing).map((d) => d.path)).toEqual(['amount']);

    // The transition's values go through the field's own validation.
    const bad = await run(deal.id, 'propose', { values: { amount: 'lots' }, version: 1 });
    expect(bad.status).toBe(400);
    expect(detail(bad).map((d) => d.path)).toEqual(['amount']);
    expect(await stageRows(deal.id)).toEqual({ stage: 'qualification', version: 1 });

    const r = await run(deal.id, 'propose', { values: { amount: 5000 }, version: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ stage: 'proposal', version: 2 });
    expect(Number(r.body.amount)).toBe(5000);

    const history = await t.call('GET', `/api/records/deals/${deal.id}/history`);
    const last = history.body.data[0];
    expect(last.action).toBe('transition');
    expect(last.transition).toBe('propose');
    expect(last.changes.stage).toEqual({ from: 'qualification', to: 'proposal' });
    expect(history.body.data[1].action).toBe('create');
    expect(history.body.data[1].transition).toBeUndefined();

    // A stale version is refused like any update.
    const stale = await run(deal.id, 'negotiate', { values: {}, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');

    const next = await run(deal.id, 'negotiate', { values: {}, version: 2 });
    expect(next.status).toBe(200);
    expect(next.body.stage).toBe('negotiation');
  });

  it('refuses a transition from the wrong state, or whose condition is false', async () => {
    const deal = (await create({ name: 'Small one' })).body;
    const wrong = await run(deal.id, 'win', {
      values: { amount: 100, close_date: '2026-12-01' },
      version: 1,
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('TRANSITION_UNAVAILABLE');
    expect(detail(wrong)[0]?.message).toContain('Send proposal (propose)');
    expect(await stageRows(deal.id)).toEqual({ stage: 'qualification', version: 1 });

    await run(deal.id, 'propose', { values: { amount: 100 }, version: 1 });
    // `negotiate` asks for an amount above 1,000: not offered, and refused when asked for.
    const offered = await t.call('GET', `/api/records/deals/${deal.id}/transitions`);
    expect(offered.body.transitions.map((x: { name: string }) => x.name)).toEqual(['win', 'lose']);
    const refused = await run(deal.id, 'negotiate', { values: {}, version: 2 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TRANSITION_UNAVAILABLE');
    expect(await stageRows(deal.id)).toEqual({ stage: 'proposal', version: 2 });

    const unknown = await run(deal.id, 'teleport', { values: {}, version: 2 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_TRANSITION');

    const setOther = await run(deal.id, 'lose', {
      values: { lost_reason: 'price', stage: 'closed_won' },
      version: 2,
    });
    expect(setOther.status).toBe(409);
    expect(detail(setOther)[0]?.path).toBe('values.stage');
  });

  it('lets only the owner (or an administrator) run a transition restricted to the owner', async () => {
    const owner = await t.userToken('owner@example.com', { profile: 'full' });
    const other = await t.userToken('other@example.com', { profile: 'full' });
    const deal = (await t.call('POST', '/api/records/deals', { name: 'Owned' }, owner)).body;
    const lost = await run(
      deal.id,
      'lose',
      { values: { lost_reason: 'budget' }, version: 1 },
      owner,
    );
    expect(lost.status).toBe(200);
    expect(lost.body.stage).toBe('closed_lost');

    const list = await t.call('GET', `/api/records/deals/${deal.id}/transitions`, undefined, other);
    expect(list.body.transitions).toEqual([]);
    const refused = await run(deal.id, 'reopen', { values: {}, version: 2 }, other);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('TRANSITION_UNAVAILABLE');

    const reopened = await run(deal.id, 'reopen', { values: {}, version: 2 }, owner);
    expect(reopened.status).toBe(200);
    expect(reopened.body.stage).toBe('qualification');
    // An administrator may run it too.
    await run(deal.id, 'lose', { values: {}, version: 3 }, owner);
    const admin = await run(deal.id, 'reopen', { values: {}, version: 4 });
    expect(admin.status).toBe(200);
  });
});

describe('blueprints: publishing', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS]);
    // Records stored before any blueprint, at stages set freely.
    await t.call('POST', '/api/records/deals/bulk', {
      create: [
        { name: 'A', stage: 'qualification' },
        { name: 'B', stage: 'negotiation' },
        { name: 'C', stage: 'negotiation' },
        { name: 'D', stage: 'closed_won' },
      ],
    });
  });
  afterAll(async () => t.close());

  it('says in the plan how many records sit in states the blueprint no longer covers', async () => {
    // A blueprint without negotiation: two records would sit where no transition leads.
    const narrow = {
      ...BLUEPRINT,
      transitions: BLUEPRINT.transitions
        .filter((x) => x.name !== 'negotiate' && x.name !== 'lose' && x.name !== 'reopen')
        .map((x) => ({ ...x, from: x.from.filter((s) => s !== 'negotiation') })),
    };
    const r = await t.call('POST', '/api/meta/plan', { documents: [narrow] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const step = r.body.steps.find(
      (s: { step: { kind: string } }) => s.step.kind === 'put_document',
    );
    expect(step.impact).toEqual([
      expect.objectContaining({ rule: 'blueprint_states', records: 2, outcome: 'warning' }),
    ]);
    expect(step.impact[0].message).toContain('"negotiation" (2)');
    expect(step.impact[0].examples).toEqual(
      expect.arrayContaining([
        { value: 'negotiation', records: 2 },
        { value: 'qualification', records: 1 },
        { value: 'closed_won', records: 1 },
      ]),
    );

    const full = await t.call('POST', '/api/meta/plan', { documents: [BLUEPRINT] });
    const ok = full.body.steps.find(
      (s: { step: { kind: string } }) => s.step.kind === 'put_document',
    );
    expect(ok.impact[0]).toMatchObject({ records: 0, outcome: 'ok' });
  });
});
