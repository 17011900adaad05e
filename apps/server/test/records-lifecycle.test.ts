import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

/** A record as the API returns it: untyped JSON. */
type Row = Reply['body'];

const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};

const CONTACTS = {
  kind: 'module',
  name: 'contacts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'email', type: 'email', unique: true },
    { name: 'account', type: 'lookup', target: 'accounts' },
    { name: 'starts_at', type: 'datetime' },
    { name: 'ends_at', type: 'datetime' },
    { name: 'discount', type: 'percent' },
    { name: 'stage', type: 'picklist', options: [{ value: 'open' }, { value: 'lost' }] },
    { name: 'reason', type: 'text' },
    { name: 'assignee', type: 'user' },
  ],
  validationRules: [
    {
      name: 'ends_after_start',
      field: 'ends_at',
      when: {
        and: [
          { var: 'starts_at' },
          { var: 'ends_at' },
          { '<': [{ var: 'ends_at' }, { var: 'starts_at' }] },
        ],
      },
      message: { en: 'must be after the start', 'zh-CN': '必须晚于开始时间' },
    },
    {
      name: 'discount_cap',
      field: 'discount',
      when: { '>': [{ var: 'discount' }, 50] },
      message: { en: 'may be at most 50%', 'zh-CN': '折扣不能超过 50%' },
    },
    {
      name: 'lost_needs_reason',
      when: { and: [{ '==': [{ var: 'stage' }, 'lost'] }, { '!': { var: 'reason' } }] },
      message: { en: 'A lost contact needs a reason' },
    },
  ],
};

const MISSING_ID = '01890000-0000-7000-8000-000000000000';

function subOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'))
    .sub as string;
}

describe('records: lifecycle', () => {
  let t: TestApp;
  let adminId: string;
  let accountId: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, CONTACTS]);
    adminId = subOf(t.token);
    accountId = (await t.call('POST', '/api/records/accounts', { name: 'Acme' })).body.id;
  });
  afterAll(async () => t.close());

  let serial = 0;
  async function contact(extra: Record<string, unknown> = {}): Promise<Row> {
    serial += 1;
    const r = await t.call('POST', '/api/records/contacts', {
      name: `Contact ${serial}`,
      ...extra,
    });
    if (r.status !== 201) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Rows in the contacts table and history entries of the workspace, read straight from Postgres. */
  async function counts(): Promise<{ rows: number; history: number }> {
    const schema = t.engine.workspace.schema;
    const rows = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${schema}.contacts`)}`.execute(t.engine.db);
    const history = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.table(`${schema}._history`)}`.execute(t.engine.db);
    return { rows: rows.rows[0]?.n ?? -1, history: history.rows[0]?.n ?? -1 };
  }

  function expectRefusal(
    r: Pick<Reply, 'status' | 'body'>,
    status: number,
    code: string,
    paths?: string[],
  ): void {
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.error).toMatchObject({
      code,
      message: expect.any(String),
      details: expect.any(Array),
    });
    if (paths)
      expect(r.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(
        [...paths].sort(),
      );
    for (const d of r.body.error.details)
      expect(d).toEqual({ path: expect.any(String), message: expect.any(String) });
  }

  it('refuses every records route without a token', async () => {
    const c = await contact();
    for (const [method, url] of [
      ['GET', '/api/records/contacts'],
      ['POST', '/api/records/contacts'],
      ['GET', `/api/records/contacts/${c.id}`],
      ['PATCH', `/api/records/contacts/${c.id}`],
      ['DELETE', `/api/records/contacts/${c.id}`],
      ['POST', `/api/records/contacts/${c.id}/restore`],
      ['GET', `/api/records/contacts/${c.id}/history`],
    ] as const) {
      const r = await t.call(
        method,
        url,
        method === 'POST' || method === 'PATCH' ? { name: 'x', version: 1 } : undefined,
        null,
      );
      expectRefusal(r, 401, 'UNAUTHORIZED');
    }
    const forged = await t.call(
      'GET',
      '/api/records/contacts',
      undefined,
      `${t.token.slice(0, -4)}AAAA`,
    );
    expectRefusal(forged, 401, 'UNAUTHORIZED');
    expect((await t.call('GET', `/api/records/contacts/${c.id}`)).body.version).toBe(1);
  });

  it('optimistic concurrency: a stale version is refused with 409 and changes nothing', async () => {
    const c = await contact({ reason: 'first' });
    const first = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      reason: 'second',
    });
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(2);
    const stale = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      reason: 'lost update',
    });
    expectRefusal(stale, 409, 'VERSION_CONFLICT', ['version']);
    const ahead = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 3,
      reason: 'from the future',
    });
    expectRefusal(ahead, 409, 'VERSION_CONFLICT', ['version']);
    const now = await t.call('GET', `/api/records/contacts/${c.id}`);
    expect(now.body).toEqual(first.body);
    const history = (await t.call('GET', `/api/records/contacts/${c.id}/history`)).body.data;
    expect(history.map((h: { action: string }) => h.action)).toEqual(['update', 'create']);
  });

  it('of two concurrent updates from the same version, exactly one wins', async () => {
    const c = await contact();
    const results = await Promise.all(
      ['one', 'two', 'three'].map((reason) =>
        t.call('PATCH', `/api/records/contacts/${c.id}`, { version: 1, reason }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    const winner = results.find((r) => r.status === 200) as { body: Record<string, unknown> };
    const now = (await t.call('GET', `/api/records/contacts/${c.id}`)).body;
    expect(now.version).toBe(2);
    expect(now.reason).toBe(winner.body.reason);
    const history = (await t.call('GET', `/api/records/contacts/${c.id}/history`)).body.data;
    expect(history).toHaveLength(2);
  });

  it('PATCH needs a whole-number version', async () => {
    const c = await contact();
    expectRefusal(
      await t.call('PATCH', `/api/records/contacts/${c.id}`, { reason: 'x' }),
      400,
      'VALIDATION_FAILED',
      ['version'],
    );
    expectRefusal(
      await t.call('PATCH', `/api/records/contacts/${c.id}`, { version: '1', reason: 'x' }),
      400,
      'VALIDATION_FAILED',
      ['version'],
    );
    expectRefusal(
      await t.call('PATCH', `/api/records/contacts/${c.id}`, { version: 0 }),
      400,
      'VALIDATION_FAILED',
      ['version'],
    );
    expect((await t.call('GET', `/api/records/contacts/${c.id}`)).body.version).toBe(1);
  });

  it('soft delete, the recycle bin and restore', async () => {
    const c = await contact({ reason: 'to be deleted' });
    const staleDelete = await t.call('DELETE', `/api/records/contacts/${c.id}?version=7`);
    expectRefusal(staleDelete, 409, 'VERSION_CONFLICT', ['version']);
    expectRefusal(
      await t.call('DELETE', `/api/records/contacts/${c.id}?version=x`),
      400,
      'INVALID_QUERY',
      ['version'],
    );

    const deleted = await t.call('DELETE', `/api/records/contacts/${c.id}?version=1`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted_at).toEqual(expect.any(String));
    expect(deleted.body.version).toBe(2);

    expectRefusal(await t.call('GET', `/api/records/contacts/${c.id}`), 404, 'NOT_FOUND', ['id']);
    const live = (await t.call('GET', '/api/records/contacts?limit=200')).body.data.map(
      (r: { id: string }) => r.id,
    );
    expect(live).not.toContain(c.id);
    const bin = await t.call('GET', '/api/records/contacts?deleted=only&limit=200');
    expect(bin.status).toBe(200);
    expect(bin.body.data.map((r: { id: string }) => r.id)).toContain(c.id);
    for (const r of bin.body.data) expect(r.deleted_at).not.toBeNull();
    const everything = (await t.call('GET', '/api/records/contacts?deleted=include&limit=200')).body
      .data;
    expect(everything.length).toBe(live.length + bin.body.data.length);
    // The recycle bin can still be read by id when asked for
    const fromBin = await t.call('GET', `/api/records/contacts/${c.id}?deleted=true`);
    expect(fromBin.status).toBe(200);
    expect(fromBin.body.reason).toBe('to be deleted');

    expectRefusal(
      await t.call('PATCH', `/api/records/contacts/${c.id}`, { version: 2, reason: 'x' }),
      404,
      'NOT_FOUND',
      ['id'],
    );
    expectRefusal(await t.call('DELETE', `/api/records/contacts/${c.id}`), 404, 'NOT_FOUND', [
      'id',
    ]);

    const restored = await t.call('POST', `/api/records/contacts/${c.id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.deleted_at).toBeNull();
    expect(restored.body.version).toBe(3);
    expectRefusal(await t.call('POST', `/api/records/contacts/${c.id}/restore`), 404, 'NOT_FOUND', [
      'id',
    ]);
    const back = await t.call('GET', `/api/records/contacts/${c.id}`);
    expect(back.status).toBe(200);
    expect(back.body.reason).toBe('to be deleted');
    const liveAgain = (await t.call('GET', '/api/records/contacts?limit=200')).body.data.map(
      (r: { id: string }) => r.id,
    );
    expect(liveAgain).toContain(c.id);
    const binAgain = (
      await t.call('GET', '/api/records/contacts?deleted=only&limit=200')
    ).body.data.map((r: { id: string }) => r.id);
    expect(binAgain).not.toContain(c.id);
  });

  it('history lists create, update, delete and restore, newest first, with the actor', async () => {
    const c = await contact({ reason: 'a' });
    await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      reason: 'b',
      discount: 10,
    });
    await t.call('DELETE', `/api/records/contacts/${c.id}`);
    // history stays readable while the record is in the recycle bin
    const binned = await t.call('GET', `/api/records/contacts/${c.id}/history`);
    expect(binned.status).toBe(200);
    expect(binned.body.data.map((h: { action: string }) => h.action)).toEqual([
      'delete',
      'update',
      'create',
    ]);
    await t.call('POST', `/api/records/contacts/${c.id}/restore`);

    const r = await t.call('GET', `/api/records/contacts/${c.id}/history`);
    expect(r.status).toBe(200);
    expect(r.body.nextCursor).toBeNull();
    const entries = r.body.data;
    expect(entries.map((h: { action: string }) => h.action)).toEqual([
      'restore',
      'delete',
      'update',
      'create',
    ]);
    for (const h of entries) {
      expect(h.actor).toBe(adminId);
      expect(Number.isNaN(Date.parse(h.at))).toBe(false);
    }
    const ids = entries.map((h: { id: number }) => Number(h.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(entries[2].changes).toEqual({
      reason: { from: 'a', to: 'b' },
      discount: { from: null, to: 10 },
    });
    expect(entries[3].changes).toMatchObject({
      name: { from: null, to: c.name },
      reason: { from: null, to: 'a' },
    });

    // paged
    const page1 = await t.call('GET', `/api/records/contacts/${c.id}/history?limit=3`);
    expect(page1.body.data).toHaveLength(3);
    const page2 = await t.call(
      'GET',
      `/api/records/contacts/${c.id}/history?limit=3&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.data.map((h: { action: string }) => h.action)).toEqual(['create']);
    expect(page2.body.nextCursor).toBeNull();
  });

  it('an unknown module is 404 UNKNOWN_MODULE on every route', async () => {
    const c = await contact();
    for (const [method, url] of [
      ['GET', '/api/records/nope'],
      ['POST', '/api/records/nope'],
      ['GET', `/api/records/nope/${c.id}`],
      ['PATCH', `/api/records/nope/${c.id}`],
      ['DELETE', `/api/records/nope/${c.id}`],
      ['POST', `/api/records/nope/${c.id}/restore`],
      ['GET', `/api/records/nope/${c.id}/history`],
    ] as const) {
      const r = await t.call(
        method,
        url,
        method === 'POST' || method === 'PATCH' ? { name: 'x', version: 1 } : undefined,
      );
      expectRefusal(r, 404, 'UNKNOWN_MODULE', ['module']);
    }
  });

  it('an unknown or malformed id is 404 NOT_FOUND', async () => {
    for (const id of [MISSING_ID, 'not-a-uuid', '123', "1' or '1'='1"]) {
      const at = `/api/records/contacts/${encodeURIComponent(id)}`;
      expectRefusal(await t.call('GET', at), 404, 'NOT_FOUND', ['id']);
      expectRefusal(await t.call('PATCH', at, { version: 1, reason: 'x' }), 404, 'NOT_FOUND', [
        'id',
      ]);
      expectRefusal(await t.call('DELETE', at), 404, 'NOT_FOUND', ['id']);
      expectRefusal(await t.call('POST', `${at}/restore`), 404, 'NOT_FOUND', ['id']);
      expectRefusal(await t.call('GET', `${at}/history`), 404, 'NOT_FOUND', ['id']);
    }
  });

  it('a duplicate unique value is 409 DUPLICATE_VALUE on its path', async () => {
    const a = await contact({ email: 'dup@example.com' });
    const before = await counts();
    expectRefusal(
      await t.call('POST', '/api/records/contacts', { name: 'Twin', email: 'dup@example.com' }),
      409,
      'DUPLICATE_VALUE',
      ['email'],
    );
    expect(await counts()).toEqual(before);
    const b = await contact({ email: 'other@example.com' });
    expectRefusal(
      await t.call('PATCH', `/api/records/contacts/${b.id}`, {
        version: 1,
        email: 'dup@example.com',
      }),
      409,
      'DUPLICATE_VALUE',
      ['email'],
    );
    expect((await t.call('GET', `/api/records/contacts/${b.id}`)).body).toEqual(b);
    // nulls are not duplicates of each other
    await contact();
    await contact();
    // a value in the recycle bin is free again; restoring the old holder then collides
    await t.call('DELETE', `/api/records/contacts/${a.id}`);
    const reuse = await t.call('POST', '/api/records/contacts', {
      name: 'Reuse',
      email: 'dup@example.com',
    });
    expect(reuse.status).toBe(201);
    expectRefusal(
      await t.call('POST', `/api/records/contacts/${a.id}/restore`),
      409,
      'DUPLICATE_VALUE',
      ['email'],
    );
    expect(
      (await t.call('GET', `/api/records/contacts/${a.id}?deleted=true`)).body.deleted_at,
    ).not.toBeNull();
  });

  it('a lookup to a record that does not exist is 400 on the lookup field', async () => {
    const before = await counts();
    const r = await t.call('POST', '/api/records/contacts', {
      name: 'Orphan',
      account: MISSING_ID,
    });
    expectRefusal(r, 400, 'VALIDATION_FAILED', ['account']);
    expect(await counts()).toEqual(before);
    const c = await contact({ account: accountId });
    expect(c.account).toBe(accountId);
    const u = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      account: MISSING_ID,
      reason: 'moved',
    });
    expectRefusal(u, 400, 'VALIDATION_FAILED', ['account']);
    expect((await t.call('GET', `/api/records/contacts/${c.id}`)).body).toEqual(c);
    expect(await counts()).toEqual({ rows: before.rows + 1, history: before.history + 1 });
    // a user field, and the owner, pointing at no user
    const user = await t.call('POST', '/api/records/contacts', {
      name: 'Ghost assigned',
      assignee: MISSING_ID,
    });
    expectRefusal(user, 400, 'VALIDATION_FAILED', ['assignee']);
    const owner = await t.call('POST', '/api/records/contacts', {
      name: 'Ghost owned',
      owner_id: MISSING_ID,
    });
    expectRefusal(owner, 400, 'VALIDATION_FAILED', ['owner_id']);
    const reowned = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      owner_id: MISSING_ID,
    });
    expectRefusal(reowned, 400, 'VALIDATION_FAILED', ['owner_id']);
    expect(await counts()).toEqual({ rows: before.rows + 1, history: before.history + 1 });
    const mine = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      owner_id: adminId,
      assignee: adminId,
    });
    expect(mine.status).toBe(200);
    expect(mine.body.assignee).toBe(adminId);
  });

  it('a validation rule refuses with its field path and message', async () => {
    const r = await t.call('POST', '/api/records/contacts', {
      name: 'Ruled',
      starts_at: '2026-05-02T00:00:00Z',
      ends_at: '2026-05-01T00:00:00Z',
    });
    expectRefusal(r, 400, 'VALIDATION_FAILED');
    expect(r.body.error.details).toEqual([{ path: 'ends_at', message: 'must be after the start' }]);

    const several = await t.call('POST', '/api/records/contacts', {
      name: 'Ruled',
      discount: 60,
      stage: 'lost',
    });
    expect(several.status).toBe(400);
    expect(several.body.error.details).toEqual([
      { path: 'discount', message: 'may be at most 50%' },
      { path: '(record)', message: 'A lost contact needs a reason' },
    ]);
    const ok = await t.call('POST', '/api/records/contacts', {
      name: 'Ruled',
      discount: 50,
      stage: 'lost',
      reason: 'price',
    });
    expect(ok.status).toBe(201);
    // rules see the merged record on update: clearing the reason breaks the rule
    const cleared = await t.call('PATCH', `/api/records/contacts/${ok.body.id}`, {
      version: 1,
      reason: null,
    });
    expect(cleared.status).toBe(400);
    expect(cleared.body.error.details).toEqual([
      { path: '(record)', message: 'A lost contact needs a reason' },
    ]);
  });

  it('a rule over stored and sent datetimes holds on update', async () => {
    const c = await contact({ starts_at: '2026-05-01T09:00:00Z', ends_at: '2026-05-01T17:00:00Z' });
    const early = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      ends_at: '2026-05-01T08:00:00Z',
    });
    expect(early.status, JSON.stringify(early.body)).toBe(400);
    expect(early.body.error.details).toEqual([
      { path: 'ends_at', message: 'must be after the start' },
    ]);
    // the same instant in another zone is compared as an instant
    const zoned = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      ends_at: '2026-05-01T10:00:00+02:00',
    });
    expect(zoned.status).toBe(400);
    const later = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      ends_at: '2026-05-01T20:00:00+02:00',
    });
    expect(later.status).toBe(200);
    expect(later.body.ends_at).toBe('2026-05-01T18:00:00.000Z');
    const h = (await t.call('GET', `/api/records/contacts/${c.id}/history`)).body.data[0];
    expect(h.changes).toEqual({
      ends_at: { from: '2026-05-01T17:00:00.000Z', to: '2026-05-01T18:00:00.000Z' },
    });
  });

  it('answers rule messages in zh-CN when asked', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/records/contacts',
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.5' },
      payload: { name: '规则', discount: 75, stage: 'lost' },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([
      { path: 'discount', message: '折扣不能超过 50%' },
      // no zh-CN text: falls back to English
      { path: '(record)', message: 'A lost contact needs a reason' },
    ]);
  });

  it('a failed create writes nothing: no row, no history', async () => {
    const before = await counts();
    const attempts = [
      { name: '' },
      { name: 'x', email: 'bad' },
      { name: 'x', discount: 99 },
      { name: 'x', account: MISSING_ID },
      { name: 'x', unknown: 1 },
    ];
    for (const body of attempts) {
      const r = await t.call('POST', '/api/records/contacts', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
    }
    expect(await counts()).toEqual(before);
    const c = await contact();
    expect(await counts()).toEqual({ rows: before.rows + 1, history: before.history + 1 });
    const failedUpdate = await t.call('PATCH', `/api/records/contacts/${c.id}`, {
      version: 1,
      discount: 99,
    });
    expect(failedUpdate.status).toBe(400);
    expect(await counts()).toEqual({ rows: before.rows + 1, history: before.history + 1 });
    expect((await t.call('GET', `/api/records/contacts/${c.id}`)).body).toEqual(c);
  });
});
