import { createAjv } from '@atrium/metadata';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

/** Users administered through the API: creation, changes, deactivation, passwords, transfer. */
describe('users', () => {
  let t: TestApp;
  let repToken: string;
  beforeAll(async () => {
    t = await startTestApp();
    // A user's role and profile name documents (an unknown name is refused).
    await t.apply([
      { kind: 'role', name: 'sales_manager' },
      { kind: 'role', name: 'sales_rep', parent: 'sales_manager' },
      { kind: 'profile', name: 'sales', modules: {} },
      { kind: 'profile', name: 'managers', modules: {} },
    ]);
    repToken = await t.userToken('rep@example.com');
  });
  afterAll(async () => t.close());

  const login = (email: string, password: string) =>
    t.call('POST', '/api/auth/login', { email, password }, null);
  const create = async (body: Record<string, unknown>) => {
    const r = await t.call('POST', '/api/users', body);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  };

  it('an administrator creates a user with a role and a profile; nobody else may', async () => {
    const { user } = await create({
      email: 'li.lei@example.com',
      name: 'Li Lei',
      password: 'li-lei-password',
      role: 'sales_rep',
      profile: 'sales',
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
    });
    expect(user).toMatchObject({
      email: 'li.lei@example.com',
      role: 'sales_rep',
      profile: 'sales',
      isAdmin: false,
      active: true,
      locale: 'zh-CN',
      timeZone: 'Asia/Shanghai',
    });
    const signedIn = await login('li.lei@example.com', 'li-lei-password');
    expect(signedIn.status).toBe(200);
    const me = await t.call('GET', '/api/auth/me', undefined, signedIn.body.token);
    expect(me.body).toMatchObject({ role: 'sales_rep', profile: 'sales' });

    const refused = await t.call(
      'POST',
      '/api/users',
      { email: 'x@example.com', password: 'xxxxxxxxxx' },
      repToken,
    );
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const dup = await t.call('POST', '/api/users', { email: 'LI.LEI@example.com' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'DUPLICATE_EMAIL', details: [{ path: 'email' }] });
    const short = await t.call('POST', '/api/users', { email: 'y@example.com', password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details[0].path).toBe('password');
  });

  it('refuses a role or a profile that no document defines, at its path, in the caller’s language', async () => {
    const r = await t.call('POST', '/api/users', {
      email: 'typo@example.com',
      role: 'sales_repp',
      profile: 'sale',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details).toEqual([
      {
        path: 'role',
        message: 'no role document is named "sales_repp"; roles: sales_manager, sales_rep',
      },
      {
        path: 'profile',
        message: 'no profile document is named "sale"; profiles: managers, sales',
      },
    ]);
    const users = await sql<{
      n: number;
    }>`select count(*)::int as n from atrium.users where email = 'typo@example.com'`.execute(
      t.handle.db,
    );
    expect(users.rows[0]?.n).toBe(0);

    const { user } = await create({ email: 'typo@example.com', role: 'sales_rep' });
    const zh = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${user.id}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
      payload: { profile: 'ghost', name: 'Typo' },
    });
    expect(zh.statusCode).toBe(400);
    expect(zh.json().error.details).toEqual([
      { path: 'profile', message: '没有名为“ghost”的简档文档；现有简档：managers、sales' },
    ]);
    const kept = await t.call('GET', '/api/users?q=typo');
    expect(kept.body.data[0]).toMatchObject({ name: '', profile: null, role: 'sales_rep' });
    // None is always allowed.
    const cleared = await t.call('PATCH', `/api/users/${user.id}`, { role: null, profile: null });
    expect(cleared.status).toBe(200);
  });

  it('refuses to remove a role or a profile that users still have, and says so in the plan', async () => {
    await t.apply([
      { kind: 'role', name: 'intern' },
      { kind: 'profile', name: 'interns', modules: {} },
    ]);
    const { user } = await create({
      email: 'intern@example.com',
      role: 'intern',
      profile: 'interns',
    });
    const request = { documents: [], remove: ['role:intern', 'profile:interns'] };
    const plan = await t.call('POST', '/api/meta/plan', request);
    expect(plan.status).toBe(200);
    expect(plan.body.conflicts.map((c: { path: string }) => c.path).sort()).toEqual([
      'existing[profile:interns]',
      'existing[role:intern]',
    ]);
    const refused = await t.call('POST', '/api/meta/apply', request);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('DATA_CONFLICT');
    expect(refused.body.error.details.map((d: { message: string }) => d.message)).toContain(
      '1 user has the role "intern"; give them another role first',
    );
    const kept = (await t.call('GET', '/api/meta')).body.documents;
    expect(kept.some((d: { name?: string }) => d.name === 'intern')).toBe(true);

    await t.call('PATCH', `/api/users/${user.id}`, { role: null, profile: null });
    expect((await t.call('POST', '/api/meta/apply', request)).status).toBe(200);
  });

  it('describes /api/auth/me’s permissions in the OpenAPI, as the route answers them', async () => {
    const spec = (await t.call('GET', '/api/openapi.json')).body;
    const me = spec.components.schemas.Me.allOf[1];
    expect(me.required).toContain('permissions');
    expect(me.properties.permissions).toEqual({ $ref: '#/components/schemas/Permissions' });
    const validate = createAjv().compile(spec.components.schemas.Permissions);
    const answer = (await t.call('GET', '/api/auth/me', undefined, repToken)).body;
    expect(validate(answer.permissions), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...answer.permissions, modules: { deals: { read: 'yes' } } })).toBe(false);
  });

  it('without a password, a one-time token (stored hashed) lets the user set one', async () => {
    const body = await create({ email: 'han@example.com', name: 'Han', role: null });
    const { token } = body.passwordToken;
    expect(token).toMatch(/^[\w-]{40,}$/);
    const stored = await sql<{ h: string }>`select token_hash as h from atrium.password_tokens
      where user_id = ${body.user.id}`.execute(t.handle.db);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]?.h).not.toContain(token);
    // No password: nothing signs in.
    expect((await login('han@example.com', '!')).status).toBe(401);
    const set = await t.call(
      'POST',
      '/api/auth/reset',
      { token, password: 'han-new-password' },
      null,
    );
    expect(set.status).toBe(204);
    expect((await login('han@example.com', 'han-new-password')).status).toBe(200);
    const again = await t.call('POST', '/api/auth/reset', { token, password: 'another-one' }, null);
    expect(again.status).toBe(400);
    expect(again.body.error).toMatchObject({ code: 'LINK_EXPIRED', details: [{ path: 'token' }] });
    expect((await login('han@example.com', 'another-one')).status).toBe(401);
  });

  it('a change of role, profile or admin flag holds from the next request of the same token', async () => {
    const { user } = await create({ email: 'wei@example.com', password: 'wei-password-1' });
    const token = (await login('wei@example.com', 'wei-password-1')).body.token;
    expect((await t.call('GET', '/api/audit', undefined, token)).status).toBe(403);
    const patched = await t.call('PATCH', `/api/users/${user.id}`, {
      role: 'sales_manager',
      profile: 'managers',
      isAdmin: true,
      name: 'Wei',
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'sales_manager', profile: 'managers', name: 'Wei' });
    const me = await t.call('GET', '/api/auth/me', undefined, token);
    expect(me.body).toMatchObject({ role: 'sales_manager', profile: 'managers', isAdmin: true });
    expect((await t.call('GET', '/api/audit', undefined, token)).status).toBe(200);
    const bad = await t.call('PATCH', `/api/users/${user.id}`, { role: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('role');
    const missing = await t.call('PATCH', '/api/users/0190f3a4-7b1c-7d2e-8f90-123456789abc', {
      name: 'x',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NO_SUCH_USER');
  });

  it('deactivation refuses the very next request of every session and API token', async () => {
    const { user } = await create({ email: 'gone@example.com', password: 'gone-password' });
    const first = (await login('gone@example.com', 'gone-password')).body;
    const second = (await login('gone@example.com', 'gone-password')).body;
    const api = (await t.call('POST', '/api/tokens', { name: 'sync' }, first.token)).body.token;
    for (const tok of [first.token, second.token, api])
      expect((await t.call('GET', '/api/auth/me', undefined, tok)).status).toBe(200);

    const off = await t.call('PATCH', `/api/users/${user.id}`, { active: false });
    expect(off.body.active).toBe(false);
    for (const tok of [first.token, second.token, api]) {
      const r = await t.call('GET', '/api/auth/me', undefined, tok);
      expect(r.status, JSON.stringify(r.body)).toBe(401);
      expect(r.body.error.code).toBe('UNAUTHORIZED');
    }
    expect((await login('gone@example.com', 'gone-password')).status).toBe(401);
    const refresh = await t.call(
      'POST',
      '/api/auth/refresh',
      { refreshToken: first.refreshToken },
      null,
    );
    expect(refresh.status).toBe(401);
    // Pickers no longer offer them; administrators still find them.
    const listed = (q: string) =>
      t.call('GET', `/api/users?q=gone${q}`).then((r) => r.body.data.length);
    expect(await listed('')).toBe(0);
    expect(await listed('&active=false')).toBe(1);
    expect(await listed('&active=all')).toBe(1);
    expect((await t.call('GET', '/api/users?active=all', undefined, repToken)).status).toBe(403);

    // Back again: the API token works again, the sessions ended with the deactivation.
    await t.call('PATCH', `/api/users/${user.id}`, { active: true });
    expect((await t.call('GET', '/api/auth/me', undefined, api)).status).toBe(200);
    expect((await t.call('GET', '/api/auth/me', undefined, first.token)).status).toBe(401);
    const audit = await t.call('GET', `/api/audit?action=user.deactivate`);
    expect(audit.body.data.map((e: { target: string }) => e.target)).toContain(`user:${user.id}`);
  });

  it('the last active administrator can be neither deactivated nor demoted', async () => {
    // Wei was made an administrator above: demote him first, leaving one.
    const wei = (await t.call('GET', '/api/users?q=wei')).body.data[0];
    await t.call('PATCH', `/api/users/${wei.id}`, { isAdmin: false });
    const admin = (await t.call('GET', '/api/auth/me')).body;
    for (const patch of [{ active: false }, { isAdmin: false }]) {
      const r = await t.call('PATCH', `/api/users/${admin.id}`, patch);
      expect(r.status).toBe(400);
      expect(r.body.error.details[0].path).toBe(Object.keys(patch)[0]);
    }
    expect((await t.call('GET', '/api/auth/me')).body).toMatchObject({
      isAdmin: true,
      active: true,
    });
  });

  it('changing one’s own password needs the current one and ends the other sessions', async () => {
    await create({ email: 'pw@example.com', password: 'first-password' });
    const here = (await login('pw@example.com', 'first-password')).body;
    const elsewhere = (await login('pw@example.com', 'first-password')).body;
    const wrong = await t.call(
      'POST',
      '/api/auth/password',
      { current: 'nope', new: 'second-password' },
      here.token,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details[0].path).toBe('current');
    const ok = await t.call(
      'POST',
      '/api/auth/password',
      { current: 'first-password', new: 'second-password' },
      here.token,
    );
    expect(ok.status).toBe(204);
    expect((await t.call('GET', '/api/auth/me', undefined, here.token)).status).toBe(200);
    expect((await t.call('GET', '/api/auth/me', undefined, elsewhere.token)).status).toBe(401);
    expect((await login('pw@example.com', 'first-password')).status).toBe(401);
    expect((await login('pw@example.com', 'second-password')).status).toBe(200);
  });

  it('an administrator’s reset gives a one-time token; using it ends every session', async () => {
    const me = (await login('pw@example.com', 'second-password')).body;
    const reset = await t.call('POST', `/api/users/${me.user.id}/password-reset`);
    expect(reset.status).toBe(200);
    expect(Date.parse(reset.body.expiresAt)).toBeGreaterThan(Date.now());
    expect(
      (await t.call('POST', `/api/users/${me.user.id}/password-reset`, undefined, repToken)).status,
    ).toBe(403);
    // A newer reset voids this one.
    const newer = (await t.call('POST', `/api/users/${me.user.id}/password-reset`)).body;
    const stale = await t.call(
      'POST',
      '/api/auth/reset',
      { token: reset.body.token, password: 'third-password' },
      null,
    );
    expect(stale.status).toBe(400);
    const used = await t.call(
      'POST',
      '/api/auth/reset',
      { token: newer.token, password: 'third-password' },
      null,
    );
    expect(used.status).toBe(204);
    expect((await t.call('GET', '/api/auth/me', undefined, me.token)).status).toBe(401);
    expect((await login('pw@example.com', 'third-password')).status).toBe(200);
  });

  it('transfers a user’s records to another owner, with history and an audit entry', async () => {
    await t.apply([
      {
        kind: 'module',
        name: 'leads',
        recordName: 'title',
        fields: [{ name: 'title', type: 'text' }],
      },
      {
        kind: 'module',
        name: 'deals',
        recordName: 'title',
        fields: [{ name: 'title', type: 'text' }],
      },
    ]);
    const from = (await create({ email: 'leaving@example.com', password: 'leaving-pass' })).user;
    const to = (await create({ email: 'staying@example.com', password: 'staying-pass' })).user;
    for (const [module, n] of [
      ['leads', 3],
      ['deals', 2],
    ] as const) {
      for (let i = 0; i < n; i++) {
        const r = await t.call('POST', `/api/records/${module}`, {
          title: `${module} ${i}`,
          owner_id: from.id,
        });
        expect(r.status).toBe(201);
      }
    }
    await t.call('POST', '/api/records/leads', { title: 'mine' });

    const onlyLeads = await t.call('POST', `/api/users/${from.id}/transfer`, {
      to: to.id,
      modules: ['leads'],
    });
    expect(onlyLeads.status).toBe(200);
    expect(onlyLeads.body).toEqual({ moved: { leads: 3 } });
    const rest = await t.call('POST', `/api/users/${from.id}/transfer`, { to: to.id });
    expect(rest.body).toEqual({ moved: { leads: 0, deals: 2 } });

    const owners = await t.call('GET', '/api/records/leads?limit=100');
    const byTitle = new Map(
      owners.body.data.map((r: { title: string; owner_id: string }) => [r.title, r.owner_id]),
    );
    expect(byTitle.get('leads 0')).toBe(to.id);
    expect(byTitle.get('mine')).not.toBe(to.id);
    const lead = owners.body.data.find((r: { title: string }) => r.title === 'leads 0');
    expect(lead.version).toBe(2);
    const history = await t.call('GET', `/api/records/leads/${lead.id}/history`);
    expect(history.body.data[0]).toMatchObject({
      action: 'update',
      changes: { owner_id: { from: from.id, to: to.id } },
    });
    const audit = await t.call('GET', '/api/audit?action=user.transfer');
    expect(audit.body.data[0]).toMatchObject({
      target: `user:${from.id}`,
      details: { to: to.id, moved: { leads: 0, deals: 2 } },
    });

    await t.call('PATCH', `/api/users/${from.id}`, { active: false });
    const toInactive = await t.call('POST', `/api/users/${to.id}/transfer`, { to: from.id });
    expect(toInactive.status).toBe(400);
    expect(toInactive.body.error.details[0].path).toBe('to');
    const unknown = await t.call('POST', `/api/users/${to.id}/transfer`, {
      to: (await t.call('GET', '/api/auth/me')).body.id,
      modules: ['nope'],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details[0].path).toBe('modules[0]');
    // Nothing moved by the refused transfer.
    const still = await t.call('GET', '/api/records/deals?limit=100');
    expect(still.body.data.every((r: { owner_id: string }) => r.owner_id === to.id)).toBe(true);
  });

  it('an owner change through the records API is audited', async () => {
    const admin = (await t.call('GET', '/api/auth/me')).body;
    const rep = (await t.call('GET', '/api/auth/me', undefined, repToken)).body;
    const created = await t.call('POST', '/api/records/leads', { title: 'handed over' });
    const r = await t.call('PATCH', `/api/records/leads/${created.body.id}`, {
      version: created.body.version,
      owner_id: rep.id,
    });
    expect(r.status).toBe(200);
    const audit = await t.call('GET', `/api/audit?action=record.owner&actor=${admin.id}`);
    expect(audit.body.data[0]).toMatchObject({
      target: `leads:${created.body.id}`,
      details: { from: admin.id, to: rep.id },
    });
    // A change that leaves the owner alone is not an owner change.
    const before = audit.body.data.length;
    await t.call('PATCH', `/api/records/leads/${created.body.id}`, {
      version: r.body.version,
      title: 'renamed',
    });
    const after = await t.call('GET', `/api/audit?action=record.owner&actor=${admin.id}`);
    expect(after.body.data.length).toBe(before);
  });

  it('GET /api/users?q= still serves owner pickers to everyone', async () => {
    const r = await t.call('GET', '/api/users?q=ADMIN', undefined, repToken);
    expect(r.status).toBe(200);
    expect(r.body.data.map((u: { email: string }) => u.email)).toEqual([ADMIN.email]);
  });
});
