/**
 * The web app against a module of 1,000,000 records, in Chromium on this machine: how long the
 * first page of 50 rows takes to show after navigation, how many rows the DOM holds while the
 * user scrolls through 5,000 of them, and the gzip size of the first load's JavaScript.
 *
 * Not part of CI (a million rows take a minute to write): run it on purpose with
 *   ATRIUM_WEB_PERF=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
 *     pnpm exec vitest run apps/web/test/perf-1m.test.ts
 * The rows go into the test's own database, dropped when it ends.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserApp, browserUnavailable, signIn, startBrowserApp } from './support/browser.js';

const ROWS = Number(process.env.ATRIUM_WEB_PERF_ROWS ?? 1_000_000);
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const skip = !process.env.ATRIUM_WEB_PERF || browserUnavailable() !== undefined;

const ITEMS = {
  kind: 'module',
  name: 'perf_items',
  label: { en: 'Work item', 'zh-CN': '工作项' },
  pluralLabel: { en: 'Work items', 'zh-CN': '工作项' },
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: [
    { name: 'name', type: 'text', label: { en: 'Name', 'zh-CN': '名称' } },
    {
      name: 'status',
      type: 'picklist',
      label: { en: 'Status', 'zh-CN': '状态' },
      options: ['open', 'doing', 'done'].map((value) => ({ value })),
    },
    { name: 'amount', type: 'currency', label: { en: 'Amount', 'zh-CN': '金额' } },
    { name: 'due', type: 'date', label: { en: 'Due', 'zh-CN': '到期' } },
  ],
};

/** The first load's JavaScript (the entry and its preloads), gzipped, in KB. */
function initialJsKb(): number {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const files = [
    ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ].map((m) => m[1] as string);
  const bytes = files.reduce((a, f) => a + gzipSync(readFileSync(path.join(DIST, f))).length, 0);
  return bytes / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

describe.skipIf(skip)(`the web app over ${ROWS.toLocaleString('en')} records`, () => {
  let b: BrowserApp;
  beforeAll(async () => {
    b = await startBrowserApp();
    await b.t.apply([ITEMS]);
    const items = b.t.engine.metadata.current.modules.get('perf_items');
    if (!items) throw new Error('perf_items was not created');
    const admin = (await b.t.call('GET', '/api/auth/me')).body.id as string;
    const client = await b.t.handle.pool.connect();
    const started = performance.now();
    try {
      await client.query('set synchronous_commit = off');
      // Time-ordered ids (as the API writes them), so the newest-first page is an index scan.
      await client.query(
        `insert into ${items.table}
           (id, created_at, updated_at, created_by, updated_by, owner_id, version,
            name, status, amount, currency_code, due)
         select (lpad(to_hex(t0 + i), 12, '0') || '7' || lpad(to_hex(i % 4096), 3, '0') || '8'
                 || lpad(to_hex(i), 15, '0'))::uuid,
                to_timestamp((t0 + i) / 1000.0), to_timestamp((t0 + i) / 1000.0), $2, $2, $2, 1,
                'Item ' || i, (array['open', 'doing', 'done'])[1 + i % 3],
                round((random() * 100000)::numeric, 2), 'USD', date '2026-01-01' + (i % 365)
         from generate_series(1, $1::int) i,
              (select (extract(epoch from now()) * 1000)::bigint - $1::int as t0) k`,
        [ROWS, admin],
      );
      await client.query(`vacuum analyze ${items.table}`);
    } finally {
      client.release();
    }
    console.log(
      `seeded ${ROWS.toLocaleString('en')} rows in ${Math.round(performance.now() - started)} ms`,
    );
  }, 900_000);
  afterAll(async () => {
    await b?.close();
  });

  it('shows the first 50 rows within a second and keeps the DOM small over 5,000', async () => {
    const context = await b.context(1280, 800);
    const page = await context.newPage();
    await signIn(page, b.url);
    const nav = page.getByRole('navigation', { name: 'Modules' });
    const rows = page.locator('tbody tr.at-row');
    const timings: number[] = [];
    for (let run = 0; run < 5; run++) {
      await nav.getByRole('link', { name: 'Accounts' }).click();
      await page.getByRole('heading', { name: 'Accounts' }).waitFor();
      const started = Date.now();
      await nav.getByRole('link', { name: 'Work items' }).click();
      // The first page holds 50 rows; the ones that fit the screen are in the DOM.
      await rows.nth(15).waitFor();
      timings.push(Date.now() - started);
    }
    const firstPage = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .filter((e) => e.name.includes('/api/records/perf_items'))
        .map((e) => Math.round(e.duration)),
    );
    console.log(
      `first rows visible after navigation: ${timings.join(', ')} ms (median ${median(timings)} ms); ` +
        `list requests took ${firstPage.join(', ')} ms`,
    );

    const scroller = page.getByTestId('at-table-scroll');
    const lastIndex = () =>
      page.evaluate(() =>
        Math.max(
          ...[...document.querySelectorAll('tbody tr.at-row')].map((r) =>
            Number(r.getAttribute('aria-rowindex')),
          ),
        ),
      );
    let most = 0;
    const scrollStarted = Date.now();
    while ((await lastIndex()) < 5001 && Date.now() - scrollStarted < 300_000) {
      await scroller.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await page.waitForTimeout(30);
      most = Math.max(most, await rows.count());
    }
    const scrolledMs = Date.now() - scrollStarted;
    const kb = initialJsKb();
    console.log(
      `scrolled to row ${await lastIndex()} in ${scrolledMs} ms, at most ${most} rows in the DOM; ` +
        `initial JS ${kb.toFixed(1)} KB gzip`,
    );
    expect(await lastIndex()).toBeGreaterThanOrEqual(5001);
    expect(median(timings)).toBeLessThanOrEqual(1000);
    expect(most).toBeLessThan(200);
    expect(kb).toBeLessThanOrEqual(300);
    await context.close();
  }, 600_000);
});
