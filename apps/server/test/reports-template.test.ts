import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Booted } from '../src/boot.js';
import { daysFrom, installTemplate, shiftDate } from '../src/templates.js';
import { filterParam, startTestApp, type TestApp } from './support/test-app.js';

interface Widget {
  report: string;
  type: string;
  title: string;
  measure?: string;
  result?: { rows: Record<string, unknown>[]; currency: string; missingRates?: unknown };
  kpi?: { value: number | null };
  error?: unknown;
}

/** The b2b-sales template's sales dashboard: every widget answers with data from the sample. */
describe('reports: the b2b-sales sales dashboard', () => {
  let t: TestApp;
  let rep: string;

  beforeAll(async () => {
    t = await startTestApp();
    const booted = { handle: t.handle, engine: t.engine } as unknown as Booted;
    await installTemplate(booted, 'b2b-sales', () => {});
    const { hashPassword } = await import('@atrium/engine');
    await t.handle.db
      .updateTable('atrium.users')
      .set({ password_hash: await hashPassword('pw-pw-pw-pw') })
      .where('email', '=', 'rep.li@b2b-sales.example')
      .execute();
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'rep.li@b2b-sales.example', password: 'pw-pw-pw-pw' },
    });
    rep = login.json().token;
  });
  afterAll(async () => t?.close());

  it('answers every widget with data, in the home currency, with no missing rates', async () => {
    const r = await t.call('GET', '/api/dashboards/sales');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const widgets = r.body.widgets as Widget[];
    expect(widgets.length).toBeGreaterThanOrEqual(6);
    for (const w of widgets) {
      expect(w.error, w.report).toBeUndefined();
      expect(w.result?.currency, w.report).toBe('CNY');
      expect(w.result?.missingRates, w.report).toBeUndefined();
      if (w.type === 'kpi') expect(w.kpi?.value, `${w.report} ${w.measure}`).toBeGreaterThan(0);
      else {
        const key = w.measure ?? 'won_amount';
        const figures = (w.result?.rows ?? []).map((row) => Number(row[key] ?? 0));
        expect(
          figures.some((f) => f > 0),
          `${w.report}: ${JSON.stringify(w.result?.rows)}`,
        ).toBe(true);
      }
    }
    const labels = widgets.map((w) => w.title);
    expect(labels).toContain('Pipeline by stage');
    const zh = await t.app.inject({
      method: 'GET',
      url: '/api/dashboards/sales',
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
    });
    expect(zh.json().label).toBe('销售仪表盘');
  });

  it('converts the USD deals at the template’s rates', async () => {
    // The sample (and its rates) moved from the day it was written (2026-11-27) to today.
    const shift = daysFrom('2026-11-27', new Date());
    const day = (d: string) => shiftDate(d, 'date', shift);
    // Won in the sample's 2026: 华锐运维 360,000 CNY + 鼎盛 TMS 2,150,000 CNY + Northwind
    // 185,000 USD, at the rate in force on asOf (7.18 from January, 7.12 from July).
    const won = (asOf: string) =>
      t.call(
        'GET',
        `/api/reports/won_revenue?period=${day('2026-01-01')}..${day('2026-12-31')}&asOf=${day(asOf)}`,
      );
    expect((await won('2026-03-31')).body.totals['sum:amount']).toBe(
      360000 + 2150000 + 185000 * 7.18,
    );
    expect((await won('2026-07-01')).body.totals['sum:amount']).toBe(
      360000 + 2150000 + 185000 * 7.12,
    );
  });

  it('dates the sample from the day it is installed', async () => {
    // Installed on 2027-03-01 (any hour, UTC), a sample written on 2026-11-27 moves 94 days.
    expect(daysFrom('2026-11-27', new Date('2027-03-01T23:30:00Z'))).toBe(94);
    expect(daysFrom('2026-11-27', new Date('2026-11-20T00:00:00Z'))).toBe(-7);
    expect(shiftDate('2026-11-27', 'date', 94)).toBe('2027-03-01');
    expect(shiftDate('2026-12-02T06:30:00Z', 'datetime', 94)).toBe('2027-03-06T06:30:00.000Z');
    const today = new Date().toISOString().slice(0, 10);
    const tms = await t.call(
      'GET',
      `/api/records/deals?fields=name,close_date&filter=${filterParam({ '==': [{ var: 'name' }, '鼎盛 TMS 运输管理平台'] })}`,
    );
    expect(tms.body.data[0].close_date).toBe(today);
    const rates = await t.call('GET', '/api/currencies');
    expect(rates.body.rates).toContainEqual({
      currency: 'USD',
      rate: 7.12,
      date: shiftDate('2026-07-01', 'date', daysFrom('2026-11-27', new Date())),
    });
  });

  it('gives the sample deals a past: created on their days, walked to their stage over weeks', async () => {
    const shift = daysFrom('2026-11-27', new Date());
    const day = (d: string) => `${shiftDate(d, 'date', shift)}T09:00:00.000Z`;
    const ops = await t.call(
      'GET',
      `/api/records/deals?fields=name,created_at,updated_at&filter=${filterParam({ '==': [{ var: 'name' }, '华锐年度运维服务'] })}`,
    );
    const deal = ops.body.data[0];
    expect(deal.created_at).toBe(day('2026-05-20'));
    expect(deal.updated_at).toBe(day('2026-08-14'));
    // Its history: created, then each transition of the walk, spread evenly up to closed_won.
    const history = await t.call('GET', `/api/records/deals/${deal.id}/history`);
    const entries = (
      history.body.data as { at: string; changes: Record<string, { to: unknown }> }[]
    )
      .filter((e) => e.changes.stage)
      .map((e) => ({ at: e.at, to: e.changes.stage?.to }))
      .sort((a, b) => a.at.localeCompare(b.at));
    expect(entries[0]).toEqual({ at: day('2026-05-20'), to: 'qualification' });
    expect(entries.at(-1)).toEqual({ at: day('2026-08-14'), to: 'closed_won' });
    const gaps = entries
      .slice(1)
      .map((e, i) => Date.parse(e.at) - Date.parse(entries[i]?.at ?? ''));
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThanOrEqual(1);
    // The funnel over all time: stays last days, not the second of the install.
    const funnel = await t.call('GET', '/api/reports/sales_funnel?period=all');
    const medians = (funnel.body.rows as { median_days: number | null }[]).map(
      (r) => r.median_days,
    );
    expect(medians.some((m) => m !== null && m >= 7)).toBe(true);
  });

  it('drills down from a bar to its records', async () => {
    const r = await t.call('GET', '/api/reports/pipeline_by_stage');
    const bar = r.body.rows[0];
    const list = await t.call(
      'GET',
      `/api/records/${bar.$drill.count.module}?count=true&filter=${filterParam(bar.$drill.count.filter)}`,
    );
    expect(list.status).toBe(200);
    expect(list.body.count.value).toBe(bar.count);
  });

  it('shows a rep only their own figures', async () => {
    const all = await t.call('GET', '/api/reports/pipeline_by_stage');
    const mine = await t.call('GET', '/api/reports/pipeline_by_stage', undefined, rep);
    expect(mine.status).toBe(200);
    expect(mine.body.totals.count).toBeGreaterThan(0);
    expect(mine.body.totals.count).toBeLessThan(all.body.totals.count);
  });
});
