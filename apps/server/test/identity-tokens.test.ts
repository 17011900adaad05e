import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** API tokens: shown once, hashed at rest, revocable, expiring, acting as their owner. */
describe('API tokens', () => {
  let t: TestApp;
  let repToken: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([{ kind: 'role', name: 'boss' }]);
    repToken = await t.userToken('rep@example.com');
  });
  afterAll(async () => t.close());

  const me = (token: string) => t.call('GET', '/api/auth/me', undefined, token);

  it('is shown once, stored as a hash, and listed without its secret', async () => {
    const r = await t.call('POST', '/api/tokens', { name: 'crm sync' }, repToken);
    expect(r.status).toBe(201);
    expect(r.body.token).toMatch(/^atr_[\w-]{40,}$/);
    expect(r.body).toMatchObject({ name: 'crm sync', expiresAt: null, lastUsedAt: null });
    expect(r.body.hint).toBe(`atr_…${r.body.token.slice(-4)}`);
    const stored = await sql<{ token_hash: string }>`select token_hash from atrium.api_tokens
      where id = ${r.body.id}`.execute(t.handle.db);
    expect(stored.rows[0]?.token_hash).not.toContain(r.body.token.slice(4));
    const list = await t.call('GET', '/api/tokens', undefined, repToken);
    expect(list.body.data).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(r.body.token);
    // Only their own: the administrator has none, unless asking for all.
    expect((await t.call('GET', '/api/tokens')).body.data).toHaveLength(0);
    expect((await t.call('GET', '/api/tokens?all=true')).body.data).toHaveLength(1);
    expect((await t.call('GET', '/api/tokens?all=true', undefined, repToken)).status).toBe(403);
  });

  it('acts as its owner, with the owner’s current permissions', async () => {
    const rep = (await t.call('POST', '/api/tokens', { name: 'rep' }, repToken)).body.token;
    const who = await me(rep);
    expect(who.body).toMatchObject({ email: 'rep@example.com', isAdmin: false });
    expect((await t.call('GET', '/api/audit', undefined, rep)).status).toBe(403);
    await t.call('PATCH', `/api/users/${who.body.id}`, { isAdmin: true, role: 'boss' });
    expect((await me(rep)).body).toMatchObject({ isAdmin: true, role: 'boss' });
    expect((await t.call('GET', '/api/audit', undefined, rep)).status).toBe(200);
    await t.call('PATCH', `/api/users/${who.body.id}`, { isAdmin: false });
    expect((await t.call('GET', '/api/audit', undefined, rep)).status).toBe(403);
  });

  it('records last use at most once a minute, and its use in the audit log once a day', async () => {
    const created = (await t.call('POST', '/api/tokens', { name: 'used' })).body;
    for (let i = 0; i < 5; i++) expect((await me(created.token)).status).toBe(200);
    // The write is off the request's path: wait for it.
    let row: { lastUsedAt: string | null } | undefined;
    for (let i = 0; i < 40 && !row?.lastUsedAt; i++) {
      await new Promise((r) => setTimeout(r, 25));
      row = (await t.call('GET', '/api/tokens')).body.data.find(
        (x: { id: string }) => x.id === created.id,
      );
    }
    expect(row?.lastUsedAt).toBeTruthy();
    for (let i = 0; i < 5; i++) await me(created.token);
    await new Promise((r) => setTimeout(r, 100));
    const again = (await t.call('GET', '/api/tokens')).body.data.find(
      (x: { id: string }) => x.id === created.id,
    );
    expect(again.lastUsedAt).toBe(row?.lastUsedAt);
    const uses = await t.call('GET', '/api/audit?action=token.use');
    const ofThis = uses.body.data.filter(
      (e: { target: string }) => e.target === `token:${created.id}`,
    );
    expect(ofThis).toHaveLength(1);
    expect(ofThis[0].details).toEqual({ first: true });
    const creations = await t.call('GET', '/api/audit?action=token.create');
    expect(creations.body.data[0].target).toBe(`token:${created.id}`);
  });

  it('revoked tokens are refused from their next request; only the owner or an admin revokes', async () => {
    const created = (await t.call('POST', '/api/tokens', { name: 'short' }, repToken)).body;
    expect((await me(created.token)).status).toBe(200);
    const other = await t.userToken('other@example.com');
    const notYours = await t.call('DELETE', `/api/tokens/${created.id}`, undefined, other);
    expect(notYours.status).toBe(404);
    expect(notYours.body.error.code).toBe('NO_SUCH_TOKEN');
    expect((await me(created.token)).status).toBe(200);
    const revoked = await t.call('DELETE', `/api/tokens/${created.id}`, undefined, repToken);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBeTruthy();
    const refused = await me(created.token);
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHORIZED');
    // An administrator revokes anyone's.
    const another = (await t.call('POST', '/api/tokens', { name: 'x' }, repToken)).body;
    expect((await t.call('DELETE', `/api/tokens/${another.id}`)).status).toBe(200);
    expect((await me(another.token)).status).toBe(401);
  });

  it('expires when its time comes, and refuses an expiry in the past or unknown tokens', async () => {
    const past = await t.call('POST', '/api/tokens', {
      name: 'late',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.error.details[0].path).toBe('expiresAt');
    const soon = (
      await t.call('POST', '/api/tokens', {
        name: 'soon',
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      })
    ).body;
    expect((await me(soon.token)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2700));
    expect((await me(soon.token)).status).toBe(401);
    expect((await me('atr_not-a-real-token')).status).toBe(401);
  });
});
