import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

/** The audit log: what is recorded, and how administrators page and filter it. */
describe('audit log', () => {
  let t: TestApp;
  let repToken: string;
  let adminId: string;
  beforeAll(async () => {
    t = await startTestApp();
    repToken = await t.userToken('rep@example.com');
    adminId = (await t.call('GET', '/api/auth/me')).body.id;
  });
  afterAll(async () => t.close());

  const audit = (query = '') => t.call('GET', `/api/audit${query}`);

  it('is for administrators only', async () => {
    const r = await t.call('GET', '/api/audit', undefined, repToken);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('FORBIDDEN');
  });

  it('records sign-ins with the address, successful or not', async () => {
    await t.call('POST', '/api/auth/login', { email: ADMIN.email, password: 'wrong' }, null);
    const ok = await t.call('POST', '/api/auth/login', ADMIN, null);
    const entries = (await audit('?action=auth.*')).body.data;
    expect(entries[0]).toMatchObject({
      action: 'auth.login',
      actorId: adminId,
      address: '127.0.0.1',
      target: `session:${ok.body.refreshToken.split('.')[0]}`,
    });
    expect(entries[1]).toMatchObject({
      action: 'auth.login_failed',
      actorId: null,
      address: '127.0.0.1',
      details: { email: ADMIN.email },
    });
  });

  it('records metadata applies with the revision and what changed', async () => {
    await t.apply([
      {
        kind: 'module',
        name: 'leads',
        recordName: 'title',
        fields: [{ name: 'title', type: 'text' }],
      },
    ]);
    const entries = (await audit('?action=meta.apply')).body.data;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      actorId: adminId,
      target: 'workspace:main',
      details: { revision: 1 },
    });
    expect(entries[0].details.summary).toContain('leads');
  });

  it('records user changes with the fields before and after', async () => {
    const rep = (await t.call('GET', '/api/auth/me', undefined, repToken)).body;
    // The role and profile a user gets are documents (an unknown name is refused).
    await t.apply([
      { kind: 'role', name: 'sales_rep' },
      { kind: 'profile', name: 'sales', modules: {} },
    ]);
    const patched = await t.call('PATCH', `/api/users/${rep.id}`, {
      role: 'sales_rep',
      profile: 'sales',
    });
    expect(patched.status).toBe(200);
    const entries = (await audit(`?action=user.update&actor=${adminId}`)).body.data;
    expect(entries[0]).toMatchObject({
      target: `user:${rep.id}`,
      details: {
        changes: {
          role: { from: null, to: 'sales_rep' },
          profile: { from: null, to: 'sales' },
        },
      },
    });
  });

  it('pages newest first by keyset, never skipping nor repeating an entry', async () => {
    for (let i = 0; i < 7; i++) await t.call('POST', '/api/tokens', { name: `t${i}` });
    const all = (await audit('?action=token.create&limit=500')).body;
    expect(all.data).toHaveLength(7);
    expect(all.next).toBeNull();
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page: { data: { id: string }[]; next: string | null } = (
        await audit(`?action=token.create&limit=3${next ? `&before=${next}` : ''}`)
      ).body;
      seen.push(...page.data.map((e: { id: string }) => e.id));
      next = page.next;
      pages++;
    } while (next && pages < 10);
    expect(pages, JSON.stringify(seen)).toBe(3);
    expect(seen).toEqual(all.data.map((e: { id: string }) => e.id));
    const ids = seen.map(Number);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it('filters by time and refuses bad filters by name', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await audit(`?since=${future}`)).body.data).toHaveLength(0);
    const past = new Date(Date.now() - 60_000).toISOString();
    expect((await audit(`?until=${past}`)).body.data).toHaveLength(0);
    expect((await audit(`?since=${past}&until=${future}`)).body.data.length).toBeGreaterThan(5);
    for (const [query, path] of [
      ['?actor=nope', 'actor'],
      ['?since=yesterday', 'since'],
      ['?since=0000-01-01T00:00:00Z', 'since'],
      ['?until=2020-12-31T23:59:60Z', 'until'],
      ['?limit=0', 'limit'],
      ['?before=abc', 'before'],
      ['?colour=red', 'colour'],
    ]) {
      const r = await audit(query);
      expect(r.status, query).toBe(400);
      expect(r.body.error.details[0].path, query).toBe(path);
    }
  });
});
