import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

describe('users and sign-in', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.userToken('li.lei@example.com');
    await t.userToken('han.meimei@example.com');
  });
  afterAll(async () => t.close());

  it('GET /api/auth/me tells who is signed in, without the password hash', async () => {
    const me = await t.call('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: ADMIN.email, isAdmin: true });
    expect(JSON.stringify(me.body)).not.toMatch(/scrypt|password/);
  });

  it('GET /api/users lists users for pickers, filtered by q', async () => {
    const all = await t.call('GET', '/api/users');
    expect(all.body.data.map((u: { email: string }) => u.email).sort()).toEqual([
      ADMIN.email,
      'han.meimei@example.com',
      'li.lei@example.com',
    ]);
    const some = await t.call('GET', '/api/users?q=LEI');
    expect(some.body.data.map((u: { email: string }) => u.email)).toEqual(['li.lei@example.com']);
    const bad = await t.call('GET', '/api/users?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('limit');
  });

  it('slows down password guessing per e-mail with 429, leaving other users alone', async () => {
    const attempt = (email: string) =>
      t.call('POST', '/api/auth/login', { email, password: 'guess' }, null);
    // An address nobody signed in with yet: 20 tries a minute, then 429.
    for (let i = 0; i < 20; i++) expect((await attempt('who.knows@example.com')).status).toBe(401);
    const blocked = await attempt('WHO.knows@example.com');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('RATE_LIMITED');
    expect(blocked.body.error.message).toMatch(/try again/);
    expect((await attempt('han.meimei@example.com')).status).toBe(401);
  });
});
