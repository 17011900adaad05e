import { ERRORS, type ErrorCode } from '@atrium/engine';
import { type MessageParams, messageIn } from '@atrium/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullProfile, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The areas added last — automations, blueprints, approvals, conversions, reports, the plan's
 * step summaries — speak the caller's language too: each refusal sent in English and in zh-CN
 * has the same code and paths, and the zh-CN text is the catalog's for its key.
 */

const accounts = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};
const leads = {
  kind: 'module',
  name: 'leads',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'company', type: 'text' },
    {
      name: 'status',
      type: 'picklist',
      default: 'new',
      options: [{ value: 'new' }, { value: 'converted' }],
    },
    { name: 'converted_account', type: 'lookup', target: 'accounts' },
  ],
};
const deals = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    {
      name: 'stage',
      type: 'picklist',
      default: 'open',
      options: [{ value: 'open' }, { value: 'won' }, { value: 'lost' }],
    },
    { name: 'amount', type: 'currency' },
    { name: 'discount', type: 'integer' },
    { name: 'memo', type: 'text' },
  ],
};
const flow = {
  kind: 'blueprint',
  module: 'deals',
  name: 'deal_flow',
  field: 'stage',
  transitions: [
    {
      name: 'win',
      label: { en: 'Mark as won', 'zh-CN': '赢单' },
      from: ['open'],
      to: 'won',
      require: ['amount'],
    },
    {
      name: 'lose',
      label: { en: 'Mark as lost', 'zh-CN': '输单' },
      from: ['open'],
      to: 'lost',
      approval: { by: 'user', user: 'admin@example.com' },
    },
    { name: 'reopen', from: ['won', 'lost'], to: 'open' },
  ],
};
const conversion = {
  kind: 'conversion',
  module: 'leads',
  name: 'lead_conversion',
  targets: [{ module: 'accounts', fields: { name: 'company' } }],
  mark: { values: { status: 'converted' }, links: { converted_account: 'accounts' } },
};
const discountAutomation = {
  kind: 'automation',
  module: 'deals',
  name: 'big_discount',
  trigger: { on: 'update', fields: ['amount'] },
  when: { '>': [{ var: 'amount' }, 1000000] },
  actions: [{ type: 'update_fields', values: { discount: 'a lot' } }],
};

const CJK = /[\u3400-\u9fff]/;

/** The zh-CN text of catalog key `key` (`area.name`); empty when no catalog has it. */
const zhOf = (key: string, params?: MessageParams) =>
  messageIn({ message: '', key, ...(params && { params }) }, 'zh-CN');

interface Refusal {
  status: number;
  error: { code: ErrorCode; message: string; details: { path: string; message: string }[] };
}

describe('refusals of automations, processes and reports in the caller language', () => {
  let t: TestApp;

  async function refusal(locale: string, method: string, url: string, body?: unknown) {
    const raw = await t.app.inject({
      method: method as 'GET',
      url,
      headers: { 'accept-language': locale, authorization: `Bearer ${t.token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: raw.statusCode, error: raw.json().error } as Refusal;
  }

  /** Refused alike in both languages; English without Chinese, Chinese in every message. */
  async function refusedInBoth(code: ErrorCode, method: string, url: string, body?: unknown) {
    const en = await refusal('en-US,en;q=0.9', method, url, body);
    const zh = await refusal('zh-CN,zh;q=0.9', method, url, body);
    expect(en.error?.code, `${method} ${url}: ${JSON.stringify(en)}`).toBe(code);
    expect(zh.error.code).toBe(code);
    expect(en.status).toBe(ERRORS[code].status);
    expect(zh.status).toBe(en.status);
    expect(zh.error.details.map((d) => d.path)).toEqual(en.error.details.map((d) => d.path));
    for (const m of [en.error.message, ...en.error.details.map((d) => d.message)])
      expect(m, `${code} in English`).not.toMatch(CJK);
    for (const m of [zh.error.message, ...zh.error.details.map((d) => d.message)])
      expect(m, `${code} in zh-CN (${method} ${url})`).toMatch(CJK);
    return { en: en.error.details, zh: zh.error.details };
  }

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([
      accounts,
      leads,
      deals,
      flow,
      conversion,
      discountAutomation,
      fullProfile(['accounts', 'leads', 'deals']),
    ]);
  });
  afterAll(async () => t.close());

  const newDeal = async (body: Record<string, unknown> = {}) =>
    (await t.call('POST', '/api/records/deals', { name: 'Deal', ...body })).body as {
      id: string;
      version: number;
    };

  it('says what is wrong with a dry run, and an automation that sets a bad value', async () => {
    const dry = await refusedInBoth('VALIDATION_FAILED', 'POST', '/api/automations/dry-run', {
      module: 'deals',
      recordId: 'not-a-uuid',
      colour: 'red',
    });
    expect(dry.zh).toEqual([
      { path: 'colour', message: zhOf('value.unknownField') },
      { path: 'recordId', message: zhOf('automations.recordId') },
    ]);
    expect(dry.zh[1]?.message).toBe('必须是记录 ID（UUID）');
    expect(dry.en[1]?.message).toBe('must be a record id (uuid)');

    // The automation's refusal wraps the value's: both parts said in the caller's language.
    const deal = await newDeal();
    const set = await refusedInBoth('VALIDATION_FAILED', 'PATCH', `/api/records/deals/${deal.id}`, {
      version: deal.version,
      amount: 2000000,
    });
    expect(set.en[0]?.message).toMatch(/^set by automation "deals\.big_discount": /);
    expect(set.zh[0]?.message).toMatch(/^由自动化规则“deals\.big_discount”设置：/);
  });

  it('says why a blueprint refuses a transition or a direct change', async () => {
    const deal = await newDeal();
    const unavailable = await refusedInBoth(
      'TRANSITION_UNAVAILABLE',
      'POST',
      `/api/records/deals/${deal.id}/transitions/reopen`,
      { version: deal.version },
    );
    // The labels of the transitions available are said in the caller's language too.
    expect(unavailable.zh).toEqual([
      {
        path: 'transition',
        message: '流转“reopen”当前无法从“open”执行；可用的流转：赢单 (win)、输单 (lose)',
      },
    ]);
    expect(unavailable.en[0]?.message).toBe(
      'transition "reopen" cannot run now from "open"; available: Mark as won (win), Mark as lost (lose)',
    );
    const required = await refusedInBoth(
      'VALIDATION_FAILED',
      'POST',
      `/api/records/deals/${deal.id}/transitions/win`,
      { version: deal.version },
    );
    expect(required.zh).toEqual([
      { path: 'amount', message: zhOf('blueprints.requiredBy', { name: 'win' }) },
    ]);
    await refusedInBoth(
      'UNKNOWN_TRANSITION',
      'POST',
      `/api/records/deals/${deal.id}/transitions/fly`,
      {
        version: deal.version,
      },
    );
    const owned = await refusedInBoth('BLUEPRINT_FIELD', 'PATCH', `/api/records/deals/${deal.id}`, {
      version: deal.version,
      stage: 'won',
    });
    expect(owned.zh[0]?.message).toContain('赢单 (win)');
  });

  it('says why an approval is refused: decided already, and a record waiting for one', async () => {
    const deal = await newDeal();
    const asked = await t.call('POST', `/api/records/deals/${deal.id}/transitions/lose`, {
      version: deal.version,
    });
    expect(asked.status).toBe(202);
    const id = asked.body.approval.id as number;
    const locked = await refusedInBoth(
      'RECORD_AWAITING_APPROVAL',
      'PATCH',
      `/api/records/deals/${deal.id}`,
      {
        version: deal.version,
        name: 'Renamed',
      },
    );
    expect(locked.zh).toEqual([
      {
        path: 'id',
        message: zhOf('approvals.locked', { id, transition: 'lose' }),
      },
    ]);
    expect((await t.call('POST', `/api/approvals/${id}/approve`, {})).status).toBe(200);
    const twice = await refusedInBoth(
      'APPROVAL_DECIDED',
      'POST',
      `/api/approvals/${id}/approve`,
      {},
    );
    expect(twice.zh).toEqual([{ path: 'id', message: `审批 ${id} 已批准` }]);
    expect(twice.en).toEqual([{ path: 'id', message: `approval ${id} is approved already` }]);
    await refusedInBoth('NOT_FOUND', 'POST', '/api/approvals/999999/approve', {});
    await refusedInBoth('VALIDATION_FAILED', 'POST', `/api/approvals/${id}/reject`, {
      comment: 'x'.repeat(2001),
    });
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/approvals?mine=maybe&status=lost');
  });

  it('says a record was converted already', async () => {
    const lead = (await t.call('POST', '/api/records/leads', { name: 'Ann', company: 'Acme' }))
      .body;
    expect((await t.call('POST', `/api/records/leads/${lead.id}/convert`, {})).status).toBe(200);
    const twice = await refusedInBoth(
      'ALREADY_CONVERTED',
      'POST',
      `/api/records/leads/${lead.id}/convert`,
      {},
    );
    expect(twice.zh).toEqual([
      { path: 'id', message: zhOf('conversions.converted', { id: lead.id }) },
    ]);
    expect(twice.zh[0]?.message).toBe(`记录 ${lead.id} 已转化`);
    await refusedInBoth('NO_CONVERSION', 'POST', `/api/records/deals/${lead.id}/convert`, {});
    await refusedInBoth('VALIDATION_FAILED', 'POST', `/api/records/leads/${lead.id}/convert`, {
      contacts: {},
      version: 'one',
    });
  });

  it('says what is wrong with an aggregate, a report, a dashboard and currencies', async () => {
    const unknown = await refusedInBoth(
      'INVALID_QUERY',
      'GET',
      '/api/records/deals/aggregate?groupBy=nope',
    );
    expect(unknown.zh).toEqual([
      {
        path: 'groupBy',
        message: zhOf('aggregate.notAField', { name: 'nope', module: 'deals' }),
      },
    ]);
    expect(unknown.zh[0]?.message).toBe('“nope”不是 deals 的字段');
    expect(unknown.en[0]?.message).toBe('"nope" is not a field of deals');
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/records/deals/aggregate?measures=sum:name');
    await refusedInBoth(
      'INVALID_QUERY',
      'GET',
      '/api/records/deals/aggregate?groupBy=stage&sort=nope',
    );
    await refusedInBoth('INVALID_FILTER', 'GET', '/api/records/deals/aggregate?filter=nope');
    await refusedInBoth('UNKNOWN_REPORT', 'GET', '/api/reports/nope');
    await refusedInBoth('UNKNOWN_DASHBOARD', 'GET', '/api/dashboards/nope');
    const currencies = await refusedInBoth('VALIDATION_FAILED', 'PUT', '/api/currencies', {
      home: 'XYZ',
      rates: [
        { currency: 'EUR', rate: 1, date: '2026-13-01' },
        { currency: 'GBP', rate: 1, date: '2026-01-01' },
        { currency: 'GBP', rate: 1.1, date: '2026-01-01' },
      ],
    });
    expect(currencies.zh).toEqual([
      { path: 'home', message: '“XYZ”不是有效的 ISO 4217 币种代码' },
      { path: 'rates[0].date', message: zhOf('reports.date') },
      {
        path: 'rates[2]',
        message: zhOf('reports.twoRates', { currency: 'GBP', date: '2026-01-01' }),
      },
    ]);
    const home = await refusedInBoth('VALIDATION_FAILED', 'PUT', '/api/currencies', {
      home: 'USD',
      rates: [{ currency: 'USD', rate: 1, date: '2026-01-01' }],
    });
    expect(home.zh).toEqual([{ path: 'rates[0].currency', message: '本位币无需汇率（恒为 1）' }]);
  });

  it('says what is wrong with notification and outbox queries', async () => {
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/notifications?limit=0&before=x');
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/notifications?unread=maybe');
    await refusedInBoth('INVALID_QUERY', 'GET', '/api/outbox?status=lost');
    await refusedInBoth('NOT_FOUND', 'POST', '/api/notifications/999999/read');
  });

  it('says the plan step by step in the caller language, keeping the English summary', async () => {
    const plan = async (locale: string) =>
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/meta/plan',
          headers: { authorization: `Bearer ${t.token}`, 'accept-language': locale },
          payload: {
            documents: [{ ...deals, fields: [...deals.fields, { name: 'notes', type: 'text' }] }],
          },
        })
      ).json() as {
        steps: {
          step: { kind: string };
          summary: string;
          summaryKey?: string;
          localSummary: string;
        }[];
      };
    const addColumn = (p: Awaited<ReturnType<typeof plan>>) =>
      p.steps.find((s) => s.step.kind === 'add_column');
    const en = addColumn(await plan('en'));
    const zh = addColumn(await plan('zh-CN'));
    expect(en).toMatchObject({
      summary: 'add column deals.notes (text)',
      summaryKey: 'plan.addColumn',
      localSummary: 'add column deals.notes (text)',
    });
    expect(zh).toMatchObject({
      summary: 'add column deals.notes (text)',
      summaryKey: 'plan.addColumn',
      localSummary: '添加列 deals.notes（text）',
    });
    expect(zh).not.toHaveProperty('summaryParams');
    const put = (await plan('zh-CN')).steps.find((s) => s.step.kind === 'put_document');
    expect(put?.localSummary).toBe('更新 module:deals');

    // A refused destructive step is said from the same key.
    const dropped = await refusedInBoth('DESTRUCTIVE_CHANGE', 'POST', '/api/meta/apply', {
      documents: [{ ...deals, fields: deals.fields.filter((f) => f.name !== 'memo') }],
    });
    expect(dropped.zh).toContainEqual({
      path: expect.any(String),
      message: '删除字段 deals.memo（保留在回收站中）',
    });
  });
});
