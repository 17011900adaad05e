import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

/**
 * A lookup means one thing everywhere: deleting a record honours the onDelete of every lookup
 * that points at it, and no write may point a lookup at a record in the recycle bin.
 */
const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  label: { en: 'Accounts', 'zh-CN': '客户' },
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};
const DEALS = {
  kind: 'module',
  name: 'deals',
  label: { en: 'Deals', 'zh-CN': '商机' },
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'account', type: 'lookup', target: 'accounts', onDelete: 'restrict' },
  ],
};
const CONTACTS = {
  kind: 'module',
  name: 'contacts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    // required without onDelete: restrict by default
    { name: 'account', type: 'lookup', target: 'accounts', required: true },
  ],
};
const COMPANIES = {
  kind: 'module',
  name: 'companies',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};
const PEOPLE = {
  kind: 'module',
  name: 'people',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    // optional without onDelete: set_null by default
    { name: 'company', type: 'lookup', target: 'companies' },
    { name: 'employer', type: 'lookup', target: 'companies', onDelete: 'set_null' },
    {
      name: 'employed',
      type: 'formula',
      returns: 'boolean',
      expression: { '!!': [{ var: 'employer' }] },
    },
  ],
};
const FOLDERS = {
  kind: 'module',
  name: 'folders',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'parent', type: 'lookup', target: 'folders', onDelete: 'cascade' },
  ],
};
const PROJECTS = {
  kind: 'module',
  name: 'projects',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};
const TASKS = {
  kind: 'module',
  name: 'tasks',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'project', type: 'lookup', target: 'projects', onDelete: 'cascade' },
    { name: 'owner_company', type: 'lookup', target: 'companies', onDelete: 'restrict' },
  ],
};
const CHECKS = {
  kind: 'module',
  name: 'checks',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'task', type: 'lookup', target: 'tasks', onDelete: 'cascade' },
  ],
};
const TIMESHEETS = {
  kind: 'module',
  name: 'timesheets',
  label: { en: 'Timesheets', 'zh-CN': '工时单' },
  fields: [
    { name: 'hours', type: 'integer' },
    { name: 'task', type: 'lookup', target: 'tasks', onDelete: 'restrict' },
  ],
};

type Row = Reply['body'];

describe('records: referential integrity of lookups', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([
      ACCOUNTS,
      DEALS,
      CONTACTS,
      COMPANIES,
      PEOPLE,
      FOLDERS,
      PROJECTS,
      TASKS,
      CHECKS,
      TIMESHEETS,
    ]);
  });
  afterAll(async () => t.close());

  async function create(module: string, values: Record<string, unknown>): Promise<Row> {
    const r = await t.call('POST', `/api/records/${module}`, values);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body;
  }
  const get = async (module: string, id: string) =>
    (await t.call('GET', `/api/records/${module}/${id}?deleted=true`)).body;
  const history = async (module: string, id: string) =>
    (await t.call('GET', `/api/records/${module}/${id}/history`)).body.data as Row[];
  const paths = (r: Reply) => r.body.error.details.map((d: { path: string }) => d.path).sort();

  it('restrict: deleting a record that live records refer to is 409, per referring module, and changes nothing', async () => {
    const acme = await create('accounts', { name: 'Acme' });
    await create('deals', { name: 'D1', account: acme.id });
    await create('deals', { name: 'D2', account: acme.id });
    const contact = await create('contacts', { name: 'C1', account: acme.id });

    const r = await t.call('DELETE', `/api/records/accounts/${acme.id}`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('REFERENCED');
    expect(r.body.error.details).toEqual([
      { path: 'contacts.account', message: expect.stringContaining('1 record') },
      { path: 'deals.account', message: expect.stringContaining('2 record') },
    ]);
    expect(r.body.error.details[1].message).toContain('Deals');
    const still = await get('accounts', acme.id);
    expect(still.deleted_at).toBeNull();
    expect(still.version).toBe(1);

    // in Chinese for a zh-CN caller
    const zh = await t.app.inject({
      method: 'DELETE',
      url: `/api/records/accounts/${acme.id}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
    });
    expect(zh.json().error.details[1].message).toContain('商机');
    expect(zh.json().error.details[1].message).toContain('2 条记录');

    // only live referrers count: once they are in the bin the account may go
    for (const d of (
      await t.call(
        'GET',
        `/api/records/deals?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'account' }, acme.id] }))}`,
      )
    ).body.data)
      expect((await t.call('DELETE', `/api/records/deals/${d.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/api/records/contacts/${contact.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/api/records/accounts/${acme.id}`)).status).toBe(200);
  });

  it('set_null: referrers lose the link in the same transaction, with a history entry and formulas recomputed', async () => {
    const globex = await create('companies', { name: 'Globex' });
    const other = await create('companies', { name: 'Other' });
    const ann = await create('people', { name: 'Ann', company: globex.id, employer: globex.id });
    const bob = await create('people', { name: 'Bob', company: globex.id, employer: other.id });
    expect(ann.employed).toBe(true);

    const r = await t.call('DELETE', `/api/records/companies/${globex.id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);

    const annAfter = await get('people', ann.id);
    expect(annAfter).toMatchObject({ company: null, employer: null, employed: false, version: 3 });
    const bobAfter = await get('people', bob.id);
    expect(bobAfter).toMatchObject({
      company: null,
      employer: other.id,
      employed: true,
      version: 2,
    });
    const bobHistory = await history('people', bob.id);
    expect(bobHistory[0]).toMatchObject({
      action: 'update',
      changes: { company: { from: globex.id, to: null } },
    });
    const annHistory = await history('people', ann.id);
    expect(annHistory.map((h) => h.action)).toEqual(['update', 'update', 'create']);
    expect(annHistory[0].changes.employed ?? annHistory[1].changes.employed).toEqual({
      from: true,
      to: false,
    });

    // restoring the company does not relink (the links were cleared on purpose)
    expect((await t.call('POST', `/api/records/companies/${globex.id}/restore`)).status).toBe(200);
    expect((await get('people', ann.id)).company).toBeNull();
  });

  it('cascade: referrers go to the bin with the record, recursively, and come back with it', async () => {
    const p = await create('projects', { name: 'Apollo' });
    const t1 = await create('tasks', { name: 'T1', project: p.id });
    const t2 = await create('tasks', { name: 'T2', project: p.id });
    const gone = await create('tasks', { name: 'deleted before', project: p.id });
    const c1 = await create('checks', { name: 'C1', task: t1.id });
    const goneCheck = await create('checks', { name: 'C2', task: t2.id });
    expect((await t.call('DELETE', `/api/records/tasks/${gone.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/api/records/checks/${goneCheck.id}`)).status).toBe(200);

    const r = await t.call('DELETE', `/api/records/projects/${p.id}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    for (const [m, id] of [
      ['tasks', t1.id],
      ['tasks', t2.id],
      ['checks', c1.id],
    ])
      expect((await get(m, id)).deleted_at, `${m} ${id}`).not.toBeNull();
    expect((await t.call('GET', `/api/records/tasks/${t1.id}`)).status).toBe(404);
    expect((await history('tasks', t1.id))[0].action).toBe('delete');
    // the link survives in the bin, so the restore is faithful
    expect((await get('tasks', t1.id)).project).toBe(p.id);

    // a cascaded record cannot come back alone while what it points to is in the bin
    const alone = await t.call('POST', `/api/records/tasks/${t1.id}/restore`);
    expect(alone.status).toBe(400);
    expect(paths(alone)).toEqual(['project']);

    const back = await t.call('POST', `/api/records/projects/${p.id}/restore`);
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect((await get('tasks', t1.id)).deleted_at).toBeNull();
    expect((await get('tasks', t2.id)).deleted_at).toBeNull();
    expect((await get('checks', c1.id)).deleted_at).toBeNull();
    expect((await history('checks', c1.id)).map((h) => h.action)).toEqual([
      'restore',
      'delete',
      'create',
    ]);
    // what was in the bin before the project's delete stays there
    expect((await get('tasks', gone.id)).deleted_at).not.toBeNull();
    expect((await get('checks', goneCheck.id)).deleted_at).not.toBeNull();

    // a second round trip works the same way
    expect((await t.call('DELETE', `/api/records/projects/${p.id}`)).status).toBe(200);
    expect((await get('tasks', t2.id)).deleted_at).not.toBeNull();
    expect((await t.call('POST', `/api/records/projects/${p.id}/restore`)).status).toBe(200);
    expect((await get('tasks', t2.id)).deleted_at).toBeNull();
  });

  it('cascade meets restrict: a cascaded record that is itself referred to with restrict blocks the delete', async () => {
    const p = await create('projects', { name: 'Gemini' });
    const task = await create('tasks', { name: 'T', project: p.id });
    const check = await create('checks', { name: 'C', task: task.id });
    await create('timesheets', { hours: 3, task: task.id });
    await create('timesheets', { hours: 4, task: task.id });

    const r = await t.call('DELETE', `/api/records/projects/${p.id}`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('REFERENCED');
    expect(r.body.error.details).toEqual([
      { path: 'timesheets.task', message: expect.stringContaining('2 record') },
    ]);
    // nothing half-done: the project, its task and the task's check are all live and unchanged
    expect(await get('projects', p.id)).toMatchObject({ deleted_at: null, version: 1 });
    expect(await get('tasks', task.id)).toMatchObject({ deleted_at: null, version: 1 });
    expect(await get('checks', check.id)).toMatchObject({ deleted_at: null, version: 1 });
  });

  it('a lookup to a record in the recycle bin is refused on create and update, with its path', async () => {
    const binned = await create('accounts', { name: 'Binned' });
    const live = await create('accounts', { name: 'Live' });
    expect((await t.call('DELETE', `/api/records/accounts/${binned.id}`)).status).toBe(200);

    const before = (
      await sql<{ n: number }>`select count(*)::int as n from ws_main.deals`.execute(t.handle.db)
    ).rows[0];

    const created = await t.call('POST', '/api/records/deals', { name: 'X', account: binned.id });
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe('VALIDATION_FAILED');
    expect(created.body.error.details).toEqual([
      { path: 'account', message: expect.stringContaining('recycle bin') },
    ]);
    const missing = await t.call('POST', '/api/records/deals', {
      name: 'X',
      account: '01890000-0000-7000-8000-000000000000',
    });
    expect(missing.status).toBe(400);
    expect(paths(missing)).toEqual(['account']);

    const deal = await create('deals', { name: 'Y', account: live.id });
    const updated = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: 1,
      account: binned.id.toUpperCase(),
    });
    expect(updated.status).toBe(400);
    expect(paths(updated)).toEqual(['account']);
    expect((await get('deals', deal.id)).account).toBe(live.id);

    const after = (
      await sql<{ n: number }>`select count(*)::int as n from ws_main.deals`.execute(t.handle.db)
    ).rows[0];
    expect(after?.n).toBe((before?.n ?? 0) + 1);
  });

  it('an update that leaves an old lookup alone is not judged by it', async () => {
    const acct = await create('accounts', { name: 'Later binned' });
    const deal = await create('deals', { name: 'Z', account: acct.id });
    // the deal goes to the bin, then the account; the deal comes back pointing at the binned account…
    expect((await t.call('DELETE', `/api/records/deals/${deal.id}`)).status).toBe(200);
    expect((await t.call('DELETE', `/api/records/accounts/${acct.id}`)).status).toBe(200);
    const restore = await t.call('POST', `/api/records/deals/${deal.id}/restore`);
    // …which is refused: a restored record may not point into the bin
    expect(restore.status).toBe(400);
    expect(paths(restore)).toEqual(['account']);
    expect((await t.call('POST', `/api/records/accounts/${acct.id}/restore`)).status).toBe(200);
    expect((await t.call('POST', `/api/records/deals/${deal.id}/restore`)).status).toBe(200);
    const renamed = await t.call('PATCH', `/api/records/deals/${deal.id}`, {
      version: 3,
      name: 'Z2',
    });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
  });

  it('cascade within one module (a tree) takes the whole branch and brings it back', async () => {
    const root = await create('folders', { name: 'root' });
    const a = await create('folders', { name: 'a', parent: root.id });
    const b = await create('folders', { name: 'b', parent: a.id });
    const other = await create('folders', { name: 'other' });
    expect((await t.call('DELETE', `/api/records/folders/${a.id}`)).status).toBe(200);
    expect((await get('folders', b.id)).deleted_at).not.toBeNull();
    expect((await get('folders', root.id)).deleted_at).toBeNull();
    expect((await get('folders', other.id)).deleted_at).toBeNull();
    expect((await t.call('POST', `/api/records/folders/${a.id}/restore`)).status).toBe(200);
    expect((await get('folders', b.id)).deleted_at).toBeNull();
  });

  it('a delete racing writes that link to the same record never leaves a live link into the bin', async () => {
    for (let round = 0; round < 15; round++) {
      const acct = await create('accounts', { name: `race ${round}` });
      const results = await Promise.all([
        t.call('POST', '/api/records/deals', { name: 'racer', account: acct.id }),
        t.call('DELETE', `/api/records/accounts/${acct.id}`),
        t.call('POST', '/api/records/deals', { name: 'racer 2', account: acct.id }),
      ]);
      for (const r of results)
        expect([200, 201, 400, 409], JSON.stringify(r.body)).toContain(r.status);
    }
    const dangling = await sql<{ n: number }>`select count(*)::int as n from ws_main.deals d
      join ws_main.accounts a on a.id = d.account
      where d.deleted_at is null and a.deleted_at is not null`.execute(t.handle.db);
    expect(dangling.rows[0]?.n).toBe(0);
  });
});
