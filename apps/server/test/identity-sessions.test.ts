import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

/** Sessions: short-lived access tokens, refresh with rotation, logout, the sign-in limit. */
describe('sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  const login = () => t.call('POST', '/api/auth/login', ADMIN, null);
  const refresh = (refreshToken: string) =>
    t.call('POST', '/api/auth/refresh', { refreshToken }, null);
  const me = (token: string) => t.call('GET', '/api/auth/me', undefined, token);

  it('signs in with a 15-minute access token and a refresh token stored only as a hash', async () => {
    const r = await login();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ expiresIn: 900, user: { email: ADMIN.email } });
    const [sid, secret] = r.body.refreshToken.split('.');
    const stored = await sql<{ refresh_hash: string; address: string }>`select refresh_hash, address
      from atrium.sessions where id = ${sid}`.execute(t.handle.db);
    expect(stored.rows[0]?.refresh_hash).not.toContain(secret);
    expect(stored.rows[0]?.address).toBe('127.0.0.1');
  });

  it('refresh gives a new pair and rotates: the old refresh token is used up', async () => {
    const first = (await login()).body;
    const next = await refresh(first.refreshToken);
    expect(next.status).toBe(200);
    expect(next.body.refreshToken).not.toBe(first.refreshToken);
    expect(next.body.refreshToken.split('.')[0]).toBe(first.refreshToken.split('.')[0]);
    expect((await me(next.body.token)).status).toBe(200);
    const third = await refresh(next.body.refreshToken);
    expect(third.status).toBe(200);
    expect((await me(third.body.token)).status).toBe(200);
  });

  it('a refresh token used twice was copied: the whole session ends', async () => {
    const first = (await login()).body;
    const next = (await refresh(first.refreshToken)).body;
    const replay = await refresh(first.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('UNAUTHORIZED');
    // The thief's replay ended the session for the rightful holder too.
    expect((await me(next.token)).status).toBe(401);
    expect((await refresh(next.refreshToken)).status).toBe(401);
  });

  it('logout revokes: the access token is refused on its next request', async () => {
    const s = (await login()).body;
    const other = (await login()).body;
    expect((await me(s.token)).status).toBe(200);
    const out = await t.call('POST', '/api/auth/logout', { refreshToken: s.refreshToken }, null);
    expect(out.status).toBe(204);
    expect((await me(s.token)).status).toBe(401);
    expect((await refresh(s.refreshToken)).status).toBe(401);
    // Logging out twice is no error; another session of the same user goes on.
    expect(
      (await t.call('POST', '/api/auth/logout', { refreshToken: s.refreshToken }, null)).status,
    ).toBe(204);
    expect((await me(other.token)).status).toBe(200);
    const audit = await t.call('GET', '/api/audit?action=auth.logout');
    expect(audit.body.data[0].target).toBe(`session:${s.refreshToken.split('.')[0]}`);
  });

  it('refuses garbage refresh tokens and an access token of an expired session', async () => {
    for (const token of ['x', 'a.b', '0190f3a4-7b1c-7d2e-8f90-123456789abc.secret']) {
      expect((await refresh(token)).status).toBe(401);
    }
    const s = (await login()).body;
    await sql`update atrium.sessions set expires_at = now() - interval '1 second'
      where id = ${s.refreshToken.split('.')[0]}`.execute(t.handle.db);
    // Another node's change reaches this one within the cache's second.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await me(s.token)).status).toBe(401);
    expect((await refresh(s.refreshToken)).status).toBe(401);
  });

  it('counts sign-in attempts in Postgres: two nodes share one limit', async () => {
    const other = await buildApp({
      engine: t.engine,
      jwtSecret: 'test-secret-test-secret-test-secret',
    });
    await other.ready();
    try {
      const attempt = async (node: 0 | 1) => {
        const payload = { email: 'guess@example.com', password: 'wrong' };
        const r =
          node === 0
            ? (await t.call('POST', '/api/auth/login', payload, null)).raw
            : await other.inject({ method: 'POST', url: '/api/auth/login', payload });
        return r.statusCode;
      };
      for (let i = 0; i < 20; i++) expect(await attempt((i % 2) as 0 | 1)).toBe(401);
      expect(await attempt(0)).toBe(429);
      expect(await attempt(1)).toBe(429);
      const failures = await t.call('GET', '/api/audit?action=auth.login_failed&limit=500');
      const mine = failures.body.data.filter(
        (e: { details: { email: string } }) => e.details.email === 'guess@example.com',
      );
      expect(mine).toHaveLength(20);
      expect(mine[0]).toMatchObject({ actorId: null, address: '127.0.0.1' });
    } finally {
      await other.close();
    }
  });
});
