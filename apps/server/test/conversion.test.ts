import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booted } from '../src/boot.js';
import { installTemplate } from '../src/templates.js';
import { fullProfile, type Reply, startTestApp, type TestApp } from './support/test-app.js';

/** A lead becomes an account, a contact and a deal in one transaction, through the write path. */
const STATUS = ['new', 'qualified', 'converted'].map((value) => ({ value }));
const LEADS = {
  kind: 'module',
  name: 'leads',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'company', type: 'text' },
    { name: 'email', type: 'email' },
    { name: 'budget', type: 'currency' },
    { name: 'status', type: 'picklist', required: true, default: 'new', options: STATUS },
    { name: 'converted_account', type: 'lookup', target: 'accounts' },
    { name: 'converted_contact', type: 'lookup', target: 'contacts' },
    { name: 'converted_deal', type: 'lookup', target: 'deals' },
  ],
};
const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true, maxLength: 50 }],
};
const CONTACTS = {
  kind: 'module',
  name: 'contacts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'email', type: 'email' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};
const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    { name: 'account', type: 'lookup', target: 'accounts', required: true },
    { name: 'contact', type: 'lookup', target: 'contacts' },
    {
      name: 'stage',
      type: 'picklist',
      default: 'qualification',
      options: [{ value: 'qualification' }, { value: 'won' }],
    },
  ],
  validationRules: [
    {
      name: 'no_negative_amount',
      when: { '<': [{ var: 'amount' }, 0] },
      field: 'amount',
      message: { en: 'An amount cannot be negative', 'zh-CN': '金额不能为负数' },
    },
  ],
};
const BLUEPRINT = {
  kind: 'blueprint',
  module: 'deals',
  name: 'pipeline',
  field: 'stage',
  transitions: [{ name: 'win', from: ['qualification'], to: 'won' }],
};
const CONVERSION = {
  kind: 'conversion',
  module: 'leads',
  name: 'lead_conversion',
  label: { en: 'Convert lead', 'zh-CN': '转化线索' },
  targets: [
    { module: 'accounts', fields: { name: 'company' }, match: 'name' },
    {
      module: 'contacts',
      fields: { name: 'name', email: 'email' },
      links: { account: 'accounts' },
    },
    {
      module: 'deals',
      fields: { name: 'company', amount: 'budget' },
      links: { account: 'accounts', contact: 'contacts' },
    },
  ],
  mark: {
    values: { status: 'converted' },
    links: {
      converted_account: 'accounts',
      converted_contact: 'contacts',
      converted_deal: 'deals',
    },
  },
};
const DOCUMENTS = [LEADS, ACCOUNTS, CONTACTS, DEALS, BLUEPRINT, CONVERSION];
const ALL = ['leads', 'accounts', 'contacts', 'deals'];

describe('lead conversion', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const ops = {
      create: true,
      read: true,
      update: true,
      delete: false,
      import: false,
      export: false,
    };
    const readOnly = { ...ops, create: false, update: false };
    await t.apply([
      ...DOCUMENTS,
      fullProfile(ALL),
      // May convert, but not create deals: only a conversion that skips them goes through.
      {
        kind: 'profile',
        name: 'no_deals',
        modules: { leads: ops, accounts: ops, contacts: ops, deals: readOnly },
      },
      // May read leads but not change them.
      {
        kind: 'profile',
        name: 'lead_reader',
        modules: { leads: readOnly, accounts: ops, contacts: ops, deals: ops },
      },
      { kind: 'sharing', module: 'leads', default: 'private' },
    ]);
  });
  afterAll(async () => t?.close());

  const lead = async (values: Record<string, unknown>, token?: string) => {
    const r = await t.call('POST', '/api/records/leads', values, token);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; version: number };
  };
  const convert = (id: string, body?: unknown, token?: string) =>
    t.call('POST', `/api/records/leads/${id}/convert`, body ?? {}, token);
  const paths = (r: Reply) => (r.body.error.details as { path: string }[]).map((d) => d.path);
  const count = async (module: string) =>
    (
      await sql<{
        n: number;
      }>`select count(*)::int as n from ${sql.table(`ws_main.${module}`)}`.execute(t.handle.db)
    ).rows[0]?.n;
  const counts = async () => ({
    accounts: await count('accounts'),
    contacts: await count('contacts'),
    deals: await count('deals'),
  });
  const leadRow = async (id: string) =>
    (
      await sql<{
        status: string;
        version: number;
        converted_deal: string | null;
      }>`select status, version, converted_deal from ws_main.leads where id = ${id}`.execute(
        t.handle.db,
      )
    ).rows[0];

  it('creates, links and marks in one call, through the write path', async () => {
    const l = await lead({
      name: 'Ada Li',
      company: 'Initech',
      email: 'ada@initech.example',
      budget: 1200,
    });
    const r = await convert(l.id, { deals: { name: 'Initech pilot', amount: 5000 } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { accounts, contacts, deals } = r.body.created;
    expect(r.body.matched).toBeUndefined();
    expect(accounts).toMatchObject({ name: 'Initech', version: 1 });
    expect(contacts).toMatchObject({
      name: 'Ada Li',
      email: 'ada@initech.example',
      account: accounts.id,
    });
    // The override wins over the mapping; the blueprint puts the deal in its initial state.
    expect(deals).toMatchObject({
      name: 'Initech pilot',
      amount: 5000,
      account: accounts.id,
      contact: contacts.id,
      stage: 'qualification',
    });
    expect(r.body.source).toMatchObject({
      id: l.id,
      status: 'converted',
      converted_account: accounts.id,
      converted_contact: contacts.id,
      converted_deal: deals.id,
      version: 2,
    });
    // The source's history says what it became; each target's says it was created.
    const history = await t.call('GET', `/api/records/leads/${l.id}/history`);
    expect(history.body.data[0].action).toBe('update');
    expect(history.body.data[0].changes).toMatchObject({
      status: { from: 'new', to: 'converted' },
      converted_deal: { from: null, to: deals.id },
    });
    const dealHistory = await t.call('GET', `/api/records/deals/${deals.id}/history`);
    expect(dealHistory.body.data.map((e: { action: string }) => e.action)).toEqual(['create']);
    // Stored, not only answered.
    const stored = await t.call('GET', `/api/records/contacts/${contacts.id}?expand=account`);
    expect(stored.body.account).toMatchObject({ id: accounts.id, name: 'Initech' });
  });

  it('uses an existing account of the same name (ignoring case) instead of a duplicate', async () => {
    const existing = (await t.call('POST', '/api/records/accounts', { name: 'Globex Corp' })).body;
    const l = await lead({ name: 'Hank Scorpio', company: 'GLOBEX corp', budget: 10 });
    const before = await counts();
    const r = await convert(l.id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.matched.accounts).toMatchObject({ id: existing.id, name: 'Globex Corp' });
    expect(r.body.created.accounts).toBeUndefined();
    expect(r.body.created.contacts.account).toBe(existing.id);
    expect(r.body.created.deals).toMatchObject({ account: existing.id, name: 'GLOBEX corp' });
    expect(r.body.source.converted_account).toBe(existing.id);
    expect(await counts()).toEqual({
      accounts: before.accounts,
      contacts: (before.contacts ?? 0) + 1,
      deals: (before.deals ?? 0) + 1,
    });
  });

  it('rolls everything back on a refusal and names the path under the module', async () => {
    const l = await lead({ name: 'Neg Ative', company: 'Minus Ltd' });
    const before = await counts();
    const r = await convert(l.id, { deals: { amount: -5 } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(r)).toEqual(['deals.amount']);
    expect(await counts()).toEqual(before);
    expect(await leadRow(l.id)).toMatchObject({ status: 'new', version: 1, converted_deal: null });

    // A value the target refuses by its own rules (maxLength 50), from the mapping this time.
    const long = await lead({ name: 'Long', company: 'x'.repeat(60) });
    const tooLong = await convert(long.id);
    expect(tooLong.status).toBe(400);
    expect(paths(tooLong)).toEqual(['accounts.name']);

    // No company: the account has no name, and the deal no account once the account is skipped.
    const bare = await lead({ name: 'No Company' });
    const noName = await convert(bare.id);
    expect(paths(noName)).toEqual(['accounts.name']);
    const noAccount = await convert(bare.id, { accounts: false, deals: { name: 'Orphan' } });
    expect(noAccount.status).toBe(400);
    expect(paths(noAccount)).toEqual(['deals.account']);
    // A target's blueprint state cannot be skipped by an override either.
    const won = await convert(bare.id, {
      accounts: { name: 'Bare Inc' },
      deals: { name: 'Bare deal', stage: 'won' },
    });
    expect(won.status, JSON.stringify(won.body)).toBe(409);
    expect(won.body.error.code).toBe('BLUEPRINT_FIELD');
    expect(paths(won)).toEqual(['deals.stage']);
    expect(await counts()).toEqual(before);
    expect(await leadRow(bare.id)).toMatchObject({ status: 'new', version: 1 });
  });

  it('refuses a second conversion with a clear 409, in the caller’s language', async () => {
    const l = await lead({ name: 'Twice', company: 'Twice Co' });
    expect((await convert(l.id)).status).toBe(200);
    const before = await counts();
    const again = await convert(l.id);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('ALREADY_CONVERTED');
    expect(paths(again)).toEqual(['id']);
    const zh = await t.app.inject({
      method: 'POST',
      url: `/api/records/leads/${l.id}/convert`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
      payload: {},
    });
    expect(zh.statusCode).toBe(409);
    expect(zh.json().error.message).toBe('该记录已转化');
    expect(await counts()).toEqual(before);

    // Marked by hand as converted counts too; two at once: one wins, the other gets the 409.
    const manual = await lead({ name: 'Manual', company: 'Manual Co', status: 'converted' });
    expect((await convert(manual.id)).status).toBe(409);
    const race = await lead({ name: 'Race', company: 'Race Co' });
    const both = await Promise.all([convert(race.id), convert(race.id)]);
    expect(both.map((x) => x.status).sort()).toEqual([200, 409]);
    const raced = await sql<{
      n: number;
    }>`select count(*)::int as n from ws_main.deals where name = 'Race Co'`.execute(t.handle.db);
    expect(raced.rows[0]?.n).toBe(1);
  });

  it('checks the version the caller read, skips targets asked to, and refuses unknown ones', async () => {
    const l = await lead({ name: 'Versioned', company: 'Version AG' });
    const stale = await convert(l.id, { version: 7 });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('VERSION_CONFLICT');
    const bad = await convert(l.id, { tasks: {}, deals: 'no', version: 'x' });
    expect(bad.status).toBe(400);
    expect(paths(bad).sort()).toEqual(['deals', 'tasks', 'version']);
    const none = await convert(l.id, { accounts: false, contacts: false, deals: false });
    expect(none.status).toBe(400);
    const r = await convert(l.id, { version: 1, deals: false });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body.created).sort()).toEqual(['accounts', 'contacts']);
    expect(r.body.source).toMatchObject({ status: 'converted', converted_deal: null });
    const gone = await convert('0190a3c4-0000-7000-8000-000000000000');
    expect(gone.status).toBe(404);
  });

  it('needs create on each target and update on the source, and honours record scope', async () => {
    const full = await t.userToken('full@example.com', { profile: 'full' });
    const noDeals = await t.userToken('nodeals@example.com', { profile: 'no_deals' });
    const reader = await t.userToken('reader@example.com', { profile: 'lead_reader' });

    const mine = await lead({ name: 'Mine', company: 'Mine GmbH' }, noDeals);
    const before = await counts();
    const refused = await convert(mine.id, {}, noDeals);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(paths(refused)).toEqual(['deals']);
    expect(await counts()).toEqual(before);
    // Skipping what they may not create goes through.
    const skipped = await convert(mine.id, { deals: false }, noDeals);
    expect(skipped.status, JSON.stringify(skipped.body)).toBe(200);
    expect(skipped.body.created.accounts.owner_id).toBe(skipped.body.source.owner_id);

    // Read-only on the source: 403; someone else's private lead: 404, as on a read.
    const other = await lead({ name: 'Theirs', company: 'Theirs SA' }, full);
    const readOnly = await convert(other.id, {}, reader);
    expect(readOnly.status).toBe(403);
    const hidden = await convert(other.id, { deals: false }, noDeals);
    expect(hidden.status).toBe(404);
    expect(await leadRow(other.id)).toMatchObject({ status: 'new', version: 1 });

    // The admin's lead is outside `full`'s private scope; their own converts.
    const ok = await convert(other.id, {}, full);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
  });

  it('describes the route in the OpenAPI of modules that have a conversion', async () => {
    const spec = (await t.call('GET', '/api/openapi.json')).body;
    const op = spec.paths['/api/records/leads/{id}/convert']?.post;
    expect(op?.operationId).toBe('convertLeads');
    expect(Object.keys(op.responses)).toEqual(['200', '400', '401', '403', '404', '409']);
    expect(spec.components.schemas.LeadsConversion.properties.created.properties.deals).toEqual({
      $ref: '#/components/schemas/Deals',
    });
    expect(spec.paths['/api/records/deals/{id}/convert']).toBeUndefined();
    const reader = await t.userToken('reader2@example.com', { profile: 'lead_reader' });
    const theirs = (await t.call('GET', '/api/openapi.json', undefined, reader)).body;
    expect(theirs.paths['/api/records/leads/{id}/convert']).toBeUndefined();
  });

  it('checks the document at apply: modules, fields, types and links', async () => {
    const refuse = async (doc: unknown) => {
      const r = await t.call('POST', '/api/meta/apply', { documents: [doc] });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_METADATA');
      return (r.body.error.details as { path: string; message: string }[]).map(
        (d) => `${d.path}: ${d.message}`,
      );
    };
    const target = (t: Record<string, unknown>) => ({
      ...CONVERSION,
      targets: [t],
      mark: { values: { status: 'converted' } },
    });
    expect(await refuse(target({ module: 'nope' }))).toEqual([
      'documents[0].targets[0].module: no module named "nope"',
    ]);
    expect(
      await refuse(target({ module: 'deals', fields: { amount: 'company', name: 'nada' } })),
    ).toEqual([
      'documents[0].targets[0].fields.amount: leads.company cannot fill deals.amount: text is not a number',
      'documents[0].targets[0].fields.name: unknown field "nada" in module leads',
    ]);
    expect(await refuse(target({ module: 'deals', links: { contact: 'contacts' } }))).toEqual([
      'documents[0].targets[0].links.contact: "contacts" must be a target listed before deals',
    ]);
    expect(await refuse(target({ module: 'contacts', values: { email: 'not mail' } }))).toEqual([
      'documents[0].targets[0].values.email: is not a valid email value',
    ]);
    // Same name as the stored one would replace it; another name is a second conversion.
    const second = await refuse({ ...target({ module: 'accounts' }), name: 'second' });
    expect(second[0]).toContain('already has the conversion');
    const unmarked = await refuse({ ...target({ module: 'accounts' }), mark: {} });
    expect(unmarked.some((p) => p.includes('cannot be converted twice'))).toBe(true);
  });

  // Last: from here on the leads' status follows a blueprint.
  it('moves a source whose mark field follows a blueprint through its transition', async () => {
    await t.apply([
      {
        kind: 'blueprint',
        module: 'leads',
        name: 'lead_process',
        field: 'status',
        transitions: [
          { name: 'qualify', from: ['new'], to: 'qualified' },
          { name: 'convert', from: ['qualified'], to: 'converted' },
        ],
      },
    ]);
    const l = await lead({ name: 'Process', company: 'Process plc' });
    const before = await counts();
    const early = await convert(l.id);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('BLUEPRINT_FIELD');
    expect(paths(early)).toEqual(['leads.status']);
    expect(early.body.error.details[0].message).toContain('(qualify)');
    expect(await counts()).toEqual(before);

    const q = await t.call('POST', `/api/records/leads/${l.id}/transitions/qualify`, {
      version: 1,
    });
    expect(q.status).toBe(200);
    const r = await convert(l.id);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.source).toMatchObject({ status: 'converted', version: 3 });
  });
});

describe('lead conversion in the b2b-sales template', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    const booted = { handle: t.handle, engine: t.engine } as unknown as Booted;
    await installTemplate(booted, 'b2b-sales', () => {});
  });
  afterAll(async () => t?.close());

  it('turns a sample lead into an account, a contact and a deal, matching the account', async () => {
    const leads = (await t.call('GET', '/api/records/leads?limit=200')).body.data as {
      id: string;
      company: string;
      status: string;
    }[];
    const lead = leads.find((l) => l.status === 'new' || l.status === 'qualified');
    expect(lead).toBeDefined();
    const r = await t.call('POST', `/api/records/leads/${lead?.id}/convert`, {
      deals: { amount: 80000 },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { contacts, deals } = r.body.created;
    const account = r.body.created.accounts ?? r.body.matched.accounts;
    expect(account.name.toLowerCase()).toBe(lead?.company.toLowerCase());
    expect(contacts.account).toBe(account.id);
    expect(deals).toMatchObject({
      account: account.id,
      contact: contacts.id,
      stage: 'qualification',
    });
    expect(r.body.source).toMatchObject({ status: 'converted', converted_deal: deals.id });

    // A second lead of the same company finds that account instead of making another.
    const twin = await t.call('POST', '/api/records/leads', {
      name: 'Second Contact',
      company: String(lead?.company).toUpperCase(),
    });
    const again = await t.call('POST', `/api/records/leads/${twin.body.id}/convert`, {});
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body.matched.accounts.id).toBe(account.id);
  });

  it('lets a sales rep convert their own lead, as their profile allows', async () => {
    const { hashPassword } = await import('@atrium/engine');
    const hash = await hashPassword('pw-pw-pw-pw');
    await sql`update atrium.users set password_hash = ${hash}
      where email = 'rep.li@b2b-sales.example'`.execute(t.handle.db);
    const login = await t.call(
      'POST',
      '/api/auth/login',
      { email: 'rep.li@b2b-sales.example', password: 'pw-pw-pw-pw' },
      null,
    );
    const rep = login.body.token as string;
    const lead = await t.call(
      'POST',
      '/api/records/leads',
      { name: 'Rep Lead', company: 'Rep Works Ltd', email: 'rep@works.example' },
      rep,
    );
    expect(lead.status).toBe(201);
    const r = await t.call('POST', `/api/records/leads/${lead.body.id}/convert`, {}, rep);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    // Theirs, and the account's revenue stays hidden from them in the answer too.
    expect(r.body.created.deals.owner_id).toBe(login.body.user.id);
    expect(r.body.created.accounts).not.toHaveProperty('annual_revenue');
    // Their colleague's leads are private: 404, as on a read.
    const others = (await t.call('GET', '/api/records/leads?limit=200')).body.data.filter(
      (l: { owner_id: string; status: string }) =>
        l.owner_id !== login.body.user.id && l.status !== 'converted',
    );
    const theirs = await t.call('POST', `/api/records/leads/${others[0].id}/convert`, {}, rep);
    expect(theirs.status).toBe(404);
  });
});
