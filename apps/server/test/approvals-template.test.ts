import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booted } from '../src/boot.js';
import { installTemplate } from '../src/templates.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The b2b-sales template: a discount above 20 % waits for the rep's manager to win the deal. */
describe('approvals: the b2b-sales template', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const booted = { handle: t.handle, engine: t.engine } as unknown as Booted;
    await installTemplate(booted, 'b2b-sales', () => {});
    const { hashPassword } = await import('@atrium/engine');
    const hash = await hashPassword('pw-pw-pw-pw');
    await t.handle.db
      .updateTable('atrium.users')
      .set({ password_hash: hash })
      .where('email', 'like', '%@b2b-sales.example')
      .execute();
    for (const who of ['manager', 'rep.li']) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: `${who}@b2b-sales.example`, password: 'pw-pw-pw-pw' },
      });
      tokens[who] = r.json().token;
    }
  });
  afterAll(async () => t?.close());

  it('holds a 25 % discount for the sales manager, who approves it', async () => {
    const li = tokens['rep.li'];
    const deals = (await t.call('GET', '/api/records/deals?limit=200', undefined, li)).body.data;
    const open = deals.find((d: { stage: string }) =>
      ['proposal', 'negotiation'].includes(d.stage),
    );
    expect(open).toBeDefined();
    const list = await t.call('GET', `/api/records/deals/${open.id}/transitions`, undefined, li);
    const win = list.body.transitions.find((x: { name: string }) => x.name === 'win');
    expect(win.approval).toEqual({ by: 'manager', conditional: true, requiredNow: false });

    const asked = await t.call(
      'POST',
      `/api/records/deals/${open.id}/transitions/win`,
      { values: { discount: 25, amount: 50000, close_date: '2026-12-31' }, version: open.version },
      li,
    );
    expect(asked.status).toBe(202);
    const manager = (await t.call('GET', '/api/auth/me', undefined, tokens.manager)).body.id;
    expect(asked.body.approval.approvers).toEqual([manager]);
    const zh = await t.app.inject({
      method: 'PATCH',
      url: `/api/records/deals/${open.id}`,
      headers: { authorization: `Bearer ${li}`, 'accept-language': 'zh-CN' },
      payload: { version: open.version, name: 'Renamed meanwhile' },
    });
    expect(zh.statusCode, zh.body).toBe(409);
    expect(zh.json().error.code).toBe('RECORD_AWAITING_APPROVAL');

    const ok = await t.call(
      'POST',
      `/api/approvals/${asked.body.approval.id}/approve`,
      { comment: '同意' },
      tokens.manager,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.record).toMatchObject({ stage: 'closed_won', discount: 25 });
  });
});
