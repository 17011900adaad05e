import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fullProfile, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Automations in the one write path: triggers, conditions reading a lookup, the order of
 * actions, related records through the write path, round robin, the outbox (one job per action
 * per event), the recursion guard, the blueprint guard, and the trace of every run.
 */
const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'text' },
  ],
};
const LEADS = {
  kind: 'module',
  name: 'leads',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'email', type: 'email' },
    { name: 'owner_note', type: 'text' },
    { name: 'score', type: 'integer' },
  ],
};
const TASKS = {
  kind: 'module',
  name: 'tasks',
  recordName: 'subject',
  fields: [
    { name: 'subject', type: 'text', required: true, maxLength: 40 },
    { name: 'due', type: 'date' },
    { name: 'lead', type: 'lookup', target: 'leads' },
    { name: 'deal', type: 'lookup', target: 'deals' },
  ],
};
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
      options: [{ value: 'open' }, { value: 'won' }, { value: 'lost' }],
    },
    { name: 'amount', type: 'currency' },
    { name: 'priority', type: 'boolean' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};
const BLUEPRINT = {
  kind: 'blueprint',
  module: 'deals',
  name: 'deal_flow',
  field: 'stage',
  transitions: [
    { name: 'win', from: ['open'], to: 'won' },
    { name: 'lose', from: ['open'], to: 'lost' },
  ],
};
/** A chain of automations, each creating the next step: s1 → s2 → … → s6. */
const STEPS = { kind: 'module', name: 'steps', fields: [{ name: 'n', type: 'integer' }] };
const STEP_AUTOMATIONS = [1, 2, 3, 4, 5, 6].map((i) => ({
  kind: 'automation',
  module: 'steps',
  name: `s${i}`,
  trigger: { on: 'create' },
  when: { '==': [{ var: 'n' }, i] },
  actions: [{ type: 'create_record', module: 'steps', values: { n: i + 1 } }],
}));
const ROLES = [
  { kind: 'role', name: 'sales_manager' },
  { kind: 'role', name: 'sales_rep', parent: 'sales_manager' },
];
const auto = (module: string, name: string, rest: Record<string, unknown>) => ({
  kind: 'automation',
  module,
  name,
  ...rest,
});
const AUTOMATIONS = [
  // Names give the order: a_assign, b_follow_up, c_note.
  auto('leads', 'c_note', {
    trigger: { on: 'create' },
    // Holds only because a_assign ran first and set the owner.
    when: { '!=': [{ var: 'owner_id' }, null] },
    actions: [
      { type: 'update_fields', values: { owner_note: { cat: ['owner ', { var: 'owner_id' }] } } },
    ],
  }),
  auto('leads', 'a_assign', {
    trigger: { on: 'create' },
    when: { '!': [{ starts_with: [{ var: 'name' }, 'loop'] }] },
    actions: [{ type: 'assign', strategy: 'round_robin', role: 'sales_rep' }],
  }),
  auto('leads', 'b_follow_up', {
    trigger: { on: 'create' },
    actions: [
      {
        type: 'create_record',
        module: 'tasks',
        values: {
          subject: { cat: ['Call ', { var: 'name' }] },
          due: { date_add: ['today', 3] },
          lead: { var: 'id' },
        },
      },
      {
        type: 'send_email',
        to: { var: 'email' },
        subject: { en: 'Welcome {{name}}', 'zh-CN': '欢迎 {{name}}' },
        body: { en: 'Hello {{name}}, we will call you.', 'zh-CN': '{{name}} 您好' },
      },
    ],
  }),
  // Loop: a task named "loop…" creates a lead named "loop…", whose follow-up creates a task…
  auto('tasks', 'loop_back', {
    trigger: { on: 'create' },
    when: { starts_with: [{ var: 'subject' }, 'Call loop'] },
    actions: [
      {
        type: 'create_record',
        module: 'leads',
        values: { name: { cat: ['loop ', { var: 'id' }] } },
      },
    ],
  }),
  auto('deals', 'tech_priority', {
    trigger: { on: 'create' },
    // A condition on a lookup's field, one level deep.
    when: { '==': [{ var: 'account.industry' }, 'tech'] },
    actions: [
      {
        type: 'update_fields',
        values: { priority: true, amount: { '*': [{ var: 'amount' }, 2] } },
      },
    ],
  }),
  auto('deals', 'deal_webhook', {
    trigger: { on: 'update', fields: ['amount'] },
    actions: [
      { type: 'webhook', url: 'https://hooks.example.com/deals' },
      { type: 'notify', to: ['owner', 'manager'], title: { en: 'Deal {{name}} changed' } },
    ],
  }),
  auto('deals', 'stage_won', {
    trigger: { on: 'field_change', field: 'stage', from: 'open', to: 'won' },
    actions: [
      { type: 'notify', to: 'owner', title: { en: '{{name}} won', 'zh-CN': '{{name}} 赢单' } },
    ],
  }),
  auto('deals', 'force_stage', {
    trigger: { on: 'create' },
    when: { '==': [{ var: 'name' }, 'force'] },
    actions: [{ type: 'update_fields', values: { stage: 'won' } }],
  }),
  auto('deals', 'gone', {
    trigger: { on: 'delete' },
    actions: [{ type: 'webhook', url: 'https://hooks.example.com/gone' }],
  }),
];

describe('automations in the write path', () => {
  let t: TestApp;
  const reps: string[] = [];
  let managerId = '';
  let repToken = '';
  const db = () => t.handle.db;
  const jobs = async () =>
    (
      await sql<{ kind: string; idempotency_key: string; payload: any }>`
        select kind, idempotency_key, payload from ws_main._jobs order by id`.execute(db())
    ).rows;
  const count = async (table: string) =>
    Number(
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from ${sql.raw(`ws_main.${table}`)}`.execute(db())
      ).rows[0]?.n,
    );
  const userId = async (email: string) =>
    (await sql<{ id: string }>`select id from atrium.users where email = ${email}`.execute(db()))
      .rows[0]?.id as string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([
      ACCOUNTS,
      LEADS,
      TASKS,
      DEALS,
      BLUEPRINT,
      ...ROLES,
      fullProfile(['accounts', 'leads', 'tasks', 'deals']),
      { kind: 'sharing', module: 'leads', default: 'private' },
      ...AUTOMATIONS,
      STEPS,
      ...STEP_AUTOMATIONS,
    ]);
    await t.userToken('manager@example.com', { role: 'sales_manager', profile: 'full' });
    repToken = await t.userToken('rep1@example.com', { role: 'sales_rep', profile: 'full' });
    await t.userToken('rep2@example.com', { role: 'sales_rep', profile: 'full' });
    reps.push(await userId('rep1@example.com'), await userId('rep2@example.com'));
    managerId = await userId('manager@example.com');
  });
  afterAll(async () => t.close());
  beforeEach(async () => {
    await sql`delete from ws_main._jobs`.execute(db());
  });

  it('runs create automations in name order: assign, then a related task, then a field update that reads the owner', async () => {
    const r = await t.call('POST', '/api/records/leads', { name: 'Ada', email: 'ada@example.com' });
    expect(r.status).toBe(201);
    const lead = r.body;
    expect(reps).toContain(lead.owner_id);
    expect(lead.owner_note).toBe(`owner ${lead.owner_id}`);
    const tasks = await t.call(
      'GET',
      `/api/records/tasks?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'lead' }, lead.id] }))}`,
    );
    expect(tasks.body.data).toHaveLength(1);
    const task = tasks.body.data[0];
    expect(task.subject).toBe('Call Ada');
    const due = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    expect(task.due).toBe(due);
    // The task went through the write path: it has a history entry of its own.
    const history = await t.call('GET', `/api/records/tasks/${task.id}/history`);
    expect(history.body.data.map((h: { action: string }) => h.action)).toEqual(['create']);
    // The mail is in the outbox with its merge fields resolved, keyed by automation, event and action.
    expect(await jobs()).toEqual([
      {
        kind: 'send_email',
        idempotency_key: `b_follow_up:leads:${lead.id}:1:1`,
        payload: {
          to: ['ada@example.com'],
          subject: 'Welcome Ada',
          text: 'Hello Ada, we will call you.',
          locale: 'en',
          module: 'leads',
          recordId: lead.id,
        },
      },
    ]);
  });

  it('rotates the owner over the active users of the role (round robin)', async () => {
    const owners: string[] = [];
    for (const name of ['R1', 'R2', 'R3', 'R4'])
      owners.push((await t.call('POST', '/api/records/leads', { name })).body.owner_id);
    expect(new Set(owners)).toEqual(new Set(reps));
    expect(owners[0]).not.toBe(owners[1]);
    expect(owners[0]).toBe(owners[2]);
    expect(owners[1]).toBe(owners[3]);
  });

  it('reads a lookup’s field in a condition and updates fields before the save', async () => {
    const tech = (await t.call('POST', '/api/records/accounts', { name: 'T', industry: 'tech' }))
      .body;
    const farm = (await t.call('POST', '/api/records/accounts', { name: 'F', industry: 'farming' }))
      .body;
    const a = await t.call('POST', '/api/records/deals', {
      name: 'A',
      amount: 100,
      account: tech.id,
    });
    const b = await t.call('POST', '/api/records/deals', {
      name: 'B',
      amount: 100,
      account: farm.id,
    });
    expect(a.body).toMatchObject({ priority: true, amount: 200 });
    expect(b.body).toMatchObject({ priority: null, amount: 100 });
    // One history entry with the values as saved: the automation ran before the save.
    const h = await t.call('GET', `/api/records/deals/${a.body.id}/history`);
    expect(h.body.data).toHaveLength(1);
    expect(h.body.data[0].changes.amount).toEqual({ from: null, to: 200 });
  });

  it('enqueues exactly one job per action per event, on update and field change triggers', async () => {
    const deal = (await t.call('POST', '/api/records/deals', { name: 'Jobs', amount: 10 })).body;
    expect(await jobs()).toEqual([]);
    // A change of another field does not match `fields: ["amount"]`.
    const renamed = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: 1,
      name: 'Jobs 2',
    });
    expect(await jobs()).toEqual([]);
    const v3 = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: renamed.body.version,
      amount: 20,
    });
    const v4 = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: v3.body.version,
      amount: 30,
    });
    expect(v4.status).toBe(200);
    const list = await jobs();
    expect(list.map((j) => j.idempotency_key)).toEqual([
      `deal_webhook:deals:${deal.id}:3:0`,
      `deal_webhook:deals:${deal.id}:3:1`,
      `deal_webhook:deals:${deal.id}:4:0`,
      `deal_webhook:deals:${deal.id}:4:1`,
    ]);
    const hook = list[0]?.payload;
    expect(hook.url).toBe('https://hooks.example.com/deals');
    expect(hook.body).toMatchObject({
      event: 'update',
      module: 'deals',
      automation: 'deal_webhook',
    });
    expect(hook.body.record).toMatchObject({ id: deal.id, amount: 20, version: 3 });
    expect(Number.isNaN(Date.parse(hook.body.at))).toBe(false);
    // The owner is the admin (no role): no manager; the notification goes to the owner alone.
    expect(list[1]?.payload).toEqual({
      userIds: [deal.owner_id],
      title: 'Deal Jobs 2 changed',
      module: 'deals',
      recordId: deal.id,
    });

    // field_change open → won, through the transition (the blueprint's only door).
    await sql`delete from ws_main._jobs`.execute(db());
    const won = await t.call('POST', `/api/records/deals/${deal.id}/transitions/win`, {
      version: 4,
    });
    expect(won.status).toBe(200);
    expect(await jobs()).toEqual([
      expect.objectContaining({
        kind: 'notify',
        idempotency_key: `stage_won:deals:${deal.id}:5:0`,
      }),
    ]);
  });

  it('notifies the owner’s manager: the active users of the role above the owner’s', async () => {
    const deal = (
      await t.call('POST', '/api/records/deals', { name: 'Managed', amount: 1 }, repToken)
    ).body;
    await t.call('PATCH', `/api/records/deals/${deal.id}`, { version: 1, amount: 2 }, repToken);
    const notify = (await jobs()).find((j) => j.kind === 'notify');
    expect(notify?.payload.userIds.sort()).toEqual([reps[0], managerId].sort());
  });

  it('refuses a stage set by an automation: the blueprint guard holds for automations too', async () => {
    const before = await count('deals');
    const r = await t.call('POST', '/api/records/deals', { name: 'force' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BLUEPRINT_FIELD');
    expect(r.body.error.details[0].path).toBe('stage');
    expect(r.body.error.details[0].message).toContain('deals.force_stage');
    expect(await count('deals')).toBe(before);
  });

  it('stops automations that trigger each other in a loop with a clear 422, writing nothing', async () => {
    const leads = await count('leads');
    const tasks = await count('tasks');
    const runs = await count('_automation_runs');
    const r = await t.call('POST', '/api/records/leads', { name: 'loop start' });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('AUTOMATION_LOOP');
    expect(r.body.error.details[0].message).toContain(
      'leads.b_follow_up → tasks.loop_back → leads.b_follow_up',
    );
    const zh = await t.app.inject({
      method: 'POST',
      url: '/api/records/leads',
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
      payload: { name: 'loop zh' },
    });
    expect(zh.json().error.message).toBe('自动化规则相互触发形成循环，未保存任何内容');
    expect([await count('leads'), await count('tasks'), await count('_automation_runs')]).toEqual([
      leads,
      tasks,
      runs,
    ]);
    expect(await jobs()).toEqual([]);
  });

  it('refuses automations that trigger one another more than 5 deep, writing nothing', async () => {
    const deep = await t.call('POST', '/api/records/steps', { n: 1 });
    expect(deep.status).toBe(422);
    expect(deep.body.error.code).toBe('AUTOMATION_DEPTH');
    expect(deep.body.error.details[0].message).toContain(
      'steps.s1 → steps.s2 → steps.s3 → steps.s4 → steps.s5 → steps.s6',
    );
    expect(await count('steps')).toBe(0);
    // Five levels are allowed: n = 2 runs s2 … s6 and stores six steps.
    const ok = await t.call('POST', '/api/records/steps', { n: 2 });
    expect(ok.status).toBe(201);
    const ns = await sql<{ n: number }>`select n from ws_main.steps order by n`.execute(db());
    expect(ns.rows.map((r) => r.n)).toEqual([2, 3, 4, 5, 6, 7]);
  });

  it('refuses a related record that breaks its module’s rules, naming the automation and action', async () => {
    const r = await t.call('POST', '/api/records/leads', { name: 'x'.repeat(60) });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details[0].path).toBe('subject');
    expect(r.body.error.details[0].message).toContain(
      'automation "leads.b_follow_up", action 0 (create_record)',
    );
  });

  it('runs delete automations once the record is in the bin', async () => {
    const deal = (await t.call('POST', '/api/records/deals', { name: 'Bye' })).body;
    const r = await t.call('DELETE', `/api/records/deals/${deal.id}`);
    expect(r.status).toBe(200);
    expect(await jobs()).toEqual([
      expect.objectContaining({
        kind: 'webhook',
        idempotency_key: `gone:deals:${deal.id}:2:delete:0`,
      }),
    ]);
  });

  it('leaves a trace row per run and record, readable by whoever may read the record', async () => {
    const lead = (
      await t.call('POST', '/api/records/leads', { name: 'Traced', email: 'tr@example.com' })
    ).body;
    const r = await t.call('GET', `/api/records/leads/${lead.id}/trace`);
    expect(r.status).toBe(200);
    const rows = r.body.data as any[];
    expect(rows.map((x) => [x.automation, x.trigger, x.result]).sort()).toEqual([
      ['a_assign', 'create', 'done'],
      ['b_follow_up', 'create', 'done'],
      ['c_note', 'create', 'done'],
    ]);
    const follow = rows.find((x) => x.automation === 'b_follow_up');
    expect(follow.event).toBe(`leads:${lead.id}:1`);
    expect(follow.durationMs).toBeGreaterThan(0);
    expect(follow.actions.map((a: any) => a.type)).toEqual(['create_record', 'send_email']);
    expect(follow.actions[1].job.idempotencyKey).toBe(`b_follow_up:leads:${lead.id}:1:1`);
    // The task's own trace: loop_back's condition did not hold.
    const taskId = follow.actions[0].id;
    const task = await t.call('GET', `/api/records/tasks/${taskId}/trace`);
    expect(task.body.data).toEqual([
      expect.objectContaining({ automation: 'loop_back', result: 'skipped', depth: 1 }),
    ]);
    // Leads are private: a rep reads the trace of their own lead, not of the other rep's.
    const mine = lead.owner_id === reps[0];
    const other = mine
      ? (await t.call('POST', '/api/records/leads', { name: 'Traced 2' })).body
      : lead;
    const own = mine
      ? lead
      : (await t.call('POST', '/api/records/leads', { name: 'Traced 2' })).body;
    expect([own.owner_id, other.owner_id]).toEqual([reps[0], reps[1]]);
    const ownTrace = await t.call('GET', `/api/records/leads/${own.id}/trace`, undefined, repToken);
    expect(ownTrace.status).toBe(200);
    expect(ownTrace.body.data).toHaveLength(3);
    const asRep = await t.call('GET', `/api/records/leads/${other.id}/trace`, undefined, repToken);
    expect(asRep.status).toBe(404);
    const unknown = await t.call(
      'GET',
      '/api/records/leads/0191d000-0000-7000-8000-000000000000/trace',
    );
    expect(unknown.status).toBe(404);
  });

  it('costs a module with no automations nothing: no trace, no job', async () => {
    const runs = await count('_automation_runs');
    const r = await t.call('POST', '/api/records/accounts', { name: 'Plain' });
    expect(r.status).toBe(201);
    expect(await count('_automation_runs')).toBe(runs);
    expect(t.engine.metadata.current.modules.get('accounts')?.automations).toBeUndefined();
  });
});
