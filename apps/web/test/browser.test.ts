import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  axeViolations,
  type BrowserApp,
  browserUnavailable,
  screenshot,
  signIn,
  startBrowserApp,
} from './support/browser.js';

const unavailable = browserUnavailable();
if (unavailable) console.warn(unavailable);

describe.skipIf(unavailable !== undefined)('the web app in Chromium', () => {
  let b: BrowserApp;
  beforeAll(async () => {
    b = await startBrowserApp();
  }, 120_000);
  afterAll(async () => {
    await b?.close();
  });

  /** A page at 1280 px (or `width`) signed in as the administrator. */
  const signedIn = async (width = 1280): Promise<Page> => {
    const context = await b.context(width);
    const page = await context.newPage();
    await signIn(page, b.url);
    return page;
  };

  it('signs in: errors under the fields, then the shell with the modules', async () => {
    const page = await (await b.context()).newPage();
    await page.goto(`${b.url}/`);
    // Not signed in: the app sends the visitor to the sign-in page.
    await page.getByRole('heading', { name: 'Sign in to Atrium' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    expect(await axeViolations(page)).toEqual([]);
    await screenshot(page, '01-sign-in');

    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByText('Enter your E-mail').count()).toBe(1);
    await page.getByLabel('E-mail').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // The refusal sits under the password field and is announced as its description.
    const password = page.getByLabel('Password');
    await expect.poll(() => password.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await password.getAttribute('aria-describedby');
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe(
      'Wrong e-mail or password',
    );
    await screenshot(page, '02-sign-in-errors');

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const nav = page.getByRole('navigation', { name: 'Modules' });
    await nav.waitFor();
    for (const label of ['Leads', 'Accounts', 'Contacts', 'Deals']) {
      await expect.poll(() => nav.getByRole('link', { name: label }).count()).toBe(1);
    }
    await screenshot(page, '03-shell');
    await page.context().close();
  }, 60_000);

  it('switches to zh-CN: UI strings and metadata labels, kept for the user', async () => {
    const page = await signedIn();
    await page.getByRole('button', { name: /User menu/ }).click();
    await page.getByRole('menuitemradio', { name: '简体中文' }).click();
    const nav = page.getByRole('navigation', { name: '模块' });
    await expect.poll(() => nav.getByRole('link', { name: '商机' }).count()).toBe(1);
    await expect.poll(() => page.getByRole('button', { name: /搜索记录/ }).count()).toBe(1);
    await screenshot(page, '20-zh-CN-shell');
    // Saved through PATCH /api/auth/me: a new session starts in Chinese.
    const me = await b.t.call('GET', '/api/auth/me');
    expect(me.body.locale).toBe('zh-CN');
    await b.t.call('PATCH', '/api/auth/me', { locale: 'en' });
    await page.context().close();
  }, 60_000);

  it('at 375 px: no sideways scroll, the sidebar is a drawer', async () => {
    const page = await signedIn(375);
    const nav = page.getByRole('navigation', { name: 'Modules' });
    expect(await nav.isVisible()).toBe(true); // present in the DOM …
    const hidden = await nav.evaluate((el) => el.getBoundingClientRect().right <= 0);
    expect(hidden).toBe(true); // … but off-screen until opened
    await screenshot(page, '30-phone-shell');
    await page.getByRole('button', { name: 'Open navigation' }).click();
    await expect.poll(() => nav.evaluate((el) => el.getBoundingClientRect().left)).toBe(0);
    await screenshot(page, '31-phone-drawer');
    await nav.getByRole('link', { name: 'Deals' }).click();
    await expect.poll(() => nav.evaluate((el) => el.getBoundingClientRect().right <= 0)).toBe(true);
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await screenshot(page, '32-phone-deals');
    await page.context().close();
  }, 60_000);
});
