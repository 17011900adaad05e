import { createDb, createEngine, MetadataCache } from '@atrium/engine';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, fullProfile, startTestApp, type TestApp } from './support/test-app.js';

const accounts = {
  kind: 'module',
  name: 'accounts',
  label: { en: 'Accounts' },
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'picklist', options: [{ value: 'tech' }, { value: 'retail' }] },
    { name: 'employees', type: 'integer' },
    { name: 'code', type: 'text' },
  ],
};

const deals = {
  kind: 'module',
  name: 'deals',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'amount', type: 'currency', precision: 14, scale: 2 },
    { name: 'account', type: 'lookup', target: 'accounts', onDelete: 'cascade' },
    { name: 'tags', type: 'tags' },
    { name: 'ref', type: 'text', unique: true },
  ],
};

const accountsView = {
  kind: 'view',
  module: 'accounts',
  name: 'all',
  type: 'table',
  columns: ['name', 'industry'],
};
const dealsView = {
  kind: 'view',
  module: 'deals',
  name: 'open',
  type: 'table',
  columns: ['title', 'amount'],
};
const dealsLayout = {
  kind: 'layout',
  module: 'deals',
  name: 'standard',
  sections: [{ fields: ['title', 'account'] }],
};

type Doc = Record<string, any>;
const clone = <T>(v: T): T => structuredClone(v);
/** `doc` with a field changed (a partial merged in) or removed (null), or added when missing. */
function withField(doc: Doc, name: string, change: Doc | null): Doc {
  const copy = clone(doc);
  const i = copy.fields.findIndex((f: Doc) => f.name === name);
  if (change === null) copy.fields.splice(i, 1);
  else if (i < 0) copy.fields.push({ name, ...change });
  else copy.fields[i] = { ...copy.fields[i], ...change };
  return copy;
}

/** Column name → type (`numeric(p,s)` spelled out) of a table. */
async function columns(
  t: TestApp,
  table: string,
  schema = 'ws_main',
): Promise<Record<string, string>> {
  const r = await sql<{
    column_name: string;
    data_type: string;
    p: number | null;
    s: number | null;
  }>`
    select column_name, data_type, numeric_precision as p, numeric_scale as s from information_schema.columns
    where table_schema = ${schema} and table_name = ${table} order by ordinal_position`.execute(
    t.handle.db,
  );
  return Object.fromEntries(
    r.rows.map((c) => [
      c.column_name,
      c.data_type === 'numeric' ? `numeric(${c.p},${c.s})` : c.data_type,
    ]),
  );
}

async function indexes(
  t: TestApp,
  table: string,
  schema = 'ws_main',
): Promise<Record<string, string>> {
  const r = await sql<{
    indexname: string;
    indexdef: string;
  }>`select indexname, indexdef from pg_indexes
    where schemaname = ${schema} and tablename = ${table}`.execute(t.handle.db);
  return Object.fromEntries(r.rows.map((i) => [i.indexname, i.indexdef]));
}

async function tableExists(t: TestApp, qualified: string): Promise<boolean> {
  const r = await sql<{
    oid: string | null;
  }>`select to_regclass(${qualified})::text as oid`.execute(t.handle.db);
  return r.rows[0]?.oid != null;
}

async function rows(t: TestApp, query: string): Promise<Record<string, unknown>[]> {
  return (await sql.raw<Record<string, unknown>>(query).execute(t.handle.db)).rows;
}

/** Everything an apply could touch: metadata, revisions, the catalog of the workspace's schemas, trash. */
async function everything(t: TestApp) {
  const catalog = await rows(
    t,
    `select table_schema, table_name, column_name, data_type from information_schema.columns
     where table_schema like 'ws_main%' order by 1, 2, 3`,
  );
  const idx = await rows(
    t,
    `select schemaname, indexname, indexdef from pg_indexes where schemaname like 'ws_main%' order by 1, 2`,
  );
  const constraints = await rows(
    t,
    `select conname, pg_get_constraintdef(oid) as def from pg_constraint
     where connamespace::regnamespace::text like 'ws_main%' order by 1`,
  );
  return {
    meta: (await t.call('GET', '/api/meta')).body,
    stored: await rows(t, 'select key, body, revision from ws_main._meta_documents order by key'),
    revisions: await rows(t, 'select n, summary, changes from ws_main._meta_revisions order by n'),
    trash: await rows(
      t,
      'select revision, module, field, stored_as from ws_main._trash order by id',
    ),
    catalog,
    idx,
    constraints,
  };
}

describe('apply builds real tables', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('plans without changing anything', async () => {
    const before = await everything(t);
    const r = await t.call('POST', '/api/meta/plan', {
      documents: [accounts, deals, accountsView],
    });
    expect(r.status).toBe(200);
    expect(r.body.destructive).toBe(false);
    const kinds = r.body.steps.map((s: Doc) => s.step.kind);
    expect(kinds.filter((k: string) => k === 'create_table')).toHaveLength(2);
    expect(kinds.at(-1)).toBe('put_document');
    expect(r.body.steps[0]).toEqual({
      step: expect.any(Object),
      destructive: false,
      summary: 'create table for module accounts',
      summaryKey: 'plan.createTable',
      localSummary: 'create table for module accounts',
    });
    expect(await tableExists(t, 'ws_main.accounts')).toBe(false);
    expect(await everything(t)).toEqual(before);
  });

  it('creates tables with typed columns, indexes and foreign keys, as revision 1', async () => {
    const r = await t.apply([accounts, deals, accountsView, dealsLayout]);
    expect(r.body).toMatchObject({ revision: 1, changed: true, destructive: false });
    expect(r.body.steps.length).toBeGreaterThan(4);

    expect(await columns(t, 'accounts')).toEqual({
      id: 'uuid',
      created_at: 'timestamp with time zone',
      updated_at: 'timestamp with time zone',
      created_by: 'uuid',
      updated_by: 'uuid',
      owner_id: 'uuid',
      version: 'integer',
      deleted_at: 'timestamp with time zone',
      name: 'text',
      industry: 'text',
      employees: 'bigint',
      code: 'text',
    });
    const dealColumns = await columns(t, 'deals');
    expect(dealColumns).toMatchObject({
      title: 'text',
      amount: 'numeric(14,2)',
      account: 'uuid',
      tags: 'ARRAY',
      ref: 'text',
      currency_code: 'text',
    });

    const accountIndexes = await indexes(t, 'accounts');
    expect(accountIndexes.accounts_pkey).toBeDefined();
    expect(accountIndexes.accounts__owner_id__idx).toMatch(/\(owner_id\)/);
    expect(accountIndexes.accounts__industry__idx).toMatch(/btree \(industry\)/);
    const dealIndexes = await indexes(t, 'deals');
    expect(dealIndexes.deals__account__idx).toMatch(/btree \(account\)/);
    expect(dealIndexes.deals__tags__idx).toMatch(/USING gin \(tags\)/);
    expect(dealIndexes.deals__ref__key).toMatch(
      /UNIQUE INDEX .* \(ref\) WHERE \(deleted_at IS NULL\)/,
    );
    if (t.engine.workspace.trigram)
      expect(accountIndexes.accounts__name__trgm).toMatch(/gin_trgm_ops/);

    const fk = await rows(
      t,
      `select conname, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'ws_main.deals'::regclass and contype = 'f'`,
    );
    expect(fk).toEqual([
      {
        conname: 'deals__account__fk',
        def: 'FOREIGN KEY (account) REFERENCES ws_main.accounts(id) ON DELETE CASCADE',
      },
    ]);

    const meta = await t.call('GET', '/api/meta');
    expect(meta.body.revision).toBe(1);
    expect(meta.body.documents).toHaveLength(4);
    expect(meta.body.documents).toContainEqual(accounts);
    expect(meta.body.documents).toContainEqual(dealsLayout);
  });

  it('records who applied what and when, one revision per change', async () => {
    const r = await t.apply([withField(accounts, 'founded', { type: 'date' })]);
    expect(r.body).toMatchObject({ revision: 2, changed: true });
    expect((await columns(t, 'accounts')).founded).toBe('date');

    const admin = await rows(t, `select id from atrium.users where email = '${ADMIN.email}'`);
    const list = await t.call('GET', '/api/meta/revisions');
    expect(list.status).toBe(200);
    expect(list.body.data.map((x: Doc) => x.n)).toEqual([2, 1]);
    for (const rev of list.body.data) {
      expect(rev.actor).toBe(admin[0]?.id);
      expect(Math.abs(Date.now() - new Date(rev.at).getTime())).toBeLessThan(60_000);
    }
    expect(list.body.data[0].summary).toBe('update module:accounts');
    expect(list.body.data[1].summary).toContain('add module:accounts');

    const one = await t.call('GET', '/api/meta/revisions/2');
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      n: 2,
      actor: admin[0]?.id,
      summary: 'update module:accounts',
    });
    expect(one.body.changes).toEqual([
      {
        key: 'module:accounts',
        before: accounts,
        after: withField(accounts, 'founded', { type: 'date' }),
      },
    ]);
    expect(one.body.steps.map((s: Doc) => s.step.kind)).toEqual(['add_column', 'put_document']);

    const first = await t.call('GET', '/api/meta/revisions/1');
    expect(first.body.changes.map((c: Doc) => [c.key, c.before])).toEqual([
      ['module:accounts', null],
      ['module:deals', null],
      ['view:accounts.all', null],
      ['layout:deals.standard', null],
    ]);

    const limited = await t.call('GET', '/api/meta/revisions?limit=1');
    expect(limited.body.data.map((x: Doc) => x.n)).toEqual([2]);
    const older = await t.call('GET', '/api/meta/revisions?before=2');
    expect(older.body.data.map((x: Doc) => x.n)).toEqual([1]);
    expect((await t.call('GET', '/api/meta/revisions/99')).status).toBe(404);
    expect((await t.call('GET', '/api/meta/revisions/abc')).status).toBe(400);
  });

  it('writes no revision when the documents already match', async () => {
    const current = (await t.call('GET', '/api/meta')).body;
    const before = await everything(t);
    const r = await t.apply([withField(accounts, 'founded', { type: 'date' }), deals]);
    expect(r.body).toEqual({
      revision: current.revision,
      changed: false,
      destructive: false,
      steps: [],
    });
    const again = await t.apply(current.documents);
    expect(again.body.changed).toBe(false);
    expect(await everything(t)).toEqual(before);
  });

  it('keeps existing rows when a field is added; the new field is null', async () => {
    const created = await t.call('POST', '/api/records/accounts', { name: 'Acme', employees: 12 });
    expect(created.status).toBe(201);
    await t.apply([
      withField(withField(accounts, 'founded', { type: 'date' }), 'website', { type: 'url' }),
    ]);
    const got = await t.call('GET', `/api/records/accounts/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      name: 'Acme',
      employees: 12,
      founded: null,
      website: null,
      version: 1,
    });
    const raw = await rows(t, 'select name, employees, website from ws_main.accounts');
    expect(raw).toEqual([{ name: 'Acme', employees: 12, website: null }]);
  });

  it('lets the records API use a new field right after the apply', async () => {
    const current = (await t.call('GET', '/api/meta')).body.documents.find(
      (d: Doc) => d.name === 'accounts',
    );
    const refused = await t.call('POST', '/api/records/accounts', { name: 'Early', rating: 3 });
    expect(refused.status).toBe(400);
    await t.apply([withField(current, 'rating', { type: 'integer', min: 1, max: 5 })]);
    const created = await t.call('POST', '/api/records/accounts', { name: 'Later', rating: 3 });
    expect(created.status).toBe(201);
    expect(created.body.rating).toBe(3);
    const list = await t.call(
      'GET',
      `/api/records/accounts?filter=${encodeURIComponent(JSON.stringify({ '==': [{ var: 'rating' }, 3] }))}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.data.map((r: Doc) => r.name)).toEqual(['Later']);
    expect((await t.call('POST', '/api/records/accounts', { name: 'Bad', rating: 9 })).status).toBe(
      400,
    );
  });

  it('refuses a stale baseRevision with 409 and accepts the current one', async () => {
    const { revision, documents } = (await t.call('GET', '/api/meta')).body;
    const next = withField(
      documents.find((d: Doc) => d.name === 'accounts'),
      'note',
      { type: 'textarea' },
    );
    const before = await everything(t);
    const stale = await t.call('POST', '/api/meta/apply', {
      documents: [next],
      baseRevision: revision - 1,
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('METADATA_CHANGED');
    expect(stale.body.error.details).toEqual([
      { path: 'baseRevision', message: expect.stringContaining(String(revision)) },
    ]);
    expect(await everything(t)).toEqual(before);
    const ok = await t.apply([next], { baseRevision: revision });
    expect(ok.body.revision).toBe(revision + 1);
  });

  it('serializes concurrent applies: of two built on the same revision, one wins and one gets 409', async () => {
    const { revision, documents } = (await t.call('GET', '/api/meta')).body;
    const base = documents.find((d: Doc) => d.name === 'accounts');
    const [a, b] = await Promise.all([
      t.call('POST', '/api/meta/apply', {
        documents: [withField(base, 'left', { type: 'text' })],
        baseRevision: revision,
      }),
      t.call('POST', '/api/meta/apply', {
        documents: [withField(base, 'right', { type: 'text' })],
        baseRevision: revision,
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body.error.code).toBe('METADATA_CHANGED');
    const cols = await columns(t, 'accounts');
    expect(Number('left' in cols) + Number('right' in cols)).toBe(1);
    expect((await t.call('GET', '/api/meta')).body.revision).toBe(revision + 1);
  });

  it('refuses a malformed request body with 400', async () => {
    for (const body of [
      {},
      { documents: {} },
      { documents: [], baseRevision: -1 },
      { documents: [], baseRevision: 1.5 },
    ]) {
      const r = await t.call('POST', '/api/meta/apply', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('VALIDATION_FAILED');
      expect(r.body.error.details.length).toBeGreaterThan(0);
    }
    // A lone value is not made into a list, and a misspelt option is not silently dropped.
    const lone = await t.call('POST', '/api/meta/apply', { documents: 'x' });
    expect(lone.status).toBe(400);
    expect(lone.body.error.details).toEqual([{ path: 'documents', message: expect.any(String) }]);
    const misspelt = await t.call('POST', '/api/meta/apply', { documents: [], replaceAl: true });
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.error.details).toEqual([
      { path: 'replaceAl', message: expect.any(String) },
    ]);
  });
});

describe('invalid metadata is refused with exact paths', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([accounts, deals, accountsView]);
  });
  afterAll(async () => t.close());

  async function refused(body: Doc, endpoint = 'apply') {
    const before = await everything(t);
    const r = await t.call('POST', `/api/meta/${endpoint}`, body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_METADATA');
    expect(r.body.error.message).toEqual(expect.any(String));
    expect(await everything(t)).toEqual(before);
    return r.body.error.details as { path: string; message: string }[];
  }

  it('resolves references against stored documents the request does not send', async () => {
    const contacts = {
      kind: 'module',
      name: 'contacts',
      fields: [{ name: 'account', type: 'lookup', target: 'accounts' }],
    };
    const view = { kind: 'view', module: 'deals', name: 'mine', type: 'table', columns: ['title'] };
    const p = await t.call('POST', '/api/meta/plan', { documents: [contacts, view] });
    expect(p.status).toBe(200);
    expect(p.body.steps.map((s: Doc) => s.step.kind)).toContain('add_foreign_key');
  });

  it('names an unsafe module name', async () => {
    const details = await refused({
      documents: [{ kind: 'module', name: 'Bad-Name', fields: [] }],
    });
    expect(details).toEqual([
      { path: 'documents[0].name', message: expect.stringContaining('not a safe name') },
    ]);
    const field = await refused(
      { documents: [withField(accounts, 'Bad Field', { type: 'text' })] },
      'plan',
    );
    expect(field.map((d) => d.path)).toEqual(['documents[0].fields[4].name']);
  });

  it('names a lookup to an unknown module', async () => {
    const contacts = {
      kind: 'module',
      name: 'contacts',
      fields: [
        { name: 'email', type: 'email' },
        { name: 'company', type: 'lookup', target: 'companies' },
      ],
    };
    expect(await refused({ documents: [contacts] })).toEqual([
      { path: 'documents[0].fields[1].target', message: 'no module named "companies"' },
    ]);
    expect(await refused({ documents: [contacts] }, 'plan')).toHaveLength(1);
  });

  it('names an unknown field in a view', async () => {
    const view = {
      kind: 'view',
      module: 'deals',
      name: 'mine',
      type: 'table',
      columns: ['title', 'nope'],
    };
    expect(await refused({ documents: [deals, view] })).toEqual([
      { path: 'documents[1].columns[1]', message: 'unknown field "nope" in module deals' },
    ]);
  });

  it('names a schema problem and an unknown kind', async () => {
    const details = await refused({
      documents: [{ kind: 'module', name: 'x' }, { kind: 'widget' }],
    });
    expect(details.map((d) => d.path)).toEqual(['documents[0].fields', 'documents[1].kind']);
  });

  it('names a kept stored document that the request would break, by its key', async () => {
    // Removing accounts leaves the stored deals with a lookup to nowhere.
    expect(
      await refused({ documents: [], remove: ['module:accounts'], allowDestructive: true }),
    ).toEqual([
      { path: 'existing[module:deals].fields[2].target', message: 'no module named "accounts"' },
    ]);
    // Dropping industry from accounts breaks the stored view that shows it.
    expect(
      await refused({ documents: [withField(accounts, 'industry', null)], allowDestructive: true }),
    ).toEqual([
      {
        path: 'existing[view:accounts.all].columns[1]',
        message: 'unknown field "industry" in module accounts',
      },
    ]);
  });
});

describe('destructive changes', () => {
  let t: TestApp;
  let acme: Doc;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([accounts, deals, dealsView, dealsLayout, accountsView]);
    acme = (
      await t.call('POST', '/api/records/accounts', { name: 'Acme', employees: 42, code: 'abc' })
    ).body;
    await t.call('POST', '/api/records/accounts', { name: 'Globex', employees: 7, code: '12' });
    const deal = await t.call('POST', '/api/records/deals', {
      title: 'Big one',
      amount: 1000.5,
      account: acme.id,
    });
    expect(deal.status).toBe(201);
  });
  afterAll(async () => t.close());

  it('refuses a dropped field without allowDestructive (409) and changes nothing', async () => {
    const before = await everything(t);
    const r = await t.call('POST', '/api/meta/apply', {
      documents: [withField(accounts, 'employees', null)],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('DESTRUCTIVE_CHANGE');
    expect(r.body.error.details).toEqual([
      { path: 'accounts.employees', message: expect.stringContaining('drop field') },
    ]);
    expect(await everything(t)).toEqual(before);
    // The plan says the same, and marks it.
    const p = await t.call('POST', '/api/meta/plan', {
      documents: [withField(accounts, 'employees', null)],
    });
    expect(p.body.destructive).toBe(true);
    expect(p.body.steps.filter((s: Doc) => s.destructive).map((s: Doc) => s.step)).toEqual([
      { kind: 'drop_column', module: 'accounts', column: 'employees' },
    ]);
  });

  it('keeps a dropped field in the trash with its values', async () => {
    const r = await t.apply([withField(accounts, 'employees', null)], { allowDestructive: true });
    const rev = r.body.revision as number;
    expect(r.body.destructive).toBe(true);
    const cols = await columns(t, 'accounts');
    expect(cols.employees).toBeUndefined();
    expect(cols[`r${rev}__employees`]).toBe('bigint');
    expect(
      await rows(t, `select name, r${rev}__employees as n from ws_main.accounts order by name`),
    ).toEqual([
      { name: 'Acme', n: 42 },
      { name: 'Globex', n: 7 },
    ]);
    expect(await rows(t, 'select revision, module, field, stored_as from ws_main._trash')).toEqual([
      { revision: rev, module: 'accounts', field: 'employees', stored_as: `r${rev}__employees` },
    ]);
    // The API no longer shows it, and a field of the same name can come back, empty.
    const got = await t.call('GET', `/api/records/accounts/${acme.id}`);
    expect(got.body).not.toHaveProperty('employees');
    await t.apply([accounts]);
    expect((await t.call('GET', `/api/records/accounts/${acme.id}`)).body.employees).toBeNull();
    expect(
      await rows(t, `select r${rev}__employees as n from ws_main.accounts where name = 'Acme'`),
    ).toEqual([{ n: 42 }]);
  });

  it('refuses text → integer over "abc" before anything runs, naming the value', async () => {
    const before = await everything(t);
    const data = await rows(t, 'select * from ws_main.accounts order by id');
    const contacts = {
      kind: 'module',
      name: 'contacts',
      fields: [{ name: 'email', type: 'email' }],
    };
    const documents = [
      withField(withField(accounts, 'code', { type: 'integer' }), 'founded', { type: 'date' }),
      contacts,
    ];
    const p = await t.call('POST', '/api/meta/plan', { documents });
    expect(p.body.destructive).toBe(true);
    const r = await t.call('POST', '/api/meta/apply', { documents, allowDestructive: true });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('DATA_CONFLICT');
    expect(r.body.error.details).toEqual([
      { path: 'accounts.code', message: expect.stringContaining('"abc"') },
    ]);
    expect(await everything(t)).toEqual(before);
    expect(await rows(t, 'select * from ws_main.accounts order by id')).toEqual(data);
    expect(await tableExists(t, 'ws_main.contacts')).toBe(false);
    expect((await columns(t, 'accounts')).code).toBe('text');
    // The app still works on the old metadata.
    expect(
      (await t.call('POST', '/api/records/accounts', { name: 'Initech', code: 'x-1' })).status,
    ).toBe(201);
  });

  it('refuses a non-destructive change that the data refuses: unique over duplicates', async () => {
    await t.call('POST', '/api/records/accounts', { name: 'Acme' });
    const before = await everything(t);
    const r = await t.call('POST', '/api/meta/apply', {
      documents: [withField(accounts, 'name', { unique: true })],
    });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('DATA_CONFLICT');
    expect(r.body.error.details[0].path).toBe('accounts.name');
    expect(await everything(t)).toEqual(before);
    await sql`delete from ws_main.accounts where name = 'Acme' and code is null`.execute(
      t.handle.db,
    );
  });

  it('narrows a column when every value fits', async () => {
    await t.call('PATCH', `/api/records/accounts/${acme.id}`, { code: null, version: 1 });
    const current = (await t.call('GET', `/api/records/accounts/${acme.id}`)).body;
    await t.call('PATCH', `/api/records/accounts/${acme.id}`, {
      code: '77',
      version: current.version,
    });
    await sql`update ws_main.accounts set code = null where code not similar to '[0-9]+'`.execute(
      t.handle.db,
    );
    const r = await t.apply([withField(accounts, 'code', { type: 'integer' })], {
      allowDestructive: true,
    });
    expect(r.body.changed).toBe(true);
    expect((await columns(t, 'accounts')).code).toBe('bigint');
    expect(
      await rows(t, 'select name, code from ws_main.accounts where code is not null order by name'),
    ).toEqual([
      { name: 'Acme', code: 77 },
      { name: 'Globex', code: 12 },
    ]);
  });

  it('refuses to remove a module without allowDestructive, then keeps its table in the trash', async () => {
    const before = await everything(t);
    const refused = await t.call('POST', '/api/meta/apply', {
      documents: [],
      remove: ['module:deals'],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('DESTRUCTIVE_CHANGE');
    expect(refused.body.error.details).toEqual([
      { path: 'deals', message: expect.stringContaining('drop module deals') },
    ]);
    expect(await everything(t)).toEqual(before);

    const r = await t.apply([], { remove: ['module:deals'], allowDestructive: true });
    const rev = r.body.revision as number;
    const keys = r.body.steps
      .filter((s: Doc) => s.step.kind === 'delete_document')
      .map((s: Doc) => s.step.key);
    expect(keys.sort()).toEqual(['layout:deals.standard', 'module:deals', 'view:deals.open']);
    expect(await tableExists(t, 'ws_main.deals')).toBe(false);
    expect(await tableExists(t, `ws_main_trash.r${rev}__deals`)).toBe(true);
    expect(await rows(t, `select title, amount from ws_main_trash.r${rev}__deals`)).toEqual([
      { title: 'Big one', amount: 1000.5 },
    ]);
    expect(
      await rows(t, `select module, field, stored_as from ws_main._trash where revision = ${rev}`),
    ).toEqual([{ module: 'deals', field: null, stored_as: `ws_main_trash.r${rev}__deals` }]);
    const meta = (await t.call('GET', '/api/meta')).body;
    expect(meta.revision).toBe(rev);
    expect(
      meta.documents.map((d: Doc) => `${d.kind}:${d.module ?? d.name}.${d.name}`).sort(),
    ).toEqual(['module:accounts.accounts', 'view:accounts.all']);
    expect((await t.call('GET', '/api/records/deals')).status).toBe(404);
    const recorded = (await t.call('GET', `/api/meta/revisions/${rev}`)).body;
    expect(recorded.changes).toEqual(
      expect.arrayContaining([
        { key: 'module:deals', before: deals, after: null },
        { key: 'view:deals.open', before: dealsView, after: null },
      ]),
    );
    expect(recorded.summary).toContain('remove module:deals');
    expect(await rows(t, 'select key from ws_main._meta_documents order by key')).toEqual([
      { key: 'module:accounts' },
      { key: 'view:accounts.all' },
    ]);
  });

  it('can create a module again under the name of a dropped one', async () => {
    const r = await t.apply([deals, dealsView]);
    expect(r.body.changed).toBe(true);
    expect(await tableExists(t, 'ws_main.deals')).toBe(true);
    expect(await rows(t, 'select count(*)::int as n from ws_main.deals')).toEqual([{ n: 0 }]);
    expect(
      (await t.call('POST', '/api/records/deals', { title: 'Fresh', account: acme.id })).status,
    ).toBe(201);
  });

  it('removes everything not listed with replaceAll', async () => {
    const refused = await t.call('POST', '/api/meta/apply', {
      documents: [accounts],
      replaceAll: true,
    });
    expect(refused.status).toBe(409);
    const r = await t.apply([accounts], { replaceAll: true, allowDestructive: true });
    expect(r.body.changed).toBe(true);
    const meta = (await t.call('GET', '/api/meta')).body;
    expect(meta.documents).toEqual([accounts]);
    expect(await tableExists(t, 'ws_main.deals')).toBe(false);
    // The second drop of a module named deals sits next to the first one in the trash.
    const kept = await rows(
      t,
      `select stored_as from ws_main._trash where module = 'deals' order by id`,
    );
    expect(kept.map((k) => k.stored_as)).toEqual([
      expect.stringMatching(/^ws_main_trash\.r\d+__deals$/),
      `ws_main_trash.r${r.body.revision}__deals`,
    ]);
    for (const k of kept) expect(await tableExists(t, k.stored_as as string)).toBe(true);
    expect(await rows(t, `select title from ws_main_trash.r${r.body.revision}__deals`)).toEqual([
      { title: 'Fresh' },
    ]);
  });
});

describe('who may change metadata', () => {
  let t: TestApp;
  let user: string;
  beforeAll(async () => {
    t = await startTestApp();
    // The user sees the modules their profile allows (profiles themselves are for admins).
    await t.apply([accounts, fullProfile(['accounts'])]);
    user = await t.userToken('someone@example.com', { profile: 'full' });
  });
  afterAll(async () => t.close());

  it('lets any signed-in user read the metadata, but only an administrator plan or apply', async () => {
    const meta = await t.call('GET', '/api/meta', undefined, user);
    expect(meta.status).toBe(200);
    expect(meta.body.revision).toBe(1);
    expect(meta.body.documents).toEqual([accounts]);
    const before = await everything(t);
    for (const endpoint of ['plan', 'apply']) {
      const r = await t.call('POST', `/api/meta/${endpoint}`, { documents: [deals] }, user);
      expect(r.status, endpoint).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    expect(await everything(t)).toEqual(before);
    const admin = await t.userToken('second-admin@example.com', { admin: true });
    expect((await t.call('POST', '/api/meta/plan', { documents: [deals] }, admin)).status).toBe(
      200,
    );
  });
});

describe('several API nodes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('a second engine listening on the same database hears of a new revision', async () => {
    const handle = createDb(t.database.url);
    const other = await createEngine(handle.db, { workspace: 'main' });
    try {
      await other.metadata.listen(t.database.url);
      expect(other.metadata.current.revision).toBe(0);
      const r = await t.apply([accounts, deals]);
      const deadline = Date.now() + 5000;
      while (other.metadata.current.revision < r.body.revision && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(other.metadata.current.revision).toBe(r.body.revision);
      expect([...other.metadata.current.modules.keys()].sort()).toEqual(['accounts', 'deals']);
      // And a later change too.
      const r2 = await t.apply([withField(accounts, 'vip', { type: 'boolean' })]);
      const until = Date.now() + 5000;
      while (other.metadata.current.revision < r2.body.revision && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(other.metadata.current.modules.get('accounts')?.fields.has('vip')).toBe(true);
    } finally {
      await other.metadata.close();
      await handle.destroy();
    }
  });

  it('never labels documents older than the revision it read (a load racing an apply)', async () => {
    await t.apply([accounts], { allowDestructive: true });
    const handle = createDb(t.database.url);
    const cache = await MetadataCache.load(handle.db, 'ws_main');
    const start = cache.current.revision;
    const applier = new pg.Client({ connectionString: t.database.url });
    await applier.connect();
    try {
      // An apply under way. The lock only makes the interleaving certain: this node reads the
      // documents before the apply commits and the revision number after it.
      await applier.query('begin');
      await applier.query('lock table ws_main._meta_revisions in access exclusive mode');
      const body = withField(accounts, 'racing', { type: 'text' });
      await applier.query(
        `update ws_main._meta_documents set body = $1, revision = $2 where key = 'module:accounts'`,
        [JSON.stringify(body), start + 1],
      );
      await applier.query(
        `insert into ws_main._meta_revisions (n, summary, changes, steps) values ($1, 'race', '[]', '[]')`,
        [start + 1],
      );
      const loading = cache.refresh();
      await new Promise((resolve) => setTimeout(resolve, 200));
      await applier.query('commit');
      const snapshot = await loading;
      const fields = snapshot.modules.get('accounts')?.fields;
      if (snapshot.revision === start + 1) expect(fields?.has('racing')).toBe(true);
      else expect(fields?.has('racing')).toBe(false);
      const fresh = await cache.refresh(start + 1);
      expect(fresh.revision).toBe(start + 1);
      expect(fresh.modules.get('accounts')?.fields.has('racing')).toBe(true);
    } finally {
      await applier.end();
      await cache.close();
      await handle.destroy();
    }
  });
});
