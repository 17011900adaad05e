import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ensureWebBuild } from './support/browser.js';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

describe('the web build', () => {
  it('keeps the JavaScript of the first load within 300 KB gzip (record pages load later)', () => {
    ensureWebBuild();
    const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
    // What the browser fetches before the first screen: the entry and its preloaded imports.
    const files = [
      ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
      ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
    ].map((m) => m[1] as string);
    expect(files.length).toBeGreaterThan(0);
    const sizes = files.map((f) => gzipSync(readFileSync(path.join(DIST, f))).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(
      `initial JS: ${(total / 1024).toFixed(1)} KB gzip in ${files.length} files (${files.join(', ')})`,
    );
    expect(total).toBeLessThanOrEqual(300 * 1024);
    // The renderer (forms, tables) is not part of it.
    expect(files.some((f) => /ListPage|FormPage|RecordPage/.test(f))).toBe(false);
    // Nor is the chart library: only dashboard and report pages load it.
    expect(files.some((f) => /DashboardPage|ReportPage/.test(f))).toBe(false);
    expect(
      files.filter((f) => readFileSync(path.join(DIST, f), 'utf8').includes('echarts')),
    ).toEqual([]);
  });
});
