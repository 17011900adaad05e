import { ERRORS, type ErrorCode } from '@atrium/engine';
import { type MessageParams, messageIn } from '@atrium/metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fullProfile, startTestApp, type TestApp } from './support/test-app.js';

/**
 * The document checks added last — automations, reports, dashboards, conversions — and the
 * refusal to remove a role still in use speak the caller's language too: the same code and paths
 * in English and zh-CN, each zh-CN detail the catalog's text for its key. A revision's steps are
 * said in the caller's language as a plan's are.
 */

const accounts = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
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
    { name: 'quantity', type: 'decimal', precision: 12, scale: 2 },
    { name: 'close_date', type: 'date' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};

const CJK = /[\u3400-\u9fff]/;

/** The zh-CN text of catalog key `key` (`area.name`); fails when no catalog has it in Chinese. */
function zhOf(key: string, params?: MessageParams): string {
  const text = messageIn({ message: '', key, ...(params && { params }) }, 'zh-CN');
  expect(text, key).toMatch(CJK);
  return text;
}

interface Detail {
  path: string;
  message: string;
}

describe('refusals of document checks in the caller language', () => {
  let t: TestApp;

  async function call(locale: string, method: string, url: string, body?: unknown) {
    const raw = await t.app.inject({
      method: method as 'GET',
      url,
      headers: { 'accept-language': locale, authorization: `Bearer ${t.token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return { status: raw.statusCode, body: raw.json() };
  }

  /** Refused alike in both languages; English without Chinese, Chinese in every message. */
  async function refusedInBoth(code: ErrorCode, body: unknown, url = '/api/meta/apply') {
    const en = await call('en-US,en;q=0.9', 'POST', url, body);
    const zh = await call('zh-CN,zh;q=0.9', 'POST', url, body);
    expect(en.body.error?.code, JSON.stringify(en.body)).toBe(code);
    expect(zh.body.error.code).toBe(code);
    expect(en.status).toBe(ERRORS[code].status);
    expect(zh.status).toBe(en.status);
    const enDetails = en.body.error.details as Detail[];
    const zhDetails = zh.body.error.details as Detail[];
    expect(zhDetails.map((d) => d.path)).toEqual(enDetails.map((d) => d.path));
    for (const m of [en.body.error.message, ...enDetails.map((d) => d.message)])
      expect(m, `${code} in English`).not.toMatch(CJK);
    for (const m of [zh.body.error.message, ...zhDetails.map((d) => d.message)])
      expect(m, `${code} in zh-CN`).toMatch(CJK);
    return { en: enDetails, zh: zhDetails };
  }

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([accounts, deals, fullProfile(['accounts', 'deals'])]);
  });
  afterAll(async () => t.close());

  it('says what is wrong with an automation document', async () => {
    const refused = await refusedInBoth('INVALID_METADATA', {
      documents: [
        {
          kind: 'automation',
          module: 'deals',
          name: 'bad_automation',
          trigger: { on: 'schedule', fields: ['amount'] },
          when: { '==': [{ var: 'stage' }, 'won'] },
          actions: [
            { type: 'update_fields', values: { discount: 1 } },
            { type: 'create_record', module: 'invoices', values: {} },
            { type: 'assign', strategy: 'round_robin' },
            {
              type: 'send_email',
              to: 'boss@example.com',
              subject: { en: 'Won {{nope}}' },
              body: { en: 'Deal {{name}} ({{account.name}}) was won' },
            },
            { type: 'notify', to: { role: 'nobody' } },
          ],
        },
      ],
    });
    const at = 'documents[0]';
    expect(refused.en).toEqual([
      { path: `${at}.trigger.fields`, message: 'a "schedule" trigger does not take "fields"' },
      { path: `${at}.trigger.cron`, message: 'a "schedule" trigger needs "cron"' },
      {
        path: `${at}.actions[0].values.discount`,
        message: '"discount" is not a field an automation can set',
      },
      { path: `${at}.actions[1].module`, message: 'no module named "invoices"' },
      { path: `${at}.actions[2].role`, message: 'round robin needs the role to rotate over' },
      { path: `${at}.actions[3].subject.en`, message: 'unknown merge field "{{nope}}"' },
      { path: `${at}.actions[4].to.role`, message: 'no role named "nobody"' },
    ]);
    expect(refused.zh).toEqual([
      {
        path: `${at}.trigger.fields`,
        message: zhOf('automationDocs.triggerTakes', { on: 'schedule', key: 'fields' }),
      },
      {
        path: `${at}.trigger.cron`,
        message: zhOf('automationDocs.triggerNeeds', { on: 'schedule', key: 'cron' }),
      },
      {
        path: `${at}.actions[0].values.discount`,
        message: zhOf('automationDocs.notSettable', { name: 'discount' }),
      },
      {
        path: `${at}.actions[1].module`,
        message: zhOf('documents.noModule', { name: 'invoices' }),
      },
      { path: `${at}.actions[2].role`, message: zhOf('automationDocs.roundRobinRole') },
      {
        path: `${at}.actions[3].subject.en`,
        message: zhOf('automationDocs.unknownMergeField', { field: '{{nope}}' }),
      },
      { path: `${at}.actions[4].to.role`, message: zhOf('documents.noRole', { name: 'nobody' }) },
    ]);
    expect(refused.zh[2]?.message).toBe('“discount”不是自动化规则可以设置的字段');
  });

  it('keeps the key of a filter problem inside an automation', async () => {
    const refused = await refusedInBoth('INVALID_METADATA', {
      documents: [
        {
          kind: 'automation',
          module: 'deals',
          name: 'nightly',
          trigger: { on: 'schedule', cron: '0 3 * * * *' },
          when: { '==': [{ var: 'nope' }, 1] },
          actions: [{ type: 'webhook', url: 'https://example.com/hook' }],
        },
      ],
    });
    expect(refused.zh).toEqual([
      { path: 'documents[0].trigger.cron', message: zhOf('automationDocs.cronFields') },
      // A schedule's condition must compile to SQL: the filter area's own key, not English.
      {
        path: 'documents[0].when.==[0]',
        message: zhOf('filter.unknownField', { name: '"nope"' }),
      },
      {
        path: 'documents[0].when',
        message: zhOf('automationDocs.unknownVar', { name: 'nope' }),
      },
    ]);
    expect(refused.en[1]?.message).toBe('unknown field "nope"');
  });

  it('says what is wrong with a report document', async () => {
    const refused = await refusedInBoth('INVALID_METADATA', {
      documents: [
        {
          kind: 'report',
          module: 'deals',
          name: 'by_stage',
          type: 'funnel',
          field: 'stage',
          stages: ['open', 'signed'],
          measures: ['count'],
          defaultPeriod: 'someday',
        },
        {
          kind: 'report',
          module: 'deals',
          name: 'pipeline',
          type: 'summary',
          groupBy: ['nope'],
          measures: ['count'],
        },
        {
          kind: 'report',
          module: 'deals',
          name: 'top_sellers',
          type: 'leaderboard',
          amount: 'amount',
          dateField: 'name',
        },
      ],
    });
    expect(refused.en).toEqual([
      { path: 'documents[0].measures', message: 'a funnel report does not use "measures"' },
      { path: 'documents[0].defaultPeriod', message: '"someday" is not a period' },
      { path: 'documents[0].stages[1]', message: '"signed" is not an option of stage' },
      { path: 'documents[1].groupBy', message: '"nope" is not a field of deals' },
      { path: 'documents[2].dateField', message: '"name" is not a date or date-time field' },
      { path: 'documents[2].won', message: 'a leaderboard needs "won": when a record is won' },
    ]);
    expect(refused.zh).toEqual([
      {
        path: 'documents[0].measures',
        message: zhOf('reportDocs.notUsed', { type: 'funnel', key: 'measures' }),
      },
      {
        path: 'documents[0].defaultPeriod',
        message: zhOf('reportDocs.notPeriod', { value: 'someday' }),
      },
      {
        path: 'documents[0].stages[1]',
        message: zhOf('documents.notOptionOf', { value: 'signed', field: 'stage' }),
      },
      {
        path: 'documents[1].groupBy',
        message: zhOf('aggregate.notAField', { name: 'nope', module: 'deals' }),
      },
      {
        path: 'documents[2].dateField',
        message: zhOf('reportDocs.notDateField', { name: 'name' }),
      },
      { path: 'documents[2].won', message: zhOf('reportDocs.leaderboardWon') },
    ]);
    expect(refused.zh[1]?.message).toBe('“someday”不是有效的时间段');
  });

  it('says what is wrong with a dashboard document', async () => {
    const widget = { type: 'kpi', position: { x: 0, y: 0, w: 3, h: 2 } };
    const refused = await refusedInBoth('INVALID_METADATA', {
      documents: [
        {
          kind: 'dashboard',
          name: 'sales',
          filter: { period: 'someday' },
          widgets: [{ ...widget, report: 'nope' }],
        },
      ],
    });
    expect(refused.en).toEqual([
      { path: 'documents[0].widgets[0].report', message: 'no report named "nope"' },
      { path: 'documents[0].filter.period', message: '"someday" is not a period' },
    ]);
    expect(refused.zh).toEqual([
      {
        path: 'documents[0].widgets[0].report',
        message: zhOf('reportDocs.noReport', { name: 'nope' }),
      },
      {
        path: 'documents[0].filter.period',
        message: zhOf('reportDocs.notPeriod', { value: 'someday' }),
      },
    ]);
    expect(refused.zh[0]?.message).toBe('没有名为“nope”的报表');
  });

  it('says what is wrong with a conversion document, the reason of a mapping included', async () => {
    const refused = await refusedInBoth('INVALID_METADATA', {
      documents: [
        {
          kind: 'conversion',
          module: 'deals',
          name: 'deal_to_account',
          targets: [{ module: 'accounts', fields: { name: 'amount' } }],
          mark: {},
        },
      ],
    });
    expect(refused.en).toEqual([
      {
        path: 'documents[0].targets[0].fields.name',
        message: 'deals.amount cannot fill accounts.name: currency is not text',
      },
      {
        path: 'documents[0].mark',
        message: 'mark the source (a value or a link) so that it cannot be converted twice',
      },
    ]);
    const why = { message: '', key: 'conversionDocs.notText', params: { from: 'currency' } };
    expect(refused.zh).toEqual([
      {
        path: 'documents[0].targets[0].fields.name',
        message: zhOf('conversionDocs.cannotFill', {
          source: 'deals',
          from: 'amount',
          target: 'accounts',
          to: 'name',
          why,
        }),
      },
      { path: 'documents[0].mark', message: zhOf('conversionDocs.markSource') },
    ]);
    expect(refused.zh[0]?.message).toBe('deals.amount 无法填入 accounts.name：currency 不是文本');
  });

  it('says a role or a profile still in use cannot be removed', async () => {
    await t.apply([
      { kind: 'role', name: 'intern' },
      { kind: 'profile', name: 'interns', modules: {} },
    ]);
    for (const email of ['intern1@example.com', 'intern2@example.com']) {
      const created = await t.call('POST', '/api/users', { email, role: 'intern' });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const one = await t.call('POST', '/api/users', {
      email: 'intern3@example.com',
      profile: 'interns',
    });
    expect(one.status).toBe(201);
    const request = { documents: [], remove: ['role:intern', 'profile:interns'] };
    const refused = await refusedInBoth('DATA_CONFLICT', request);
    const byPath = (d: Detail[]) => [...d].sort((a, b) => a.path.localeCompare(b.path));
    expect(byPath(refused.en)).toEqual([
      {
        path: 'existing[profile:interns]',
        message: '1 user has the profile "interns"; give them another profile first',
      },
      {
        path: 'existing[role:intern]',
        message: '2 users have the role "intern"; give them another role first',
      },
    ]);
    expect(byPath(refused.zh)).toEqual([
      {
        path: 'existing[profile:interns]',
        message: zhOf('meta.profileInUseOne', { name: 'interns' }),
      },
      { path: 'existing[role:intern]', message: zhOf('meta.roleInUse', { n: 2, name: 'intern' }) },
    ]);
    expect(byPath(refused.zh)[1]?.message).toBe(
      '有 2 位用户使用角色“intern”；请先为他们指定其他角色',
    );
    // The plan lists the same conflicts in the caller's language.
    const plan = await call('zh-CN', 'POST', '/api/meta/plan', request);
    expect(plan.status).toBe(200);
    expect(byPath(plan.body.conflicts)).toEqual(byPath(refused.zh));
  });

  it("says a revision's steps in the caller language, keeping the English summary", async () => {
    const applied = await t.apply([
      { ...accounts, fields: [...accounts.fields, { name: 'website', type: 'url' }] },
    ]);
    const n = applied.body.revision as number;
    const revision = async (locale: string) =>
      (await call(locale, 'GET', `/api/meta/revisions/${n}`)).body as {
        n: number;
        steps: {
          step: { kind: string };
          summary: string;
          summaryKey?: string;
          localSummary: string;
        }[];
      };
    const addColumn = (r: Awaited<ReturnType<typeof revision>>) =>
      r.steps.find((s) => s.step.kind === 'add_column');
    const en = await revision('en');
    const zh = await revision('zh-CN');
    expect(zh.n).toBe(n);
    expect(addColumn(en)).toMatchObject({
      summary: 'add column accounts.website (text)',
      summaryKey: 'plan.addColumn',
      localSummary: 'add column accounts.website (text)',
    });
    expect(addColumn(zh)).toMatchObject({
      summary: 'add column accounts.website (text)',
      summaryKey: 'plan.addColumn',
      localSummary: '添加列 accounts.website（text）',
    });
    expect(addColumn(zh)).not.toHaveProperty('summaryParams');
    for (const s of zh.steps) expect(s.localSummary, s.summary).toMatch(CJK);
  });
});
