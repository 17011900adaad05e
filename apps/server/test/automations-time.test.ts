import { automationJobHandlers, JobWorker, scheduleAutomations } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullProfile, startTestApp, type TestApp } from './support/test-app.js';

/**
 * Time triggers are jobs: a date-relative rule fires when the (moved) clock reaches its moment
 * on the workspace's calendar, moves when its date changes and goes when the record is deleted;
 * "no activity for N days" and cron schedules likewise.
 */
const CONTRACTS = {
  kind: 'module',
  name: 'contracts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'end_date', type: 'date' },
    { name: 'status', type: 'text' },
  ],
};
const TASKS = {
  kind: 'module',
  name: 'tasks',
  recordName: 'subject',
  fields: [
    { name: 'subject', type: 'text', required: true },
    { name: 'contract', type: 'lookup', target: 'contracts' },
  ],
};
const DOCS = [
  CONTRACTS,
  TASKS,
  { kind: 'role', name: 'boss' },
  { kind: 'role', name: 'rep', parent: 'boss' },
  fullProfile(['contracts', 'tasks']),
  {
    kind: 'automation',
    module: 'contracts',
    name: 'renewal',
    trigger: { on: 'date', field: 'end_date', offset: '-30d', at: '09:00' },
    when: { '!=': [{ var: 'status' }, 'cancelled'] },
    actions: [
      {
        type: 'create_record',
        module: 'tasks',
        values: { subject: { cat: ['Renew ', { var: 'name' }] }, contract: { var: 'id' } },
      },
      { type: 'update_fields', values: { status: 'renewing' } },
    ],
  },
  {
    kind: 'automation',
    module: 'contracts',
    name: 'idle',
    trigger: { on: 'no_activity', days: 3 },
    actions: [{ type: 'notify', to: ['owner', 'manager'], title: { en: '{{name}} is idle' } }],
  },
  {
    kind: 'automation',
    module: 'contracts',
    name: 'daily',
    trigger: { on: 'schedule', cron: '0 8 * * 1' },
    when: { '==': [{ var: 'status' }, 'renewing'] },
    actions: [{ type: 'webhook', url: 'https://hooks.example.com/daily' }],
  },
];
const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe('time-triggered automations', () => {
  let t: TestApp;
  let repToken = '';
  const automationJobs = async () =>
    (
      await sql<{ key: string; run_at: string; status: string; payload: any }>`
        select idempotency_key as key, run_at, status, payload from ws_main._jobs
        where kind = 'automation' order by id`.execute(t.handle.db)
    ).rows;
  const workerAt = (at: Date) =>
    new JobWorker(t.handle.db, 'ws_main', automationJobHandlers(t.engine), { now: () => at });
  /** Runs every job due at `at` (the other rules' too: the clock moved for all of them). */
  const runUntil = async (at: Date) => {
    const w = workerAt(at);
    while ((await w.runOnce()) > 0);
  };
  const renewalJobs = async (id: string) =>
    (await automationJobs()).filter(
      (j) => j.payload.recordId === id && j.payload.automation === 'contracts.renewal',
    );

  beforeAll(async () => {
    t = await startTestApp();
    // The workspace's calendar: 09:00 in Shanghai is 01:00 UTC.
    expect((await t.call('PUT', '/api/settings', { timeZone: 'Asia/Shanghai' })).status).toBe(200);
    await t.apply(DOCS);
    await t.userToken('boss@example.com', { role: 'boss', profile: 'full' });
    repToken = await t.userToken('rep@example.com', { role: 'rep', profile: 'full' });
  });
  afterAll(async () => t.close());

  it('fires 30 days before the end date at 09:00 in the workspace’s zone, once, when the clock gets there', async () => {
    const end = isoDate(Date.now() + 45 * DAY);
    const c = (await t.call('POST', '/api/records/contracts', { name: 'Acme', end_date: end }))
      .body;
    const [job] = await renewalJobs(c.id);
    const due = new Date(`${isoDate(Date.parse(`${end}T00:00:00Z`) - 30 * DAY)}T01:00:00.000Z`);
    expect(job?.status).toBe('pending');
    expect(new Date(job?.run_at as string).toISOString()).toBe(due.toISOString());

    // A minute early: not yet.
    await runUntil(new Date(due.getTime() - 60_000));
    expect((await renewalJobs(c.id)).map((j) => j.status)).toEqual(['pending']);
    expect((await sql`select 1 from ws_main.tasks`.execute(t.handle.db)).rows).toEqual([]);
    // Past it: the rule runs — a renewal task, and the contract's status through the write path.
    await runUntil(new Date(due.getTime() + 60_000));
    const tasks = await sql<{ subject: string; contract: string }>`
      select subject, contract from ws_main.tasks`.execute(t.handle.db);
    expect(tasks.rows).toEqual([{ subject: 'Renew Acme', contract: c.id }]);
    const after = (await t.call('GET', `/api/records/contracts/${c.id}`)).body;
    expect(after).toMatchObject({ status: 'renewing', version: 2 });
    const trace = (await t.call('GET', `/api/records/contracts/${c.id}/trace`)).body.data;
    expect(trace.find((r: any) => r.automation === 'renewal')).toMatchObject({
      trigger: 'date',
      result: 'done',
      event: job?.key,
    });
    expect((await renewalJobs(c.id)).map((j) => j.status)).toEqual(['done']);
    // Again, later: it does not run twice.
    await runUntil(new Date(due.getTime() + 2 * DAY));
    expect((await sql`select 1 from ws_main.tasks`.execute(t.handle.db)).rows).toHaveLength(1);
  });

  it('moves the job when the date changes and drops it when the record is deleted', async () => {
    const end = isoDate(Date.now() + 100 * DAY);
    const c = (await t.call('POST', '/api/records/contracts', { name: 'Move', end_date: end }))
      .body;
    const first = await renewalJobs(c.id);
    expect(first).toHaveLength(1);
    // Another field: the job stays as it is.
    const renamed = await t.call('PATCH', `/api/records/contracts/${c.id}`, {
      version: 1,
      name: 'Moved',
    });
    expect(await renewalJobs(c.id)).toEqual(first);
    const later = isoDate(Date.now() + 200 * DAY);
    await t.call('PATCH', `/api/records/contracts/${c.id}`, {
      version: renamed.body.version,
      end_date: later,
    });
    const moved = await renewalJobs(c.id);
    expect(moved).toHaveLength(1);
    expect(moved[0]?.payload.due).not.toBe(first[0]?.payload.due);
    expect(new Date(moved[0]?.run_at as string).toISOString()).toBe(
      `${isoDate(Date.parse(`${later}T00:00:00Z`) - 30 * DAY)}T01:00:00.000Z`,
    );
    // At the old moment, nothing runs for it: the job is gone.
    await runUntil(new Date(Date.parse(first[0]?.run_at as string) + 60_000));
    expect((await renewalJobs(c.id)).map((j) => j.status)).toEqual(['pending']);
    const tasks = await sql`select 1 from ws_main.tasks where contract = ${c.id}`.execute(
      t.handle.db,
    );
    expect(tasks.rows).toEqual([]);

    const current = (await t.call('GET', `/api/records/contracts/${c.id}`)).body;
    await t.call('DELETE', `/api/records/contracts/${c.id}?version=${current.version}`);
    expect(await renewalJobs(c.id)).toEqual([]);
    expect(
      (await automationJobs()).filter((j) => j.payload.recordId === c.id && j.status === 'pending'),
    ).toEqual([]);
  });

  it('does not schedule a moment already past', async () => {
    const c = (
      await t.call('POST', '/api/records/contracts', {
        name: 'Soon',
        end_date: isoDate(Date.now() + 5 * DAY),
      })
    ).body;
    expect(await renewalJobs(c.id)).toEqual([]);
  });

  it('reminds the owner and their manager after 3 days without activity, once per idle spell', async () => {
    const c = (await t.call('POST', '/api/records/contracts', { name: 'Quiet' }, repToken)).body;
    const idle = () =>
      automationJobs().then((l) =>
        l.filter((j) => j.payload.recordId === c.id && j.payload.automation === 'contracts.idle'),
      );
    const [job] = await idle();
    expect(Date.parse(job?.run_at as string)).toBe(Date.parse(c.updated_at) + 3 * DAY);
    await runUntil(new Date(Date.parse(c.updated_at) + 3 * DAY + 1000));
    const notes = await sql<{ key: string; payload: any }>`select idempotency_key as key, payload
      from ws_main._jobs where kind = 'notify' and payload->>'recordId' = ${c.id}`.execute(
      t.handle.db,
    );
    expect(notes.rows).toHaveLength(1);
    const ids = await sql<{ id: string }>`select id from atrium.users
      where email in ('rep@example.com', 'boss@example.com') order by created_at`.execute(
      t.handle.db,
    );
    expect(notes.rows[0]?.payload).toEqual({
      userIds: ids.rows.map((r) => r.id),
      title: 'Quiet is idle',
      module: 'contracts',
      recordId: c.id,
    });
    expect(notes.rows[0]?.key).toBe(`idle:${job?.key}:0`);
    // An edit starts a new idle spell: a new job, due 3 days after it.
    const edited = await t.call(
      'PATCH',
      `/api/records/contracts/${c.id}`,
      { version: 1, status: 'x' },
      repToken,
    );
    const next = (await idle()).filter((j) => j.status === 'pending');
    expect(next).toHaveLength(1);
    expect(Date.parse(next[0]?.run_at as string)).toBe(
      Date.parse(edited.body.updated_at) + 3 * DAY,
    );
  });

  it('keeps one pending tick per schedule and runs it on the records its condition selects', async () => {
    const ticks = () =>
      automationJobs().then((l) => l.filter((j) => j.payload.automation === 'contracts.daily'));
    // The other tests moved the clock past ticks; start again from the real one.
    await sql`delete from ws_main._jobs where payload->>'automation' = 'contracts.daily'`.execute(
      t.handle.db,
    );
    await scheduleAutomations(t.engine, null);
    const [tick] = (await ticks()).filter((j) => j.status === 'pending');
    // 08:00 in Shanghai is 00:00 UTC.
    expect(new Date(tick?.run_at as string).toISOString()).toMatch(/T00:00:00\.000Z$/);
    await scheduleAutomations(t.engine, null);
    expect((await ticks()).filter((j) => j.status === 'pending')).toHaveLength(1);

    await sql`delete from ws_main._jobs where kind = 'webhook'`.execute(t.handle.db);
    const renewing = (
      await sql<{ id: string }>`select id from ws_main.contracts
      where status = 'renewing' and deleted_at is null`.execute(t.handle.db)
    ).rows;
    expect(renewing.length).toBeGreaterThan(0);
    const w = workerAt(new Date(Date.parse(tick?.run_at as string) + 1000));
    while ((await w.runOnce()) > 0);
    const hooks = await sql<{ payload: any }>`select payload from ws_main._jobs
      where kind = 'webhook'`.execute(t.handle.db);
    expect(hooks.rows.map((h) => h.payload.body.record.id).sort()).toEqual(
      renewing.map((r) => r.id).sort(),
    );
    // The next tick is pending, a week later (Mondays).
    const pending = (await ticks()).filter((j) => j.status === 'pending');
    expect(pending).toHaveLength(1);
    expect(Date.parse(pending[0]?.run_at as string) - Date.parse(tick?.run_at as string)).toBe(
      7 * DAY,
    );

    // Removing the automation drops its pending tick.
    await t.call('POST', '/api/meta/apply', {
      documents: [],
      remove: ['automation:contracts.daily'],
    });
    expect((await ticks()).filter((j) => j.status === 'pending')).toEqual([]);
  });
});
