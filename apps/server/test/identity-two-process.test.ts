import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';
import {
  type Answer,
  type Client,
  type ServerProcess,
  signIn,
  startServerProcess,
  stopServerProcess,
  waitFor,
  withAdmin,
} from './support/server-process.js';

/**
 * Two server processes on one Postgres: a change made on one (deactivation, a new role, a
 * revoked token) holds on the other within a second, whatever the other had cached.
 */
describe('identity across two server processes', () => {
  let db: TestDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let adminA: Client;
  let baseB: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    // One at a time: both would migrate the same fresh database.
    a = startServerProcess(db.url);
    adminA = await signIn(await a.up);
    const roles = await adminA.call('POST', '/api/meta/apply', {
      documents: [
        { kind: 'role', name: 'sales_manager' },
        { kind: 'role', name: 'sales_rep', parent: 'sales_manager' },
      ],
    });
    expect(roles.status).toBe(200);
    b = startServerProcess(db.url);
    baseB = await b.up;
  });
  afterAll(async () => {
    await Promise.all([a, b].filter(Boolean).map(stopServerProcess));
    await db?.drop();
  });

  const call = async (base: string, token: string, method: string, url: string, body?: unknown) => {
    const r = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : undefined } as Answer;
  };
  const signInOn = async (base: string, email: string, password: string) => {
    const r = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as { token: string; refreshToken: string; user: { id: string } };
  };

  it('a deactivation on one node refuses the user on the other within 1 s', async () => {
    const created = await adminA.call('POST', '/api/users', {
      email: 'rep@example.com',
      password: 'rep-password',
      role: 'sales_rep',
    });
    expect(created.status).toBe(201);
    const session = await signInOn(baseB, 'rep@example.com', 'rep-password');
    const apiToken = (await call(baseB, session.token, 'POST', '/api/tokens', { name: 'sync' }))
      .body.token as string;
    // Node B knows the user now (cached), under both credentials.
    for (const token of [session.token, apiToken]) {
      const me = await call(baseB, token, 'GET', '/api/auth/me');
      expect(me.body).toMatchObject({ role: 'sales_rep', active: true });
    }

    // A role change on A shows on B.
    await adminA.call('PATCH', `/api/users/${session.user.id}`, { role: 'sales_manager' });
    const roleMs = await waitFor(
      'the new role on B',
      async () =>
        (await call(baseB, session.token, 'GET', '/api/auth/me')).body.role === 'sales_manager',
      1000,
      10,
    );

    const off = await adminA.call('PATCH', `/api/users/${session.user.id}`, { active: false });
    expect(off.status).toBe(200);
    const offMs = await waitFor(
      'the deactivation on B',
      async () =>
        (await call(baseB, session.token, 'GET', '/api/auth/me')).status === 401 &&
        (await call(baseB, apiToken, 'GET', '/api/auth/me')).status === 401,
      1000,
      10,
    );
    console.log(`role change seen on B after ${roleMs} ms, deactivation after ${offMs} ms`);
    // Node A, where the change was made, refuses at once.
    expect((await call(await a.up, session.token, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('a change made by hand in SQL reaches both nodes too (the trigger speaks for it)', async () => {
    const created = await adminA.call('POST', '/api/users', {
      email: 'sql@example.com',
      password: 'sql-password',
    });
    const onA = await signInOn(await a.up, 'sql@example.com', 'sql-password');
    const onB = await signInOn(baseB, 'sql@example.com', 'sql-password');
    expect((await call(await a.up, onA.token, 'GET', '/api/auth/me')).status).toBe(200);
    expect((await call(baseB, onB.token, 'GET', '/api/auth/me')).status).toBe(200);
    await withAdmin(db.url, (c) =>
      c.query('update atrium.users set active = false where id = $1', [created.body.user.id]),
    );
    await waitFor(
      'both nodes refuse',
      async () =>
        (await call(await a.up, onA.token, 'GET', '/api/auth/me')).status === 401 &&
        (await call(baseB, onB.token, 'GET', '/api/auth/me')).status === 401,
      1000,
      10,
    );
  });

  it('a logout on one node ends the session on the other', async () => {
    const created = await adminA.call('POST', '/api/users', {
      email: 'out@example.com',
      password: 'out-password',
    });
    expect(created.status).toBe(201);
    const s = await signInOn(baseB, 'out@example.com', 'out-password');
    expect((await call(await a.up, s.token, 'GET', '/api/auth/me')).status).toBe(200);
    const out = await fetch(`${baseB}/api/auth/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    expect(out.status).toBe(204);
    await waitFor(
      'A refuses the session',
      async () => (await call(await a.up, s.token, 'GET', '/api/auth/me')).status === 401,
      1000,
      10,
    );
  });

  it('with its listener killed, a node still agrees within a second, and listens again', async () => {
    const created = await adminA.call('POST', '/api/users', {
      email: 'cut@example.com',
      password: 'cut-password',
    });
    const s = await signInOn(baseB, 'cut@example.com', 'cut-password');
    expect((await call(baseB, s.token, 'GET', '/api/auth/me')).status).toBe(200);
    const killed = await withAdmin(db.url, async (c) => {
      const r = await c.query(
        `select pg_terminate_backend(pid) from pg_stat_activity
         where query like 'listen atrium_credentials%' and datname = current_database()`,
      );
      return r.rowCount;
    });
    expect(killed).toBe(2);
    await adminA.call('PATCH', `/api/users/${created.body.user.id}`, { active: false });
    await waitFor(
      'B refuses without its listener',
      async () => (await call(baseB, s.token, 'GET', '/api/auth/me')).status === 401,
      1100,
      10,
    );
    // Listening again (with backoff): a reactivation is heard too.
    await waitFor(
      'both listen again',
      () =>
        withAdmin(db.url, async (c) => {
          const r = await c.query(
            `select count(*)::int as n from pg_stat_activity
             where query like 'listen atrium_credentials%' and datname = current_database()`,
          );
          return r.rows[0].n === 2;
        }),
      10_000,
    );
  });
});
