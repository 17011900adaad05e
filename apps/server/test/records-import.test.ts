import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** POST /api/records/:module/import: rows of a sheet created through the bulk write path. */
const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  label: { en: 'Account', 'zh-CN': '客户' },
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', label: { en: 'Account name', 'zh-CN': '客户名称' } }],
};
const DEALS = {
  kind: 'module',
  name: 'deals',
  label: { en: 'Deal', 'zh-CN': '商机' },
  recordName: 'name',
  defaultCurrency: 'EUR',
  fields: [
    { name: 'name', type: 'text', required: true, label: { en: 'Deal name', 'zh-CN': '商机名称' } },
    { name: 'amount', type: 'currency', label: { en: 'Amount', 'zh-CN': '金额' } },
    {
      name: 'stage',
      type: 'picklist',
      label: { en: 'Stage', 'zh-CN': '阶段' },
      options: [
        { value: 'new', label: { en: 'New', 'zh-CN': '新建' } },
        { value: 'won', label: { en: 'Closed won', 'zh-CN': '赢单' } },
      ],
    },
    { name: 'closes', type: 'date', label: { en: 'Closes', 'zh-CN': '预计成交' } },
    { name: 'signed_at', type: 'datetime', label: { en: 'Signed at', 'zh-CN': '签约时间' } },
    { name: 'hot', type: 'boolean', label: { en: 'Hot', 'zh-CN': '重点' } },
    {
      name: 'regions',
      type: 'multipicklist',
      label: { en: 'Regions', 'zh-CN': '区域' },
      options: [
        { value: 'north', label: { en: 'North', 'zh-CN': '北区' } },
        { value: 'south', label: { en: 'South', 'zh-CN': '南区' } },
      ],
    },
    {
      name: 'account',
      type: 'lookup',
      target: 'accounts',
      label: { en: 'Account', 'zh-CN': '客户' },
    },
    { name: 'seats', type: 'integer', label: { en: 'Seats', 'zh-CN': '席位' } },
    { name: 'note', type: 'text', label: { en: 'Note', 'zh-CN': '备注' } },
    { name: 'code', type: 'text', unique: true },
  ],
};
const LEADS = {
  kind: 'module',
  name: 'leads',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text' },
    {
      name: 'status',
      type: 'picklist',
      options: [
        { value: 'new', label: { en: 'New', 'zh-CN': '新线索' } },
        { value: 'qualified', label: { en: 'Qualified', 'zh-CN': '已确认' } },
      ],
    },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: true, export: true };
const DOCS = [
  ACCOUNTS,
  DEALS,
  LEADS,
  {
    kind: 'blueprint',
    module: 'leads',
    name: 'flow',
    field: 'status',
    transitions: [{ name: 'qualify', from: ['new'], to: 'qualified' }],
  },
  {
    kind: 'automation',
    module: 'deals',
    name: 'mark_hot',
    trigger: { on: 'create' },
    when: { '>': [{ var: 'amount' }, 1000] },
    actions: [{ type: 'update_fields', values: { note: 'big' } }],
  },
  {
    kind: 'profile',
    name: 'sales',
    modules: { deals: all, accounts: all },
    fields: { deals: { code: 'hidden', seats: 'read' } },
  },
  { kind: 'sharing', module: 'accounts', default: 'private' },
  {
    kind: 'profile',
    name: 'no_import',
    modules: { deals: { ...all, import: false }, accounts: all },
  },
];

describe('records: import', () => {
  let t: TestApp;
  let acme: string;
  let noImport: string;
  let rep: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply(DOCS);
    noImport = await t.userToken('noimp@example.com', { profile: 'no_import' });
    rep = await t.userToken('rep@example.com', { profile: 'sales' });
    acme = (await t.call('POST', '/api/records/accounts', { name: 'Acme' })).body.id;
    await t.call('POST', '/api/records/accounts', { name: 'Twin' });
    await t.call('POST', '/api/records/accounts', { name: 'Twin' });
  });
  afterAll(async () => t?.close());

  const importCsv = (csv: string, query = '', token = t.token, lang?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/records/deals/import${query ? `?${query}` : ''}`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'text/csv; charset=utf-8',
        ...(lang && { 'accept-language': lang }),
      },
      payload: csv,
    });
  const count = async (): Promise<number> =>
    (await sql<{ n: number }>`select count(*)::int as n from ws_main.deals`.execute(t.handle.db))
      .rows[0]?.n ?? 0;
  const paths = (body: { error: { details: { path: string }[] } }) =>
    body.error.details.map((d) => d.path).sort();

  it('creates records from CSV with zh-CN headings, option labels, lookups by name and users by e-mail', async () => {
    const csv = [
      '\uFEFF商机名称,金额,阶段,预计成交,签约时间,重点,区域,客户,负责人,席位',
      '"Deal, one",1234.50,赢单,2026-3-1,2026-02-27 08:30,是,北区; South,Acme,rep@example.com,"1,200"',
      'Deal two,,new,,,否,,,,',
    ].join('\r\n');
    const r = await importCsv(csv, '', t.token, 'zh-CN');
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body.created).toBe(2);
    expect(body.ids).toHaveLength(2);
    const one = (await t.call('GET', `/api/records/deals/${body.ids[0]}`)).body;
    const repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id;
    expect(one).toMatchObject({
      name: 'Deal, one',
      amount: 1234.5,
      stage: 'won',
      closes: '2026-03-01',
      signed_at: '2026-02-27T08:30:00.000Z',
      hot: true,
      regions: ['north', 'south'],
      account: acme,
      owner_id: repId,
      seats: 1200,
      currency_code: 'EUR',
      // The automation ran on the imported record as on a create from the API.
      note: 'big',
    });
    const two = (await t.call('GET', `/api/records/deals/${body.ids[1]}`)).body;
    expect(two).toMatchObject({ name: 'Deal two', stage: 'new', hot: false, note: null });
    // Written through the write path: each has its history entry; the import is audited.
    const history = await sql<{ n: number }>`select count(*)::int as n from ws_main._history
      where record_id = any(${body.ids}::uuid[]) and action = 'create'`.execute(t.handle.db);
    expect(history.rows[0]?.n).toBe(2);
    const audit = await sql<{ details: { created: number } }>`select details from atrium.audit_log
      where action = 'record.import'`.execute(t.handle.db);
    expect(audit.rows.map((a) => a.details.created)).toEqual([2]);
  });

  it('refuses the whole file when a row is bad, at rows[i].field, in the caller’s language', async () => {
    const before = await count();
    const csv = [
      'Deal name,Amount,Stage,Account,Hot,Closes,Nonsense',
      'Fine,10,New,Acme,yes,2026-01-01,x',
      'Bad amount,ten,New,,no,,',
      ',5,Lost,Nowhere,maybe,2026-02-30,',
      'Twin deal,1,New,Twin,,,',
    ].join('\n');
    const r = await importCsv(csv, '', t.token, 'zh-CN');
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(body)).toEqual([
      'headings[6]',
      'rows[1].amount',
      'rows[2].account',
      'rows[2].closes',
      'rows[2].hot',
      'rows[2].name',
      'rows[2].stage',
      'rows[3].account',
    ]);
    const byPath = Object.fromEntries(
      body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
    );
    expect(byPath['rows[1].amount']).toBe('“ten”不是数字');
    expect(byPath['rows[3].account']).toBe('有 2 条 客户 记录名为“Twin”，请改用 ID');
    expect(byPath['headings[6]']).toContain('Nonsense');
    expect(await count()).toBe(before);
    // Mapped to null, the unknown column is skipped; a duplicate unique value still refuses all.
    await t.call('POST', '/api/records/deals', { name: 'Taken', code: 'C1' });
    const dup = await importCsv(
      ['Deal name,code,Nonsense', 'New one,C2,x', 'Other,C1,y'].join('\n'),
      `mapping=${encodeURIComponent(JSON.stringify({ Nonsense: null }))}`,
    );
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({
      code: 'DUPLICATE_VALUE',
      details: [{ path: 'rows[1].code' }],
    });
    expect(await count()).toBe(before + 1);
  });

  it('holds a blueprint’s rule: a record starts in the initial stage', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/api/records/leads/import',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/csv' },
      payload: 'name,status\nFresh,新线索\nSkipped ahead,Qualified\n',
    });
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toMatchObject({
      code: 'BLUEPRINT_FIELD',
      details: [{ path: 'rows[1].status' }],
    });
    const leads = await sql<{ n: number }>`select count(*)::int as n from ws_main.leads`.execute(
      t.handle.db,
    );
    expect(leads.rows[0]?.n).toBe(0);
  });

  it('finds lookups only among the records the caller may read', async () => {
    const byName = await importCsv('Deal name,Account\nMine,Acme', '', rep);
    expect(byName.statusCode).toBe(400);
    expect(byName.json().error.details).toEqual([
      { path: 'rows[0].account', message: 'no Account record named "Acme" that you may read' },
    ]);
    const byId = await importCsv(`Deal name,Account\nMine,${acme}`, '', rep);
    expect(byId.statusCode).toBe(400);
    expect(byId.json().error.details[0].path).toBe('rows[0].account');
    const own = await t.call('POST', '/api/records/accounts', { name: 'Rep Corp' }, rep);
    const found = await importCsv('Deal name,Account\nMine,rep corp', '', rep);
    expect(found.statusCode, found.body).toBe(201);
    const deal = await t.call('GET', `/api/records/deals/${found.json().ids[0]}`, undefined, rep);
    expect(deal.body.account).toBe(own.body.id);
  });

  it('holds the caller’s field masks: a hidden field is no column, a read-only one is refused', async () => {
    const hidden = await importCsv('Deal name,code\nMine,C9', '', rep);
    expect(hidden.statusCode).toBe(400);
    expect(hidden.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'headings[1]',
    ]);
    const readOnly = await importCsv('Deal name,Seats\nMine,3', '', rep);
    expect(readOnly.statusCode).toBe(400);
    expect(readOnly.json().error.details.map((d: { path: string }) => d.path)).toEqual([
      'rows[0].seats',
    ]);
  });

  it('runs a dry run through every step and writes nothing', async () => {
    const before = await count();
    const r = await t.call('POST', '/api/records/deals/import?dryRun=true', {
      rows: [{ Title: 'Dry', Amount: '5000', Stage: 'Closed won' }],
      mapping: { Title: 'name' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ dryRun: true, created: 0, ids: [] });
    expect(r.body.records).toHaveLength(1);
    expect(r.body.records[0]).toMatchObject({
      name: 'Dry',
      amount: 5000,
      stage: 'won',
      note: 'big',
    });
    expect(await count()).toBe(before);
    const history = await sql<{ n: number }>`select count(*)::int as n from ws_main._history
      where record_id = ${r.body.records[0].id}`.execute(t.handle.db);
    expect(history.rows[0]?.n).toBe(0);
  });

  it('needs the import right, and caps the rows of one request', async () => {
    const r = await importCsv('Deal name\nX', '', noImport);
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatchObject({ code: 'FORBIDDEN', details: [{ path: 'deals' }] });
    const ok = await importCsv('Deal name\nBy a rep', '', rep);
    expect(ok.statusCode, ok.body).toBe(201);
    const rows = Array.from({ length: 5001 }, (_, i) => ({ name: `R${i}` }));
    const many = await t.call('POST', '/api/records/deals/import', { rows });
    expect(many.status).toBe(413);
    expect(many.body.error.details[0]).toMatchObject({ path: 'rows' });
    expect(many.body.error.details[0].message).toContain('5000');
    const none = await importCsv('Deal name\n');
    expect(none.statusCode).toBe(400);
    const badMapping = await importCsv('Deal name\nX', 'mapping=%7Bnot');
    expect(badMapping.json().error.details[0].path).toBe('mapping');
    const quote = await importCsv('Deal name\n"open');
    expect(quote.json().error.details[0]).toMatchObject({ path: '(body)' });
    const stray = await importCsv(
      'Deal name\nX',
      `mapping=${encodeURIComponent(JSON.stringify({ Title: 'name' }))}`,
    );
    expect(stray.statusCode).toBe(400);
    expect(stray.json().error.details[0]).toMatchObject({ path: 'mapping.Title' });
    const shifted = await importCsv('Deal name,Amount\nA,1\nB,1,2');
    expect(shifted.json().error.details[0]).toMatchObject({ path: 'rows[1]' });
    const stranger = await t.call('POST', '/api/records/deals/import', { rows: [{}], colums: {} });
    expect(stranger.body.error.details[0]).toMatchObject({ path: 'colums' });
    // CSV is for the import alone: a create refuses it as it refuses any body but JSON.
    const create = await t.app.inject({
      method: 'POST',
      url: '/api/records/deals',
      headers: { authorization: `Bearer ${t.token}`, 'content-type': 'text/csv' },
      payload: 'name\nX',
    });
    expect(create.statusCode).toBe(415);
    expect(create.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('imports back a file it exported, giving equal records', async () => {
    await t.call('POST', '/api/records/deals', { name: '@risky', note: '=1+1', seats: -3 });
    const filter = encodeURIComponent(
      JSON.stringify({ in: [{ var: 'name' }, ['Deal, one', '@risky']] }),
    );
    const exported = await t.app.inject({
      method: 'GET',
      url: `/api/records/deals/export?filter=${filter}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
    });
    expect(exported.statusCode).toBe(200);
    const r = await importCsv(exported.rawPayload.toString('utf8'));
    expect(r.statusCode, r.body).toBe(201);
    const body = r.json();
    expect(body.created).toBe(2);
    expect(body.ignored).toEqual(['ID', '创建时间', '修改时间']);
    const fields = [
      'name',
      'amount',
      'stage',
      'closes',
      'signed_at',
      'hot',
      'regions',
      'account',
      'seats',
      'note',
      'code',
      'currency_code',
      'owner_id',
    ];
    const pick = (row: Record<string, unknown>) =>
      Object.fromEntries(fields.map((f) => [f, row[f]]));
    const list = (await t.call('GET', `/api/records/deals?filter=${filter}&sort=name,created_at`))
      .body.data as Record<string, unknown>[];
    expect(list.map((d) => d.name)).toEqual(['@risky', '@risky', 'Deal, one', 'Deal, one']);
    const [a, b, c, d] = list.map(pick);
    expect(a).toMatchObject({ note: '=1+1', seats: -3 });
    expect(b).toEqual(a);
    expect(d).toEqual(c);
    expect([...body.ids].sort()).toEqual([list[1]?.id, list[3]?.id].sort());
  });
});
