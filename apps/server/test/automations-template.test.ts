import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booted } from '../src/boot.js';
import { installTemplate } from '../src/templates.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The b2b-sales template's automations: what the documents promise a sales team. */
describe('automations: the b2b-sales template', () => {
  let t: TestApp;
  let reps: string[] = [];
  const db = () => t.handle.db;

  beforeAll(async () => {
    t = await startTestApp();
    const booted = { handle: t.handle, engine: t.engine } as unknown as Booted;
    await installTemplate(booted, 'b2b-sales', () => {});
    reps = (
      await sql<{ id: string }>`select id from atrium.users where role = 'sales_rep'
        order by created_at, id`.execute(db())
    ).rows.map((r) => r.id);
  });
  afterAll(async () => t?.close());

  it('assigns every new lead in turn to a sales rep, with a follow-up task due in 3 days linked back', async () => {
    expect(reps).toHaveLength(2);
    const leads = await sql<{ id: string; owner_id: string; name: string }>`
      select id, owner_id, name from ws_main.leads order by created_at, id`.execute(db());
    expect(leads.rows.length).toBeGreaterThan(2);
    leads.rows.forEach((lead, i) => {
      expect(lead.owner_id).toBe(reps[i % 2]);
    });
    const r = await t.call('POST', '/api/records/leads', { name: 'Wang Fang', company: 'Acme' });
    expect(r.status).toBe(201);
    expect(reps).toContain(r.body.owner_id);
    const tasks = await sql<{ subject: string; due: string; owner_id: string; lead: string }>`
      select subject, due, owner_id, lead from ws_main.tasks where lead = ${r.body.id}`.execute(
      db(),
    );
    expect(tasks.rows).toHaveLength(1);
    const task = tasks.rows[0];
    expect(task?.subject).toBe('Follow up / 跟进: Wang Fang');
    expect(task?.owner_id).toBe(r.body.owner_id);
    const inThreeDays = Date.parse(r.body.created_at) + 3 * 86_400_000;
    expect(Math.abs(Date.parse(task?.due as string) - inThreeDays)).toBeLessThan(60_000);
    const note = await sql<{ payload: any }>`select payload from ws_main._jobs
      where kind = 'notify' and payload->>'recordId' = ${r.body.id}`.execute(db());
    expect(note.rows[0]?.payload).toMatchObject({
      userIds: [r.body.owner_id],
      title: 'New lead assigned to you: Wang Fang',
    });
  });

  it('schedules the idle-deal reminder for open deals and the renewal for active contracts', async () => {
    const jobs = await sql<{
      automation: string;
      n: number;
    }>`select payload->>'automation' as automation,
      count(*)::int as n from ws_main._jobs where kind = 'automation' and status = 'pending'
      group by 1 order by 1`.execute(db());
    const open = await sql<{ n: number }>`select count(*)::int as n from ws_main.deals`.execute(
      db(),
    );
    const byName = Object.fromEntries(jobs.rows.map((r) => [r.automation, r.n]));
    // Every deal has its reminder scheduled (the condition is read when it falls due).
    expect(byName['deals.idle_deal_reminder']).toBe(open.rows[0]?.n);
    const future = await sql<{ n: number }>`select count(*)::int as n from ws_main.contracts
      where end_date - 30 > current_date`.execute(db());
    expect(byName['contracts.contract_renewal'] ?? 0).toBe(future.rows[0]?.n);
  });

  it('tells the owner when a deal changes stage', async () => {
    const deal = (
      await sql<{ id: string; version: number; owner_id: string }>`select id, version, owner_id
        from ws_main.deals where stage = 'qualification' limit 1`.execute(db())
    ).rows[0];
    expect(deal).toBeDefined();
    const r = await t.call('POST', `/api/records/deals/${deal?.id}/transitions/qualify`, {
      version: deal?.version,
    });
    expect(r.status).toBe(200);
    const note = await sql<{ key: string; payload: any }>`select idempotency_key as key, payload
      from ws_main._jobs where kind = 'notify' and idempotency_key like 'stage_change_notify:%'
      and payload->>'recordId' = ${deal?.id}`.execute(db());
    expect(note.rows.map((n) => n.key)).toEqual([
      `stage_change_notify:deals:${deal?.id}:${r.body.version}:0`,
    ]);
    expect(note.rows[0]?.payload.userIds).toEqual([deal?.owner_id]);
  });
});
