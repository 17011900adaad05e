import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: [
    { name: 'name', type: 'text' },
    { name: 'amount', type: 'currency' },
    { name: 'stage', type: 'picklist', options: [{ value: 'open' }, { value: 'won' }] },
    { name: 'close_date', type: 'date' },
  ],
};
const REPORTS = [
  {
    kind: 'report',
    module: 'deals',
    name: 'by_stage',
    type: 'summary',
    groupBy: ['stage'],
    measures: ['count', 'sum:amount'],
    dateField: 'close_date',
  },
];

/** A figure over more records than one page drills down to all of them, page after page. */
describe('reports: drilling down past 100 records', () => {
  let t: TestApp;
  const OPEN = 130;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, ...REPORTS]);
    const deals = [
      ...Array.from({ length: OPEN }, (_, i) => ({ stage: 'open', close_date: '2026-05-10', i })),
      { stage: 'won', close_date: '2026-05-10', i: OPEN },
      { stage: 'open', close_date: '2026-08-10', i: OPEN + 1 },
    ];
    for (let k = 0; k < deals.length; k += 10)
      await Promise.all(
        deals.slice(k, k + 10).map(async ({ i, ...d }) => {
          const r = await t.call('POST', '/api/records/deals', { name: `D${i}`, amount: 10, ...d });
          expect(r.status).toBe(201);
        }),
      );
  });
  afterAll(async () => t?.close());

  it('pages through every record behind a bar with the same filter', async () => {
    const r = await t.call('GET', '/api/reports/by_stage?period=2026-04-01..2026-06-30');
    expect(r.status).toBe(200);
    const bar = r.body.rows.find((x: { stage: string }) => x.stage === 'open');
    expect(bar.count).toBe(OPEN);
    const drill = bar.$drill.count;
    const names = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await t.call(
        'GET',
        `/api/records/deals?fields=name&limit=50&filter=${filterParam(drill.filter)}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      for (const d of page.body.data as { name: string }[]) names.add(d.name);
      cursor = page.body.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(names.size).toBe(OPEN);
    expect(names.has(`D${OPEN}`)).toBe(false);
    expect(names.has(`D${OPEN + 1}`)).toBe(false);
    const counted = await t.call(
      'GET',
      `/api/records/deals?count=true&limit=1&filter=${filterParam(bar.$drill['sum:amount'].filter)}`,
    );
    expect(counted.body.count.value).toBe(OPEN);
  });
});
