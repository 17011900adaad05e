import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  axeViolations,
  type BrowserApp,
  browserUnavailable,
  screenshot,
  screenshots,
  signIn,
  startBrowserApp,
} from './support/browser.js';

// Two shared cores: polls get the time the locators get (see browser.test.ts).
vi.setConfig({ expect: { poll: { timeout: 15_000, interval: 50 } } });

const unavailable = browserUnavailable();
if (unavailable) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('the recycle bin and Undo in Chromium', () => {
  let b: BrowserApp;
  let accountId: string;
  beforeAll(async () => {
    b = await startBrowserApp();
    const accounts = await b.t.call('GET', '/api/records/accounts?limit=1');
    accountId = accounts.body.data[0].id;
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
  const newDeal = async (name: string, account = accountId): Promise<string> => {
    const created = await b.t.call('POST', '/api/records/deals', { name, account });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return created.body.id as string;
  };
  /** The deal as the API sees it, bin included: `deleted_at` null once it is back. */
  const deletedAt = async (id: string) =>
    (await b.t.call('GET', `/api/records/deals/${id}?deleted=true`)).body.deleted_at;
  const sideways = (page: Page) =>
    page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
  /** Deletes the deal on screen through its record page's confirmation. */
  const deleteFromRecordPage = async (page: Page, id: string, name: string) => {
    await page.goto(`${b.url}/m/deals/${id}`);
    await page.getByRole('heading', { name }).waitFor();
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog', { name: `Delete ${name}?` });
    await expect.poll(() => dialog.getByText(/recycle bin/).count()).toBe(1);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('heading', { name: 'Deals', exact: true }).waitFor();
  };

  it('Undo in the "deleted" toast brings the record back, from the keyboard', async () => {
    const name = 'Undo test deal';
    const id = await newDeal(name);
    const page = await signedIn();
    await deleteFromRecordPage(page, id, name);
    const toasts = page.getByRole('region', { name: 'Notifications' });
    await expect.poll(() => toasts.getByText(`${name} deleted`).count()).toBe(1);
    expect(await deletedAt(id)).not.toBeNull();
    const undo = toasts.getByRole('button', { name: `Undo: restore ${name}` });
    expect(await undo.textContent()).toBe('Undo');
    await screenshots(page, 'bin-01-toast-undo');
    // The toast waits while the pointer rests on it; past 8 s it would be gone otherwise.
    await undo.hover();
    await page.waitForTimeout(9000);
    expect(await undo.count()).toBe(1);
    // Keyboard: the button takes the focus and Enter presses it.
    await undo.focus();
    expect(await undo.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => toasts.getByText(`${name} restored`).count()).toBe(1);
    expect(await deletedAt(id)).toBeNull();
    // The list on screen shows it again, and the toast links to it.
    await expect.poll(() => page.locator('tbody tr.at-row', { hasText: name }).count()).toBe(1);
    await screenshot(page, 'bin-02-toast-restored');
    await toasts.getByRole('link', { name: `Open ${name}` }).click();
    await page.getByRole('heading', { name }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/m/deals/${id}`);
    await page.context().close();
  }, 90_000);

  it('opens the bin from the list, shows who deleted what when, and restores a row', async () => {
    const name = 'Bin test deal';
    const id = await newDeal(name);
    const page = await signedIn();
    await deleteFromRecordPage(page, id, name);
    await page.getByRole('link', { name: 'Recycle bin' }).click();
    await page.getByRole('heading', { name: 'Recycle bin · Deals' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/m/deals/bin');
    const table = page.getByRole('table', { name: 'Deleted Deals' });
    const row = table.getByRole('row').filter({ hasText: name });
    await row.waitFor();
    // Newest first: the deal just deleted heads the list (the Undo test's deal is back).
    const first = table.getByRole('row').nth(1);
    expect(await first.getByRole('cell').first().textContent()).toBe(name);
    const cells = await row.getByRole('cell').allTextContents();
    // Deleted today, in the user's zone (UTC here), by the administrator.
    const today = new Intl.DateTimeFormat('en', {
      month: 'short',
      day: 'numeric',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(new Date());
    expect(cells[1]).toContain(today);
    expect(cells[2]).not.toBe('—');
    expect(cells[2]).not.toBe('Unknown user');
    expect(await axeViolations(page)).toEqual([]);
    await screenshots(page, 'bin-03-rows');
    expect(await sideways(page)).toBe(0);

    await row.getByRole('button', { name: `Restore ${name}` }).click();
    const toasts = page.getByRole('region', { name: 'Notifications' });
    await expect.poll(() => toasts.getByText(`${name} restored`).count()).toBe(1);
    await expect.poll(() => table.getByRole('row').filter({ hasText: name }).count()).toBe(0);
    expect(await deletedAt(id)).toBeNull();
    await page.getByRole('link', { name: 'Back to Deals' }).click();
    await expect.poll(() => page.locator('tbody tr.at-row', { hasText: name }).count()).toBe(1);
    await page.context().close();
  }, 90_000);

  it('a refused restore says why beside its row: the deal’s account is in the bin too', async () => {
    const account = await b.t.call('POST', '/api/records/accounts', { name: 'Binned Account Co' });
    const name = 'Orphan deal';
    const id = await newDeal(name, account.body.id);
    const deal = await b.t.call('GET', `/api/records/deals/${id}`);
    const gone = await b.t.call('DELETE', `/api/records/deals/${id}?version=${deal.body.version}`);
    expect(gone.status).toBeLessThan(300);
    const gone2 = await b.t.call(
      'DELETE',
      `/api/records/accounts/${account.body.id}?version=${account.body.version}`,
    );
    expect(gone2.status, JSON.stringify(gone2.body)).toBeLessThan(300);

    const page = await signedIn();
    await page.goto(`${b.url}/m/deals/bin`);
    const row = page.getByRole('row').filter({ hasText: name });
    const restore = row.getByRole('button', { name: `Restore ${name}` });
    await restore.click();
    const alert = row.getByRole('alert');
    await expect
      .poll(() => alert.textContent())
      .toBe('Account: points to a record in the recycle bin; restore it first');
    // Still in the bin, the button usable again and described by the refusal.
    expect(await deletedAt(id)).not.toBeNull();
    expect(await restore.isEnabled()).toBe(true);
    expect(await restore.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
    await screenshots(page, 'bin-04-refused');
    await page.context().close();
  }, 90_000);

  it('in zh-CN and at 375 px: labels, cards without sideways scroll, the empty bin', async () => {
    const name = 'Phone bin deal';
    const id = await newDeal(name);
    const deal = await b.t.call('GET', `/api/records/deals/${id}`);
    await b.t.call('DELETE', `/api/records/deals/${id}?version=${deal.body.version}`);

    const page = await signedIn(1280, 'zh-CN');
    await page.goto(`${b.url}/m/deals`);
    await page.getByRole('link', { name: '回收站' }).click();
    await page.getByRole('heading', { name: '回收站 · 商机' }).waitFor();
    const table = page.getByRole('table', { name: '已删除的商机' });
    expect(await table.getByRole('columnheader').allTextContents()).toEqual([
      '名称',
      '删除时间',
      '删除人',
      '操作',
    ]);
    const row = table.getByRole('row').filter({ hasText: name });
    await row.getByRole('button', { name: `恢复 ${name}` }).waitFor();
    // Dates as zh-CN writes them: 2026/11/27.
    expect((await row.getByRole('cell').nth(1).textContent()) ?? '').toMatch(
      /^\d{4}\/\d{2}\/\d{2}/,
    );
    await screenshot(page, 'bin-05-zh-rows');
    await page.setViewportSize({ width: 375, height: 800 });
    await page.waitForTimeout(250);
    expect(await sideways(page)).toBe(0);
    // A card per record: the Restore button sits inside the screen.
    const card = page
      .getByRole('list', { name: '已删除的商机' })
      .getByRole('listitem')
      .filter({ hasText: name });
    expect(await card.locator('dt').allTextContents()).toEqual(['删除时间', '删除人']);
    const box = await card.getByRole('button', { name: `恢复 ${name}` }).boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    await screenshot(page, 'bin-05-zh-rows-375');
    await page.setViewportSize({ width: 1280, height: 800 });

    // An empty bin says so and what lands there.
    await page.goto(`${b.url}/m/tasks/bin`);
    await page.getByRole('heading', { name: '回收站是空的' }).waitFor();
    await screenshots(page, 'bin-06-zh-empty');
    await b.t.call('PATCH', '/api/auth/me', { locale: 'en' });
    await page.context().close();

    const en = await signedIn(375);
    await en.goto(`${b.url}/m/tasks/bin`);
    await en.getByRole('heading', { name: 'The recycle bin is empty' }).waitFor();
    expect(await sideways(en)).toBe(0);
    await screenshot(en, 'bin-07-empty-375');
    await en.setViewportSize({ width: 1280, height: 800 });
    await screenshot(en, 'bin-07-empty');
    await en.context().close();
  }, 90_000);

  it('pages the bin by cursor: 50 at first, "Load more" brings the rest', async () => {
    const create = Array.from({ length: 55 }, (_, i) => ({
      name: `Paged bin deal ${i + 1}`,
      account: accountId,
    }));
    const made = await b.t.call('POST', '/api/records/deals/bulk', { create });
    expect(made.status, JSON.stringify(made.body).slice(0, 300)).toBe(200);
    const created = made.body.created as { id: string; version: number }[];
    const gone = await b.t.call('POST', '/api/records/deals/bulk', {
      delete: created.map((r) => ({ id: r.id, version: r.version })),
    });
    expect(gone.status, JSON.stringify(gone.body).slice(0, 300)).toBe(200);
    const inBin = (await b.t.call('GET', '/api/records/deals?deleted=only&count=true&limit=1')).body
      .count.value as number;

    const page = await signedIn();
    await page.goto(`${b.url}/m/deals/bin`);
    const rows = page.getByRole('table', { name: 'Deleted Deals' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(50);
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await expect.poll(() => rows.count()).toBe(inBin);
    expect(await more.count()).toBe(0);
    // Every deleted record once, none twice across the pages.
    const names = await rows.locator('td.bin-name').allTextContents();
    expect(new Set(names).size).toBe(names.length);
    await page.context().close();
  }, 90_000);

  it('a user who may not delete deals is not offered the bin', async () => {
    const user = { email: 'rep.bin@example.com', password: 'a long enough password 1' };
    const made = await b.t.call('POST', '/api/users', {
      ...user,
      name: 'Rep without delete',
      role: 'sales_rep',
      profile: 'sales',
      locale: 'en',
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const page = await (await b.context()).newPage();
    await page.goto(`${b.url}/sign-in`);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page
      .getByRole('navigation', { name: 'Modules' })
      .getByRole('link', { name: 'Deals' })
      .click();
    await page.getByRole('link', { name: 'New', exact: true }).waitFor();
    expect(await page.getByRole('link', { name: 'Recycle bin' }).count()).toBe(0);
    await page.context().close();
  }, 60_000);
});
