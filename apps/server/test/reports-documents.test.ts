import { createRequire } from 'node:module';
import { periodDates } from '@atrium/metadata';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'currency', label: { en: 'Amount', 'zh-CN': '金额' } },
    { name: 'probability', type: 'percent' },
    {
      name: 'stage',
      type: 'picklist',
      label: { en: 'Stage', 'zh-CN': '阶段' },
      options: [
        { value: 'a', label: { en: 'First', 'zh-CN': '第一' } },
        { value: 'b', label: { en: 'Second', 'zh-CN': '第二' } },
        { value: 'c', label: { en: 'Third', 'zh-CN': '第三' } },
      ],
    },
    { name: 'outcome', type: 'picklist', options: [{ value: 'won' }, { value: 'lost' }] },
    { name: 'close_date', type: 'date' },
  ],
};
const PAYMENTS = {
  kind: 'module',
  name: 'payments',
  defaultCurrency: 'USD',
  fields: [
    { name: 'amount', type: 'currency' },
    { name: 'due_date', type: 'date' },
    { name: 'paid', type: 'boolean' },
  ],
};
const all = { create: true, read: true, update: true, delete: true, import: true, export: true };
const ACCESS = [
  { kind: 'role', name: 'manager' },
  { kind: 'role', name: 'rep', parent: 'manager' },
  { kind: 'profile', name: 'sales', modules: { deals: all } },
  { kind: 'sharing', module: 'deals', default: 'private' },
];
const won = { '==': [{ var: 'outcome' }, 'won'] };
const REPORTS = [
  {
    kind: 'report',
    module: 'deals',
    name: 'funnel',
    label: { en: 'Funnel', 'zh-CN': '漏斗' },
    type: 'funnel',
    chart: 'funnel',
    field: 'stage',
  },
  {
    kind: 'report',
    module: 'deals',
    name: 'leaders',
    label: { en: 'Leaderboard', 'zh-CN': '排行榜' },
    type: 'leaderboard',
    amount: 'amount',
    dateField: 'close_date',
    won,
    lost: { '==': [{ var: 'outcome' }, 'lost'] },
  },
  {
    kind: 'report',
    module: 'deals',
    name: 'won_amount',
    label: { en: 'Won', 'zh-CN': '赢单金额' },
    type: 'summary',
    chart: 'kpi',
    measures: ['sum:amount', 'count'],
    filter: won,
    dateField: 'close_date',
  },
  {
    kind: 'report',
    module: 'deals',
    name: 'by_stage',
    label: { en: 'By stage, "quoted", ok', 'zh-CN': '按阶段' },
    type: 'summary',
    chart: 'bar',
    groupBy: ['stage'],
    measures: ['count', 'sum:amount'],
  },
  {
    kind: 'report',
    module: 'deals',
    name: 'forecast',
    type: 'forecast',
    amount: 'amount',
    probability: 'probability',
    dateField: 'close_date',
    quarters: 2,
    payments: {
      module: 'payments',
      amount: 'amount',
      dateField: 'due_date',
      filter: { '!=': [{ var: 'paid' }, true] },
    },
  },
  {
    kind: 'report',
    module: 'payments',
    name: 'payments_by_month',
    type: 'summary',
    groupBy: ['due_date:month'],
    measures: ['sum:amount'],
  },
  {
    kind: 'dashboard',
    name: 'sales',
    label: { en: 'Sales', 'zh-CN': '销售' },
    filter: { period: 'this_quarter', owner: true },
    widgets: [
      { report: 'won_amount', type: 'kpi', position: { x: 0, y: 0, w: 3, h: 2 } },
      { report: 'funnel', type: 'funnel', position: { x: 3, y: 0, w: 6, h: 4 } },
      { report: 'leaders', type: 'table', position: { x: 0, y: 4, w: 6, h: 4 } },
      { report: 'forecast', type: 'bar', position: { x: 6, y: 4, w: 6, h: 4 } },
      { report: 'by_stage', type: 'bar', position: { x: 0, y: 8, w: 6, h: 4 } },
      {
        report: 'payments_by_month',
        type: 'line',
        title: { en: 'Payments' },
        position: { x: 6, y: 8, w: 6, h: 4 },
      },
    ],
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

const day = (d: string) => `${d}T00:00:00Z`;

describe('reports: documents, funnel, leaderboard, forecast, dashboards, export', () => {
  let t: TestApp;
  let rep: string;
  let repId: string;
  const ids: Record<string, string> = {};
  // The month after this quarter's first: inside the forecast's window whatever today is.
  const quarter = periodDates('this_quarter', new Date(), 1, 'UTC').from;
  const forecastMonth = new Date(Date.UTC(+quarter.slice(0, 4), +quarter.slice(5, 7), 1))
    .toISOString()
    .slice(0, 10);
  const forecastDay = `${forecastMonth.slice(0, 8)}15`;
  const nextMonth = new Date(Date.UTC(+quarter.slice(0, 4), +quarter.slice(5, 7) + 1, 1))
    .toISOString()
    .slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, PAYMENTS, ...ACCESS, ...REPORTS]);
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
    repId = (await t.call('GET', '/api/auth/me', undefined, rep)).body.id;
    await t.call('PUT', '/api/currencies', {
      home: 'USD',
      rates: [{ currency: 'EUR', rate: 2, date: '2025-01-01' }],
    });
    // Each deal: its values, then its stage changes as [stage, when] (the first is its creation).
    const deals: [string, Record<string, unknown>, [string, string][]][] = [
      [
        'R1',
        { amount: 100, outcome: 'won', close_date: '2026-01-10', owner_id: 'rep' },
        [
          ['a', '2026-01-01'],
          ['b', '2026-01-03'],
          ['c', '2026-01-04'],
        ],
      ],
      [
        'R2',
        {
          amount: 200,
          currency_code: 'EUR',
          outcome: 'lost',
          close_date: '2026-01-20',
          owner_id: 'rep',
        },
        [
          ['a', '2026-01-02'],
          ['b', '2026-01-06'],
        ],
      ],
      ['R3', { amount: 300, outcome: 'won', close_date: '2026-01-05' }, [['a', '2026-01-10']]],
      [
        'R4',
        { amount: 50, outcome: 'won', close_date: '2025-12-15' },
        [
          ['a', '2025-12-20'],
          ['b', '2026-01-05'],
          ['c', '2026-01-07'],
        ],
      ],
      [
        'R5',
        { amount: 500, currency_code: 'EUR', outcome: 'won', close_date: '2026-01-31' },
        [
          ['a', '2026-01-15'],
          ['b', '2026-02-02'],
        ],
      ],
      ['R6', { amount: 1000, probability: 30, close_date: forecastDay }, [['a', '2026-03-01']]],
      [
        'R7',
        { amount: 200, currency_code: 'EUR', probability: 50, close_date: forecastDay },
        [['a', '2026-03-01']],
      ],
    ];
    const history = sql.raw('"ws_main"."_history"');
    for (const [name, values, moves] of deals) {
      const body = {
        name,
        ...values,
        stage: moves[0]?.[0],
        ...(values.owner_id ? { owner_id: repId } : {}),
      };
      const created = await t.call('POST', '/api/records/deals', body);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const id = created.body.id as string;
      ids[name] = id;
      let version = created.body.version as number;
      for (const [stage] of moves.slice(1)) {
        const r = await t.call('PATCH', `/api/records/deals/${id}`, { stage, version });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        version = r.body.version;
      }
      // The history entries of the stage, oldest first, get the moments of the story above.
      const entries = await sql<{ id: number }>`select id from ${history}
        where record_id = ${id} and changes ? 'stage' order by id`.execute(t.handle.db);
      for (const [i, e] of entries.rows.entries())
        await sql`update ${history} set at = ${day(moves[i]?.[1] as string)}::timestamptz where id = ${e.id}`.execute(
          t.handle.db,
        );
    }
    for (const [amount, due, paid] of [
      [70, forecastDay, false],
      [30, nextMonth, false],
      [999, forecastDay, true],
    ] as const)
      await t.call('POST', '/api/records/payments', { amount, due_date: due, paid });
  });
  afterAll(async () => t?.close());

  const run = (name: string, query = '', token = t.token, lang?: string) =>
    t.app.inject({
      method: 'GET',
      url: `/api/reports/${name}${query ? `?${query}` : ''}`,
      headers: { authorization: `Bearer ${token}`, ...(lang && { 'accept-language': lang }) },
    });
  const january = 'period=2026-01-01..2026-01-31';
  const figures = (rows: Record<string, unknown>[], keys: string[]) =>
    rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));

  it('counts a funnel from the field history: entered, moved on, conversion, median days', async () => {
    const r = await run('funnel', january);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.period).toEqual({
      name: '2026-01-01..2026-01-31',
      from: '2026-01-01',
      to: '2026-02-01',
    });
    expect(
      figures(body.rows, ['stage', 'entered', 'advanced', 'conversion', 'median_days']),
    ).toEqual([
      { stage: 'a', entered: 4, advanced: 3, conversion: 0.75, median_days: 4 },
      { stage: 'b', entered: 3, advanced: 2, conversion: 0.6667, median_days: 1.5 },
      { stage: 'c', entered: 2, advanced: null, conversion: null, median_days: null },
    ]);
    expect(body.rows.map((x: { $labels: { stage: string } }) => x.$labels.stage)).toEqual([
      'First',
      'Second',
      'Third',
    ]);
    // The drill-down of "entered a" lists exactly R1, R2, R3, R5.
    const drill = body.rows[0].$drill.entered;
    expect(drill.module).toBe('deals');
    const list = await t.call(
      'GET',
      `/api/records/deals?fields=name&sort=name&filter=${filterParam(drill.filter)}`,
    );
    expect(list.body.data.map((d: { name: string }) => d.name)).toEqual(['R1', 'R2', 'R3', 'R5']);
    // Without a period: all history (R4 entered a in December, R6 and R7 in March).
    const all = (await run('funnel', 'period=all')).json();
    expect(all.rows[0].entered).toBe(7);
    expect(all.rows[0].median_days).toBe(10);
  });

  it('counts only the funnel of records the rep may read', async () => {
    const r = (await run('funnel', january, rep)).json();
    expect(figures(r.rows, ['stage', 'entered', 'advanced'])).toEqual([
      { stage: 'a', entered: 2, advanced: 2 },
      { stage: 'b', entered: 2, advanced: 1 },
      { stage: 'c', entered: 1, advanced: null },
    ]);
  });

  it('ranks owners by won amount in the period, money converted', async () => {
    const r = await run('leaders', january);
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.currency).toBe('USD');
    expect(
      figures(body.rows, ['owner_id', 'won_amount', 'won_count', 'closed_count', 'win_rate']),
    ).toEqual([
      {
        owner_id: expect.any(String),
        won_amount: 1300,
        won_count: 2,
        closed_count: 2,
        win_rate: 1,
      },
      { owner_id: repId, won_amount: 100, won_count: 1, closed_count: 2, win_rate: 0.5 },
    ]);
    expect(body.rows[0].$labels.owner_id).toBe('Admin');
    expect(figures([body.totals], ['won_amount', 'won_count', 'closed_count', 'win_rate'])).toEqual(
      [{ won_amount: 1400, won_count: 3, closed_count: 4, win_rate: 0.75 }],
    );
    // Each figure drills down to its records.
    const closed = body.rows[1].$drill.closed_count.filter;
    const list = await t.call(
      'GET',
      `/api/records/deals?fields=name&sort=name&filter=${filterParam(closed)}`,
    );
    expect(list.body.data.map((d: { name: string }) => d.name)).toEqual(['R1', 'R2']);
    const mine = (await run('leaders', `${january}&owner=me`, rep)).json();
    expect(figures(mine.rows, ['won_amount', 'closed_count'])).toEqual([
      { won_amount: 100, closed_count: 2 },
    ]);
  });

  it('forecasts per close month with expected revenue and payments due', async () => {
    const r = await run('forecast');
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body.period.from).toBe(quarter);
    expect(body.rows).toHaveLength(6);
    const month = body.rows.find((x: { month: string }) => x.month === forecastMonth);
    expect(figures([month], ['count', 'pipeline', 'expected', 'payments'])).toEqual([
      { count: 2, pipeline: 1400, expected: 500, payments: 70 },
    ]);
    const next = body.rows.find((x: { month: string }) => x.month === nextMonth);
    expect(figures([next], ['count', 'pipeline', 'payments'])).toEqual([
      { count: 0, pipeline: 0, payments: 30 },
    ]);
    const pay = await t.call(
      'GET',
      `/api/records/payments?count=true&filter=${filterParam(month.$drill.payments.filter)}`,
    );
    expect(pay.body.count.value).toBe(1);
    // A rep who may not read payments still gets the deals' forecast, without that column.
    const repView = (await run('forecast', '', rep)).json();
    expect(repView.columns.map((c: { key: string }) => c.key)).toEqual([
      'month',
      'count',
      'pipeline',
      'expected',
    ]);
  });

  it('answers every widget of a dashboard in one request, with the KPI against the previous period', async () => {
    const r = await t.call('GET', '/api/dashboards/sales?period=2026-01-01..2026-01-31');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.widgets).toHaveLength(6);
    const [kpi, funnel, leaders, , byStage, payments] = r.body.widgets;
    expect(kpi.kpi).toMatchObject({
      value: 1400,
      previous: 50,
      change: 27,
      type: 'currency',
      currency: 'USD',
    });
    expect(kpi.kpi.previousPeriod).toMatchObject({ from: '2025-12-01', to: '2026-01-01' });
    expect(kpi.title).toBe('Won');
    expect(funnel.result.rows[0].entered).toBe(4);
    expect(leaders.result.rows[0].won_amount).toBe(1300);
    expect(byStage.result.period).toBeNull();
    expect(payments.title).toBe('Payments');
    // The rep: their own numbers, and a refusal in the widget they may not run.
    const mine = await t.call(
      'GET',
      '/api/dashboards/sales?period=2026-01-01..2026-01-31',
      undefined,
      rep,
    );
    expect(mine.status).toBe(200);
    expect(mine.body.widgets[0].kpi.value).toBe(100);
    expect(mine.body.widgets[5].error.code).toBe('FORBIDDEN');
    expect(mine.body.widgets[5].result).toBeUndefined();
    const list = await t.call('GET', '/api/dashboards', undefined, rep);
    expect(list.body).toEqual([{ name: 'sales', label: 'Sales' }]);
    const reports = await t.call('GET', '/api/reports', undefined, rep);
    expect(reports.body.map((x: { name: string }) => x.name).sort()).toEqual([
      'by_stage',
      'forecast',
      'funnel',
      'leaders',
      'won_amount',
    ]);
  });

  it('exports CSV (with a BOM, in the caller’s language) and XLSX that read back', async () => {
    const csv = await run('by_stage', 'format=csv', t.token, 'zh-CN');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(
      /^attachment; filename="by_stage-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.rawPayload.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines).toEqual([
      '阶段,数量,金额合计',
      '第一,3,1700',
      '第二,2,1400',
      '第三,2,150',
      '合计,7,3250',
    ]);
    const xlsx = await run('by_stage', 'format=xlsx');
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const book = new exceljs.Workbook();
    await book.xlsx.load(xlsx.rawPayload);
    const sheet = book.worksheets[0];
    expect(sheet?.name).toBe('By stage, "quoted", ok');
    const values = (sheet?.getSheetValues() ?? [])
      .slice(1)
      .map((row) => (row as unknown[]).slice(1));
    expect(values).toEqual([
      ['Stage', 'Count', 'Sum of Amount'],
      ['First', 3, 1700],
      ['Second', 2, 1400],
      ['Third', 2, 150],
      ['Total', 7, 3250],
    ]);
  });

  it('checks report and dashboard documents at apply, on their paths', async () => {
    const bad = await t.call('POST', '/api/meta/apply', {
      documents: [
        { kind: 'report', module: 'deals', name: 'x1', type: 'summary', measures: ['sum:stage'] },
        { kind: 'report', module: 'nope', name: 'x2', type: 'summary', measures: ['count'] },
        { kind: 'report', module: 'deals', name: 'x3', type: 'funnel', field: 'amount' },
        {
          kind: 'report',
          module: 'deals',
          name: 'x4',
          type: 'leaderboard',
          amount: 'amount',
          dateField: 'name',
        },
        {
          kind: 'report',
          module: 'deals',
          name: 'x5',
          type: 'summary',
          groupBy: ['close_date'],
          filter: { '==': [{ var: 'nope' }, 1] },
        },
        { kind: 'report', module: 'payments', name: 'funnel', type: 'summary' },
        {
          kind: 'dashboard',
          name: 'd',
          widgets: [{ report: 'missing', type: 'bar', position: { x: 0, y: 0, w: 13, h: 1 } }],
        },
      ],
    });
    expect(bad.status).toBe(400);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(['documents[6].widgets[0].position.w']);
    const bad2 = await t.call('POST', '/api/meta/apply', {
      documents: [
        { kind: 'report', module: 'deals', name: 'x1', type: 'summary', measures: ['sum:stage'] },
        { kind: 'report', module: 'nope', name: 'x2', type: 'summary', measures: ['count'] },
        { kind: 'report', module: 'deals', name: 'x3', type: 'funnel', field: 'amount' },
        {
          kind: 'report',
          module: 'deals',
          name: 'x4',
          type: 'leaderboard',
          amount: 'amount',
          dateField: 'name',
        },
        {
          kind: 'report',
          module: 'deals',
          name: 'x5',
          type: 'summary',
          groupBy: ['close_date'],
          filter: { '==': [{ var: 'nope' }, 1] },
        },
        { kind: 'report', module: 'payments', name: 'funnel', type: 'summary' },
        {
          kind: 'dashboard',
          name: 'd',
          widgets: [{ report: 'missing', type: 'bar', position: { x: 0, y: 0, w: 12, h: 1 } }],
        },
      ],
    });
    expect(bad2.status).toBe(400);
    expect(bad2.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(
      [
        'documents[0].measures',
        'documents[1].module',
        'documents[2].field',
        'documents[3].dateField',
        'documents[3].won',
        'documents[4].groupBy',
        'documents[4].filter.==[0]',
        'documents[5].name',
        'documents[6].widgets[0].report',
      ].sort(),
    );
    expect((await t.call('GET', '/api/reports/nothing')).status).toBe(404);
    expect((await t.call('GET', '/api/dashboards/nothing')).status).toBe(404);
    expect(
      (await t.call('GET', '/api/reports/funnel?period=someday')).body.error.details[0].path,
    ).toBe('period');
    expect((await t.call('GET', '/api/reports/funnel?owner=bob')).body.error.details[0].path).toBe(
      'owner',
    );
    expect((await t.call('GET', '/api/reports/funnel?format=pdf')).body.error.details[0].path).toBe(
      'format',
    );
  });

  // Last in the file: it moves R7 and adds R8, which the figures above do not count.
  it('forecasts by stage category: closed + commit expected, the amount per category', async () => {
    const r7 = (await t.call('GET', `/api/records/deals/${ids.R7}`)).body;
    expect(
      (await t.call('PATCH', `/api/records/deals/${ids.R7}`, { stage: 'c', version: r7.version }))
        .status,
    ).toBe(200);
    const r8 = await t.call('POST', '/api/records/deals', {
      name: 'R8',
      amount: 250,
      probability: 80,
      stage: 'b',
      close_date: forecastDay,
    });
    expect(r8.status).toBe(201);
    const categories = { field: 'stage', closed: ['c'], commit: ['b'], best_case: ['a'] };
    const byCategory = { kind: 'report', module: 'deals', type: 'forecast', amount: 'amount' };
    const applied = await t.apply([
      ...REPORTS,
      { ...byCategory, name: 'forecast_categories', dateField: 'close_date', categories },
      {
        ...byCategory,
        name: 'forecast_both',
        dateField: 'close_date',
        probability: 'probability',
        categories,
      },
    ]);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    // In the month: R6 1000 USD at a (best case), R7 200 EUR = 400 USD at c (closed), R8 250 USD
    // at b (commit). Expected by category = closed + commit = 650.
    const body = (await run('forecast_categories')).json();
    expect(body.columns.map((c: { key: string }) => c.key)).toEqual([
      'month',
      'count',
      'pipeline',
      'expected',
      'category:closed',
      'category:commit',
      'category:best_case',
    ]);
    expect(body.columns[6].label).toBe('Best case');
    const month = body.rows.find((x: { month: string }) => x.month === forecastMonth);
    expect(
      figures(
        [month],
        [
          'count',
          'pipeline',
          'expected',
          'category:closed',
          'category:commit',
          'category:best_case',
        ],
      ),
    ).toEqual([
      {
        count: 3,
        pipeline: 1650,
        expected: 650,
        'category:closed': 400,
        'category:commit': 250,
        'category:best_case': 1000,
      },
    ]);
    const names = async (filter: unknown) =>
      (
        await t.call(
          'GET',
          `/api/records/deals?fields=name&sort=name&filter=${filterParam(filter)}`,
        )
      ).body.data.map((d: { name: string }) => d.name);
    expect(await names(month.$drill['category:best_case'].filter)).toEqual(['R6']);
    expect(await names(month.$drill.expected.filter)).toEqual(['R7', 'R8']);
    // With a probability too: expected is amount × probability (300 + 200 + 200), categories kept.
    const both = (await run('forecast_both')).json();
    const m2 = both.rows.find((x: { month: string }) => x.month === forecastMonth);
    expect(figures([m2], ['expected', 'category:commit'])).toEqual([
      { expected: 700, 'category:commit': 250 },
    ]);
    const zh = (await run('forecast_categories', '', t.token, 'zh-CN')).json();
    expect(zh.columns[4].label).toBe('已成交');

    const bad = await t.call('POST', '/api/meta/apply', {
      documents: [
        {
          ...byCategory,
          name: 'x',
          dateField: 'close_date',
          categories: { field: 'stage', commit: ['a', 'zz'], best_case: ['a'] },
        },
        {
          ...byCategory,
          name: 'y',
          dateField: 'close_date',
          categories: { field: 'amount', commit: ['a'] },
        },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'documents[0].categories.best_case[0]',
      'documents[0].categories.commit[1]',
      'documents[1].categories.field',
    ]);
  });
});
