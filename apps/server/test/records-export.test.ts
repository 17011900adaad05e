import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

/** GET /api/records/:module/export: the list's records as a CSV or XLSX file. */
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
  pluralLabel: { en: 'Deals', 'zh-CN': '商机' },
  recordName: 'name',
  defaultCurrency: 'EUR',
  fields: [
    { name: 'name', type: 'text', label: { en: 'Deal name', 'zh-CN': '商机名称' } },
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
    { name: 'margin', type: 'integer', label: { en: 'Margin', 'zh-CN': '利润' } },
    { name: 'note', type: 'text', label: { en: 'Note', 'zh-CN': '备注' } },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: true, export: true };
const DOCS = [
  ACCOUNTS,
  DEALS,
  { kind: 'role', name: 'rep' },
  {
    kind: 'profile',
    name: 'sales',
    modules: { deals: all, accounts: all },
    fields: { deals: { margin: 'hidden' } },
  },
  { kind: 'profile', name: 'no_export', modules: { deals: { ...all, export: false } } },
  { kind: 'sharing', module: 'deals', default: 'private' },
  {
    kind: 'view',
    module: 'deals',
    name: 'won',
    type: 'table',
    filter: { '==': [{ var: 'stage' }, 'won'] },
    columns: ['name', 'amount'],
  },
];

/** exceljs, as the engine (which writes the files) has it: read a workbook back. */
const exceljs = createRequire(new URL('../../../packages/engine/package.json', import.meta.url))(
  'exceljs',
) as {
  Workbook: new () => {
    xlsx: { load(data: Buffer): Promise<unknown> };
    worksheets: { name: string; getSheetValues(): unknown[] }[];
  };
};

/** The lines of a CSV export (none of the values here hold a comma or a quote). */
const csvLines = (payload: Buffer) => {
  expect([...payload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = payload.toString('utf8').slice(1);
  expect(text.endsWith('\r\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\r\n')
    .map((l) => l.split(','));
};

describe('records: export', () => {
  let t: TestApp;
  let rep: string;
  let repId: string;
  let noExport: string;
  let acme: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply(DOCS);
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
    noExport = await t.userToken('nox@example.com', { role: 'rep', profile: 'no_export' });
    repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id;
    acme = (await t.call('POST', '/api/records/accounts', { name: 'Acme' })).body.id;
    const first = await t.call('POST', '/api/records/deals', {
      name: 'Big one',
      amount: 1234.5,
      stage: 'won',
      closes: '2026-03-01',
      signed_at: '2026-02-27T08:30:00.000Z',
      hot: true,
      regions: ['north', 'south'],
      account: acme,
      margin: 40,
      note: '=cmd',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    // Three pages of 1,000 and more, written as bulk creates.
    for (let start = 0; start < 2500; start += 1000) {
      const create = Array.from({ length: Math.min(1000, 2500 - start) }, (_, i) => ({
        name: `Deal ${String(start + i).padStart(4, '0')}`,
        amount: start + i,
        stage: 'new',
      }));
      const r = await t.call('POST', '/api/records/deals/bulk', { create });
      expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
    }
    for (const name of ['Rep A', 'Rep B'])
      await t.call('POST', '/api/records/deals', { name, stage: 'won' }, rep);
  });
  afterAll(async () => t?.close());

  const exportOf = (query: string, token = t.token, lang?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/records/deals/export${query ? `?${query}` : ''}`,
      headers: { authorization: `Bearer ${token}`, ...(lang && { 'accept-language': lang }) },
    });

  it('writes every record the list pages through as CSV, values as a person reads them', async () => {
    const r = await exportOf('sort=name');
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(r.headers['content-disposition']).toMatch(
      /^attachment; filename="deals-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = csvLines(r.rawPayload);
    expect(lines[0]).toEqual([
      'ID',
      'Deal name',
      'Amount',
      'Stage',
      'Closes',
      'Signed at',
      'Hot',
      'Regions',
      'Account',
      'Margin',
      'Note',
      'Currency',
      'Owner',
      'Created at',
      'Updated at',
    ]);
    // 2,500 bulk records, the first one and the rep's two: more than two pages of 1,000.
    expect(lines).toHaveLength(1 + 2503);
    const big = lines.find((l) => l[1] === 'Big one') as string[];
    expect(big.slice(1, 13)).toEqual([
      'Big one',
      '1234.5',
      'Closed won',
      '2026-03-01',
      '2026-02-27T08:30:00.000Z',
      'Yes',
      'North; South',
      'Acme',
      '40',
      "'=cmd",
      'EUR',
      'Admin <admin@example.com>',
    ]);
    // Sorted as asked, through every page: the list's own order.
    const names = lines.slice(1).map((l) => l[1]);
    expect(names).toEqual(
      [...names].sort((a, b) => (a as string).localeCompare(b as string, 'en')),
    );
    expect(new Set(lines.slice(1).map((l) => l[0])).size).toBe(2503);
  });

  it('speaks the caller’s language and honours filter, q, fields and view as the list does', async () => {
    const zh = await exportOf(
      `filter=${filterParam({ '==': [{ var: 'stage' }, 'won'] })}&fields=name,stage,hot`,
      t.token,
      'zh-CN',
    );
    expect(zh.statusCode).toBe(200);
    const lines = csvLines(zh.rawPayload);
    expect(lines[0]).toEqual(['ID', '商机名称', '阶段', '重点']);
    expect(
      lines
        .slice(1)
        .map((l) => l.slice(1))
        .sort(),
    ).toEqual([
      ['Big one', '赢单', '是'],
      ['Rep A', '赢单', ''],
      ['Rep B', '赢单', ''],
    ]);
    const view = csvLines((await exportOf('view=won&q=Big')).rawPayload);
    expect(view.map((l) => l.slice(1))).toEqual([
      ['Deal name', 'Amount', 'Currency'],
      ['Big one', '1234.5', 'EUR'],
    ]);
    const bad = await exportOf('format=pdf');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].path).toBe('format');
    const badField = await exportOf('fields=nope');
    expect(badField.statusCode).toBe(400);
    expect(badField.json().error.details[0].path).toBe('fields');
  });

  it('writes XLSX that reads back with the same values, numbers as numbers', async () => {
    const r = await exportOf(
      `format=xlsx&filter=${filterParam({ '==': [{ var: 'name' }, 'Big one'] })}`,
    );
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const book = new exceljs.Workbook();
    await book.xlsx.load(r.rawPayload);
    const sheet = book.worksheets[0];
    expect(sheet?.name).toBe('Deals');
    const values = (sheet?.getSheetValues() ?? [])
      .slice(1)
      .map((row) => (row as unknown[]).slice(1));
    expect(values).toHaveLength(2);
    expect(values[0]?.slice(1, 12)).toEqual([
      'Deal name',
      'Amount',
      'Stage',
      'Closes',
      'Signed at',
      'Hot',
      'Regions',
      'Account',
      'Margin',
      'Note',
      'Currency',
    ]);
    expect(values[1]?.slice(1, 13)).toEqual([
      'Big one',
      1234.5,
      'Closed won',
      '2026-03-01',
      '2026-02-27T08:30:00.000Z',
      'Yes',
      'North; South',
      'Acme',
      40,
      '=cmd',
      'EUR',
      'Admin <admin@example.com>',
    ]);
  });

  it('gives a rep only the records they may read, without hidden fields, and audits it', async () => {
    const r = await exportOf('', rep);
    expect(r.statusCode, r.body.slice(0, 300)).toBe(200);
    const lines = csvLines(r.rawPayload);
    expect(lines[0]).not.toContain('Margin');
    expect(
      lines
        .slice(1)
        .map((l) => l[1])
        .sort(),
    ).toEqual(['Rep A', 'Rep B']);
    expect(lines[1]).toContain('rep@example.com');
    const audit = await sql<{ actor_id: string; target: string; details: Record<string, unknown> }>`
      select actor_id, target, details from atrium.audit_log where action = 'record.export'
      order by id desc limit 1`.execute(t.handle.db);
    expect(audit.rows[0]).toMatchObject({
      actor_id: repId,
      target: 'deals',
      details: { records: 2, format: 'csv' },
    });
  });

  it('refuses a caller whose profile lacks the export right (403, in the error shape)', async () => {
    const r = await exportOf('', noExport, 'zh-CN');
    expect(r.statusCode).toBe(403);
    expect(r.json().error).toMatchObject({ code: 'FORBIDDEN', details: [{ path: 'deals' }] });
    const list = await t.call('GET', '/api/records/deals', undefined, noExport);
    expect(list.status).toBe(200);
    // Their API description has no export; the rep's has it.
    const theirs = await t.call('GET', '/api/openapi.json', undefined, noExport);
    expect(theirs.body.paths).toHaveProperty(['/api/records/deals']);
    expect(theirs.body.paths).not.toHaveProperty(['/api/records/deals/export']);
    const reps = await t.call('GET', '/api/openapi.json', undefined, rep);
    expect(reps.body.paths).toHaveProperty(['/api/records/deals/export']);
  });
});
