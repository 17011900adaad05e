import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { errorHandler } from '@atrium/engine';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageFallback, webAssets } from '../src/web-assets.js';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the web app served by the server', () => {
  let t: TestApp;
  let dir: string;
  const web = Fastify();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'atrium-web-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(dir, 'assets/app-abc123.js'), 'console.log(1)');
    await web.register(errorHandler, { pageFallback: pageFallback(dir) });
    await webAssets(web, { root: dir });
    t = await startTestApp();
  });
  afterAll(async () => {
    await web.close();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at / and at any page path, so app routes survive a reload', async () => {
    for (const url of ['/', '/sign-in', '/m/deals/0190-abc?view=all']) {
      const r = await web.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.body).toContain('<div id="root">');
    }
  });

  it('serves hashed assets as immutable and a missing file as a 404, not the page', async () => {
    const asset = await web.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const missing = await web.inject({ method: 'GET', url: '/assets/gone-000.js' });
    expect(missing.statusCode).toBe(404);
  });

  it('keeps /api answers JSON: an unknown API path is a 404 in the error shape', async () => {
    const r = await t.call('GET', '/api/no-such-route');
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('ROUTE_NOT_FOUND');
    const local = await web.inject({ method: 'GET', url: '/api/anything' });
    expect(local.statusCode).toBe(404);
    expect(local.json().error.code).toBe('ROUTE_NOT_FOUND');
  });
});
