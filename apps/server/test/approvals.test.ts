import { JobWorker, moduleOf, sideEffectHandlers, updateWithin } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullProfile, type Reply, startTestApp, type TestApp } from './support/test-app.js';

/**
 * A transition can wait for approval: by the owner's manager when a discount is above 20 %.
 * While it waits the record is locked against every write; approve runs the transition as the
 * requester, reject unlocks; everyone concerned is notified and the history tells it all.
 */
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
      options: [{ value: 'open' }, { value: 'closed_won' }, { value: 'closed_lost' }],
    },
    { name: 'amount', type: 'currency' },
    { name: 'discount', type: 'percent', min: 0, max: 100 },
  ],
};
const FLOW = {
  kind: 'blueprint',
  module: 'deals',
  name: 'deal_flow',
  field: 'stage',
  transitions: [
    {
      name: 'win',
      label: { en: 'Mark as won', 'zh-CN': '赢单' },
      from: ['open'],
      to: 'closed_won',
      require: ['amount'],
      approval: { by: 'manager', when: { '>': [{ var: 'discount' }, 20] } },
    },
    {
      name: 'lose',
      from: ['open'],
      to: 'closed_lost',
      approval: { by: 'user', user: 'Director@example.com' },
    },
    { name: 'reopen', from: ['closed_won', 'closed_lost'], to: 'open' },
  ],
};
const ROLES = [
  { kind: 'role', name: 'director' },
  { kind: 'role', name: 'manager', parent: 'director' },
  { kind: 'role', name: 'rep', parent: 'manager' },
];

describe('approvals', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const as = (who: string, method: string, url: string, body?: unknown) =>
    t.call(method, url, body, tokens[who]);
  const codeOf = (r: Reply) => r.body?.error?.code;
  const stage = async (id: string) =>
    (
      await sql<{ stage: string; discount: number | null; version: number }>`
      select stage, discount::float8 as discount, version from ws_main.deals where id = ${id}`.execute(
        t.handle.db,
      )
    ).rows[0];
  const newDeal = async (name: string) =>
    (await as('rep', 'POST', '/api/records/deals', { name, amount: 1000 })).body;
  const drain = async () => {
    const w = new JobWorker(t.handle.db, 'ws_main', sideEffectHandlers(t.engine, {}));
    while ((await w.runOnce()) > 0);
  };

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, FLOW, ...ROLES, fullProfile(['deals'])]);
    for (const [who, role] of [
      ['rep', 'rep'],
      ['rep2', 'rep'],
      ['manager', 'manager'],
      ['director', 'director'],
    ] as const) {
      tokens[who] = await t.userToken(`${who}@example.com`, { role, profile: 'full' });
      ids[who] = (await as(who, 'GET', '/api/auth/me')).body.id;
    }
    await sql`update atrium.users set locale = 'zh-CN' where email = 'manager@example.com'`.execute(
      t.handle.db,
    );
  });
  afterAll(async () => t.close());

  it('says in the transitions list which transitions need approval', async () => {
    const deal = await newDeal('Listing');
    const list = await as('rep', 'GET', `/api/records/deals/${deal.id}/transitions`);
    expect(list.status).toBe(200);
    expect(list.body.pendingApproval).toBeNull();
    const win = list.body.transitions.find((x: { name: string }) => x.name === 'win');
    expect(win.approval).toEqual({ by: 'manager', conditional: true, requiredNow: false });
    const lose = list.body.transitions.find((x: { name: string }) => x.name === 'lose');
    expect(lose.approval).toMatchObject({ by: 'user', conditional: false, requiredNow: true });
  });

  it('runs at once when the condition does not hold', async () => {
    const deal = await newDeal('Small discount');
    const r = await as('rep', 'POST', `/api/records/deals/${deal.id}/transitions/win`, {
      values: { discount: 15 },
      version: 1,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ stage: 'closed_won', discount: 15, version: 2 });
  });

  it('holds a big discount for the manager, locks the record, then approve lets it through', async () => {
    const deal = await newDeal('Big discount');
    const asked = await as('rep', 'POST', `/api/records/deals/${deal.id}/transitions/win`, {
      values: { discount: 30 },
      version: 1,
    });
    expect(asked.status).toBe(202);
    expect(asked.body.approval).toMatchObject({
      module: 'deals',
      recordId: deal.id,
      transition: 'win',
      values: { discount: 30 },
      requestedBy: ids.rep,
      approvers: [ids.manager],
      status: 'pending',
    });
    expect(asked.body.record).toMatchObject({ stage: 'open', version: 1 });
    expect(await stage(deal.id)).toEqual({ stage: 'open', discount: null, version: 1 });
    const approvalId = asked.body.approval.id;

    // Locked, whichever door: update, bulk, delete, another transition, the same one again.
    const patch = await as('rep', 'PATCH', `/api/records/deals/${deal.id}`, {
      version: 1,
      amount: 5,
    });
    expect(patch.status).toBe(409);
    expect(codeOf(patch)).toBe('RECORD_AWAITING_APPROVAL');
    expect(patch.body.error.details[0]).toMatchObject({ path: 'id' });
    expect(patch.body.error.details[0].message).toContain(`${approvalId}`);
    const zh = await t.app.inject({
      method: 'PATCH',
      url: `/api/records/deals/${deal.id}`,
      headers: { authorization: `Bearer ${tokens.rep}`, 'accept-language': 'zh-CN' },
      payload: { version: 1, amount: 5 },
    });
    expect(zh.json().error.message).toBe('该记录正在等待审批，审批完成前无法修改');
    expect(zh.json().error.details[0].message).toContain('正在等待流转“win”的审批');
    const bulk = await t.call('POST', '/api/records/deals/bulk', {
      update: [{ id: deal.id, version: 1, amount: 7 }],
    });
    expect(bulk.status).toBe(409);
    expect(bulk.body.error.details[0].path).toBe('update[0].id');
    expect(codeOf(await t.call('DELETE', `/api/records/deals/${deal.id}`))).toBe(
      'RECORD_AWAITING_APPROVAL',
    );
    const lose = await as('rep', 'POST', `/api/records/deals/${deal.id}/transitions/lose`, {
      version: 1,
    });
    expect(codeOf(lose)).toBe('RECORD_AWAITING_APPROVAL');
    const again = await as('rep', 'POST', `/api/records/deals/${deal.id}/transitions/win`, {
      values: { discount: 30 },
      version: 1,
    });
    expect(codeOf(again)).toBe('RECORD_AWAITING_APPROVAL');
    // An automation writes through updateWithin, in a transaction of its own: locked too.
    const automation = t.handle.db.transaction().execute((trx) =>
      updateWithin(
        trx,
        t.engine,
        {
          actor: {
            id: ids.rep as string,
            email: 'rep@example.com',
            isAdmin: true,
            role: null,
            profile: null,
          },
          locale: 'en',
        },
        t.engine.metadata.current,
        moduleOf(t.engine.metadata.current, 'deals'),
        deal.id,
        { version: 1, amount: 3 },
      ),
    );
    await expect(automation).rejects.toMatchObject({ code: 'RECORD_AWAITING_APPROVAL' });
    const list = await as('rep', 'GET', `/api/records/deals/${deal.id}/transitions`);
    expect(list.body.pendingApproval.id).toBe(approvalId);
    expect(list.body.transitions).toEqual([]);
    expect(await stage(deal.id)).toEqual({ stage: 'open', discount: null, version: 1 });

    // Who sees it: the manager waits on it, the rep sees their own request.
    const mine = await as('manager', 'GET', '/api/approvals?mine=true');
    expect(mine.body.data.map((a: { id: number }) => a.id)).toContain(approvalId);
    expect((await as('rep2', 'GET', '/api/approvals?mine=true')).body.data).toEqual([]);
    const own = await as('rep', 'GET', '/api/approvals');
    expect(own.body.data[0]).toMatchObject({ id: approvalId, status: 'pending' });
    // Each carries its record's name, read as the caller may read it (one read per module).
    expect(own.body.data[0].recordName).toBe('Big discount');
    expect(mine.body.data.find((a: { id: number }) => a.id === approvalId).recordName).toBe(
      'Big discount',
    );
    expect((await as('rep', 'GET', '/api/approvals?mine=maybe')).status).toBe(400);

    // Only an approver (or an administrator) decides; not the requester, not a peer.
    for (const who of ['rep', 'rep2', 'director']) {
      const r = await as(who, 'POST', `/api/approvals/${approvalId}/approve`, {});
      expect(r.status, who).toBe(403);
    }
    expect(
      (await as('manager', 'POST', `/api/approvals/${approvalId}/approve`, { note: 'x' })).status,
    ).toBe(400);

    const ok = await as('manager', 'POST', `/api/approvals/${approvalId}/approve`, {
      comment: 'Strategic account',
    });
    expect(ok.status).toBe(200);
    expect(ok.body.approval).toMatchObject({
      status: 'approved',
      comment: 'Strategic account',
      decidedBy: ids.manager,
    });
    expect(ok.body.record).toMatchObject({ stage: 'closed_won', discount: 30, version: 2 });
    expect(await stage(deal.id)).toEqual({ stage: 'closed_won', discount: 30, version: 2 });
    const twice = await as('manager', 'POST', `/api/approvals/${approvalId}/approve`, {});
    expect(codeOf(twice)).toBe('APPROVAL_DECIDED');
    // Unlocked again.
    const edit = await as('rep', 'PATCH', `/api/records/deals/${deal.id}`, {
      version: 2,
      amount: 1200,
    });
    expect(edit.status).toBe(200);

    // The history: requested (by the rep), approved (by the manager), the transition run as
    // the rep with the values they sent.
    const history = (await t.call('GET', `/api/records/deals/${deal.id}/history`)).body.data;
    const steps = history
      .map((h: { action: string; actor: string; changes: Record<string, unknown> }) => ({
        action: h.action,
        actor: h.actor,
        changes: Object.keys(h.changes ?? {}).sort(),
      }))
      .reverse();
    expect(steps.slice(0, 4)).toEqual([
      { action: 'create', actor: ids.rep, changes: expect.any(Array) },
      { action: 'approval', actor: ids.rep, changes: [] },
      { action: 'approval', actor: ids.manager, changes: [] },
      { action: 'transition', actor: ids.rep, changes: ['discount', 'stage'] },
    ]);

    // Notified: the manager (in Chinese) of the request, the rep of the decision.
    await drain();
    const managerNotes = (await as('manager', 'GET', '/api/notifications')).body.data;
    expect(managerNotes.map((n: { title: string }) => n.title)).toContain(
      'rep@example.com 请您审批“Big discount”的流转“赢单”',
    );
    const repNotes = (await as('rep', 'GET', '/api/notifications')).body.data;
    expect(repNotes[0]).toMatchObject({
      title: 'Approved: "Mark as won" on Big discount',
      body: 'Strategic account',
      module: 'deals',
      recordId: deal.id,
    });
  });

  it('reject leaves the stage and unlocks; a user named by e-mail decides', async () => {
    const deal = await newDeal('Lost cause');
    const asked = await as('rep', 'POST', `/api/records/deals/${deal.id}/transitions/lose`, {
      version: 1,
    });
    expect(asked.status).toBe(202);
    expect(asked.body.approval.approvers).toEqual([ids.director]);
    const waiting = await as('director', 'GET', '/api/approvals?mine=true');
    expect(waiting.body.data.map((a: { recordId: string }) => a.recordId)).toContain(deal.id);
    const no = await as('director', 'POST', `/api/approvals/${asked.body.approval.id}/reject`, {
      comment: 'Keep trying',
    });
    expect(no.status).toBe(200);
    expect(no.body).toMatchObject({ approval: { status: 'rejected' }, record: null });
    expect(await stage(deal.id)).toEqual({ stage: 'open', discount: null, version: 1 });
    expect(
      (await as('rep', 'PATCH', `/api/records/deals/${deal.id}`, { version: 1, amount: 9 })).status,
    ).toBe(200);
    await drain();
    const notes = (await as('rep', 'GET', '/api/notifications')).body.data;
    expect(notes[0]).toMatchObject({
      title: 'Rejected: "Lose" on Lost cause',
      body: 'Keep trying',
    });
    const history = (await t.call('GET', `/api/records/deals/${deal.id}/history`)).body.data;
    expect(history.some((h: { action: string }) => h.action === 'transition')).toBe(false);
  });

  it('an administrator decides when nobody is above the owner', async () => {
    const deal = (
      await as('director', 'POST', '/api/records/deals', { name: 'Top deal', amount: 10 })
    ).body;
    const asked = await as('director', 'POST', `/api/records/deals/${deal.id}/transitions/win`, {
      values: { discount: 50 },
      version: 1,
    });
    expect(asked.status).toBe(202);
    expect(asked.body.approval.approvers).toEqual([]);
    const adminWaits = await t.call('GET', '/api/approvals?mine=true');
    expect(adminWaits.body.data.map((a: { id: number }) => a.id)).toContain(asked.body.approval.id);
    const ok = await t.call('POST', `/api/approvals/${asked.body.approval.id}/approve`);
    expect(ok.status).toBe(200);
    expect(await stage(deal.id)).toMatchObject({ stage: 'closed_won', discount: 50 });
  });

  it('refuses an approval rule that names no role or user', async () => {
    const bad = {
      ...FLOW,
      transitions: [{ name: 'win', from: ['open'], to: 'closed_won', approval: { by: 'role' } }],
    };
    const r = await t.call('POST', '/api/meta/plan', { documents: [bad] });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('approval.role');
  });
});
