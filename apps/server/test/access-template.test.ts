import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booted } from '../src/boot.js';
import { installTemplate } from '../src/templates.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** The b2b-sales template ships roles, profiles, sharing and sample users: the demo shows them. */
describe('access: the b2b-sales template', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp();
    const booted = { handle: t.handle, engine: t.engine } as unknown as Booted;
    await installTemplate(booted, 'b2b-sales', () => {});
    // Sample users have no password; give them one to sign in as they would after a reset.
    const { hashPassword } = await import('@atrium/engine');
    const hash = await hashPassword('pw-pw-pw-pw');
    await t.handle.db
      .updateTable('atrium.users')
      .set({ password_hash: hash })
      .where('email', 'like', '%@b2b-sales.example')
      .execute();
    for (const who of ['ceo', 'manager', 'rep.li', 'rep.sam', 'auditor']) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: `${who}@b2b-sales.example`, password: 'pw-pw-pw-pw' },
      });
      tokens[who] = r.json().token;
    }
  });
  afterAll(async () => t?.close());

  const names = async (who: string, module: string) => {
    const r = await t.call('GET', `/api/records/${module}?limit=200`, undefined, tokens[who]);
    expect(r.status).toBe(200);
    return (r.body.data as { name: string }[]).map((d) => d.name).sort();
  };

  it('shows a rep their deals, a manager their team’s, the CEO everyone’s', async () => {
    const all = await names('ceo', 'deals');
    const li = await names('rep.li', 'deals');
    const sam = await names('rep.sam', 'deals');
    const manager = await names('manager', 'deals');
    expect(all.length).toBe(12);
    expect(li.length).toBeGreaterThan(0);
    expect(li.filter((n) => sam.includes(n))).toEqual([]);
    expect(manager).toEqual(all);
    expect(li.length).toBeLessThan(all.length);
  });

  it('hides annual revenue from sales and lets the read-only profile change nothing', async () => {
    const accounts = await t.call('GET', '/api/records/accounts', undefined, tokens['rep.li']);
    expect(accounts.body.data.length).toBe(6);
    expect(accounts.body.data[0]).not.toHaveProperty('annual_revenue');
    const deal = (await t.call('GET', '/api/records/deals', undefined, tokens.auditor)).body
      .data[0];
    const r = await t.call(
      'PATCH',
      `/api/records/deals/${deal.id}`,
      { name: 'x', version: deal.version },
      tokens.auditor,
    );
    expect(r.status).toBe(403);
  });
});
