import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('the API is never open', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('answers health without a token and refuses records without one', async () => {
    expect((await t.call('GET', '/api/health', undefined, null)).body).toEqual({ status: 'ok' });
    const r = await t.call('GET', '/api/meta', undefined, null);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('UNAUTHORIZED');
  });

  it('logs in, and refuses a wrong password with 401', async () => {
    const bad = await t.call(
      'POST',
      '/api/auth/login',
      { email: 'admin@example.com', password: 'nope' },
      null,
    );
    expect(bad.status).toBe(401);
    const meta = await t.call('GET', '/api/meta');
    expect(meta.status).toBe(200);
    expect(meta.body).toEqual({ revision: 0, documents: [] });
  });
});
