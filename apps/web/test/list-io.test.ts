import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  axeViolations,
  type BrowserApp,
  browserUnavailable,
  SCREENS,
  screenshots,
  signIn,
  startBrowserApp,
} from './support/browser.js';

// Two shared cores: polls get the time the locators get (see browser.test.ts).
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 50 } } });

const unavailable = browserUnavailable();
if (unavailable) console.warn(unavailable);

/** The cells of a CSV (RFC 4180 quoting, CRLF or LF), BOM left out. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell.replace(/\r$/, ''));
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

describe.skipIf(unavailable !== undefined)('export and import on a list, in Chromium', () => {
  let b: BrowserApp;
  const tech = { '==': [{ var: 'industry' }, 'technology'] };
  beforeAll(async () => {
    b = await startBrowserApp();
    for (const [name, industry] of [
      ['IOX Alpha, "quoted"', 'technology'],
      ['IOX Beta', 'technology'],
      ['IOX Gamma', 'finance'],
    ]) {
      const r = await b.t.call('POST', '/api/records/accounts', { name, industry });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  }, 240_000);
  afterAll(async () => {
    await b?.close();
  });

  const signedIn = async (width = 1280, locale: 'en' | 'zh-CN' = 'en'): Promise<Page> => {
    await b.t.call('PATCH', '/api/auth/me', { locale });
    const page = await (await b.context(width)).newPage();
    await signIn(page, b.url);
    return page;
  };
  const sideways = (page: Page) =>
    page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
  const listUrl = (filter: unknown) =>
    `${b.url}/m/accounts?filter=${encodeURIComponent(JSON.stringify(filter))}`;
  const named = async (names: string[]) => {
    const filter = { or: names.map((n) => ({ '==': [{ var: 'name' }, n] })) };
    const r = await b.t.call(
      'GET',
      `/api/records/accounts?filter=${encodeURIComponent(JSON.stringify(filter))}`,
    );
    return (r.body.data as { name: string }[]).map((a) => a.name).sort();
  };

  it('exports exactly the filtered, sorted list as CSV', async () => {
    const page = await signedIn();
    await page.goto(listUrl(tech));
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    // Sort by name, descending (two header clicks), so the file's order is checked too.
    const header = page.getByRole('columnheader', { name: /Account name/ });
    await header.getByRole('button').click();
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('ascending');
    await header.getByRole('button').click();
    await expect.poll(() => header.getAttribute('aria-sort')).toBe('descending');
    await screenshots(page, 'io-01-list-toolbar');
    const exportButton = page.getByRole('button', { name: 'Export' });
    await exportButton.click();
    const downloading = page.waitForEvent('download');
    await page.getByRole('menuitem', { name: 'CSV (.csv)' }).click();
    const download = await downloading;
    const file = await download.path();
    const rows = parseCsv(readFileSync(file, 'utf8'));
    const names = rows[0]?.indexOf('Account name') ?? -1;
    expect(names).toBeGreaterThanOrEqual(0);
    const expected = await b.t.call(
      'GET',
      `/api/records/accounts?filter=${encodeURIComponent(JSON.stringify(tech))}&sort=-name&limit=200`,
    );
    const want = (expected.body.data as { name: string }[]).map((a) => a.name);
    expect(want).toContain('IOX Alpha, "quoted"');
    expect(want).not.toContain('IOX Gamma');
    expect(rows.slice(1).map((r) => r[names])).toEqual(want);
    await expect.poll(() => exportButton.isDisabled()).toBe(false);

    // A refusal (the server's cap, say) is an error toast; the button is busy meanwhile.
    await page.route('**/api/records/accounts/export*', async (route) => {
      await new Promise((done) => setTimeout(done, 400));
      await route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: {
            code: 'INVALID_QUERY',
            message: 'Invalid query',
            details: [{ path: 'filter', message: 'more than 100000 records: narrow the filter' }],
          },
        }),
      });
    });
    await exportButton.click();
    await page.getByRole('menuitem', { name: 'Excel (.xlsx)' }).click();
    const busy = page.getByRole('button', { name: 'Exporting…' });
    await busy.waitFor();
    expect(await busy.isDisabled()).toBe(true);
    const toasts = page.getByRole('region', { name: 'Notifications' });
    await expect
      .poll(() =>
        toasts.getByText('Could not export: more than 100000 records: narrow the filter').count(),
      )
      .toBe(1);
    await expect.poll(() => exportButton.isDisabled()).toBe(false);
    await page.context().close();
  });

  it('import: the dry run lists a bad row at its row and column, writes nothing; fixed, it imports', async () => {
    const page = await signedIn();
    const mine = ['IO Import One', 'IO Import Two'];
    await page.goto(listUrl({ or: mine.map((n) => ({ '==': [{ var: 'name' }, n] })) }));
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import Accounts' });
    await dialog.waitFor();
    const bad =
      'Account name,Industry,Employees\r\nIO Import One,technology,10\r\nIO Import Two,finance,lots\r\n';
    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'accounts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(bad),
    });
    const alert = dialog.getByRole('alert');
    // rows[1].employees: the second record, on line 3 of the file (the heading is line 1).
    await expect.poll(() => alert.getByText(/Row 3 · Employees:/).count()).toBe(1);
    expect(await alert.locator('li').count()).toBe(1);
    expect(await dialog.getByRole('cell', { name: 'Employees' }).count()).toBe(2);
    expect(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled()).toBe(
      true,
    );
    expect(await named(mine)).toEqual([]);
    await screenshots(page, 'io-02-dry-run-errors');
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);

    const good = bad.replace('lots', '25');
    await dialog.getByLabel('CSV file').setInputFiles({
      name: 'accounts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(good),
    });
    await expect.poll(() => dialog.getByText('2 records would be created.').count()).toBe(1);
    expect(await dialog.getByRole('alert').count()).toBe(0);
    expect(await named(mine)).toEqual([]);
    await dialog.getByRole('button', { name: 'Import 2 records' }).click();
    const toasts = page.getByRole('region', { name: 'Notifications' });
    await expect.poll(() => toasts.getByText('2 records imported').count()).toBe(1);
    expect(await dialog.count()).toBe(0);
    expect(await named(mine)).toEqual(mine);
    // The list reloads and shows them.
    await expect.poll(() => page.getByText('IO Import Two').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('Escape closes the import dialog; focus stays inside while it is open', async () => {
    const page = await signedIn();
    await page.goto(`${b.url}/m/accounts`);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Import Accounts' });
    await dialog.waitFor();
    // The template: the writable fields' labels, in the user's language; no ID or timestamps.
    const templateDownload = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Download a template' }).click();
    const template = parseCsv(readFileSync(await (await templateDownload).path(), 'utf8'));
    expect(template[0]?.slice(0, 3)).toEqual(['Account name', 'Industry', 'Website']);
    expect(template[0]).not.toContain('ID');
    expect(template[0]).not.toContain('Created at');
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await page.context().close();
  });

  it('shows neither Export nor Import to a profile without those rights', async () => {
    await b.t.userToken('sales-io@example.com', { profile: 'sales' });
    const page = await (await b.context()).newPage();
    await page.goto(`${b.url}/sign-in`);
    await page.getByLabel('E-mail').fill('sales-io@example.com');
    await page.getByLabel('Password').fill('pw-pw-pw-pw');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Modules' }).waitFor();
    await page.goto(`${b.url}/m/accounts`);
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    await page.getByRole('link', { name: 'New' }).waitFor();
    expect(await page.getByRole('button', { name: 'Export' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Import', exact: true }).count()).toBe(0);
    await page.context().close();
  });

  it('in zh-CN at 375 px: labels, the dry run error, no sideways scroll', async () => {
    const page = await signedIn(375, 'zh-CN');
    await page.goto(`${b.url}/m/accounts`);
    await page.getByRole('heading', { name: '客户', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: '导出' }).count()).toBe(1);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: '导入' }).click();
    const dialog = page.getByRole('dialog', { name: '导入客户' });
    await dialog.waitFor();
    await dialog.getByLabel('CSV 文件').setInputFiles({
      name: 'accounts.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('客户名称,员工人数\r\nIO 中文,很多\r\n'),
    });
    await expect
      .poll(() =>
        dialog
          .getByRole('alert')
          .getByText(/第 2 行 · 员工人数：/)
          .count(),
      )
      .toBe(1);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    const box = await page.locator('.io-modal').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.waitForTimeout(250);
    await screenshots(page, 'io-03-zh-CN-dry-run-errors');
    await page.keyboard.press('Escape');
    await screenshots(page, 'io-04-zh-CN-list-toolbar');
    await page.context().close();
    await b.t.call('PATCH', '/api/auth/me', { locale: 'en' });
    // The shots for a person to look at, where the task's reviewer asked for them.
    const out = process.env.IO_SHOTS;
    if (out) {
      mkdirSync(out, { recursive: true });
      for (const name of [
        'io-01-list-toolbar',
        'io-02-dry-run-errors',
        'io-03-zh-CN-dry-run-errors',
        'io-04-zh-CN-list-toolbar',
      ])
        for (const suffix of ['', '-375'])
          copyFileSync(
            path.join(SCREENS, `${name}${suffix}.png`),
            path.join(out, `${name}${suffix}.png`),
          );
    }
  });
});
