/**
 * Browser-test harness: the real server (buildApp on a fresh test database with the b2b-sales
 * template and the built web app) on a free port, driven by Debian's Chromium through
 * playwright-core. Screenshots land in .test-results/screens/ for a person to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Booted } from '../../../server/src/boot.js';
import { installTemplate } from '../../../server/src/templates.js';
import { ADMIN, startTestApp, type TestApp } from '../../../server/test/support/test-app.js';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROOT = path.resolve(WEB, '../..');
export const SCREENS = path.join(ROOT, '.test-results/screens');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export { ADMIN };

/** Why browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  if (!existsSync(CHROMIUM)) {
    return `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium fonts-wqy-zenhei)`;
  }
  return undefined;
}

function newest(dir: string): number {
  let latest = 0;
  if (!existsSync(dir)) return latest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Builds the web app (vite build) when dist is missing or older than its sources. Test files
 * running side by side take turns through a lock directory, so one builds and the others wait.
 */
export function ensureWebBuild(): void {
  const index = path.join(WEB, 'dist/index.html');
  const fresh = () =>
    existsSync(index) &&
    statSync(index).mtimeMs >=
      Math.max(
        newest(path.join(WEB, 'src')),
        statSync(path.join(WEB, 'index.html')).mtimeMs,
        newest(path.join(ROOT, 'packages/renderer/dist')),
        newest(path.join(ROOT, 'packages/renderer/src')),
      );
  if (fresh()) return;
  const lock = path.join(WEB, '.build-lock');
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than two minutes is left over from a crash.
      if (waited > 120_000) rmSync(lock, { recursive: true, force: true });
      sleep(200);
    }
  }
  try {
    if (fresh()) return;
    const vite = path.join(WEB, 'node_modules/vite/bin/vite.js');
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
      cwd: WEB,
      stdio: 'inherit',
      // vitest sets NODE_ENV=test, which would give React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
    });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A running Atrium with the B2B template, reachable at `url`, and a Chromium to drive it. */
export interface BrowserApp {
  t: TestApp;
  url: string;
  browser: Browser;
  /** A fresh browser context (own storage) at the given viewport width. */
  context(width?: number, height?: number): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function startBrowserApp(): Promise<BrowserApp> {
  ensureWebBuild();
  const t = await startTestApp();
  await installTemplate({ engine: t.engine, handle: t.handle } as Booted, 'b2b-sales', () => {});
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENS, { recursive: true });
  return {
    t,
    url: `http://127.0.0.1:${port}`,
    browser,
    context: async (width = 1280, height = 800) => {
      const context = await browser.newContext({
        viewport: { width, height },
        locale: 'en-US',
        timezoneId: 'UTC',
      });
      // Fail well before the test's timeout, so the error names the step (the margin is for a
      // machine whose two cores are shared by many processes).
      context.setDefaultTimeout(20_000);
      return context;
    },
    close: async () => {
      await browser.close().catch(() => {});
      await t.close();
    },
  };
}

/** Saves a full-page screenshot as a test artefact. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENS, `${name}.png`), fullPage: true });
}

/**
 * The same step at the page's width and at 375 px (`<name>-375.png`): the page is narrowed,
 * given a moment to lay out again (lists turn into cards), shot, and widened back.
 */
export async function screenshots(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  const size = page.viewportSize();
  if (!size || size.width <= 375) return;
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(250);
  await screenshot(page, `${name}-375`);
  await page.setViewportSize(size);
  await page.waitForTimeout(250);
}

const AXE = createRequire(path.join(WEB, 'package.json')).resolve('axe-core/axe.min.js');

/** Serious and critical accessibility violations axe-core finds on the page, as readable lines. */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } })
      .axe;
    const result = await axe.run();
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

interface AxeViolation {
  id: string;
  impact: string;
  nodes: { target: string[] }[];
}

/** Signs in through the sign-in page as the test administrator. */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/sign-in`);
  await page.getByLabel('E-mail').fill(ADMIN.email);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The shell, in whichever language the user works in.
  await page.getByRole('navigation', { name: /^(Modules|模块)$/ }).waitFor();
}
