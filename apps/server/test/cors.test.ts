import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { startTestApp } from './support/test-app.js';

describe('CORS', () => {
  it('is same-origin by default: no header lets another origin read, even on a preflight', async () => {
    const t = await startTestApp();
    try {
      const get = await t.app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { origin: 'https://evil.example' },
      });
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await t.app.inject({
        method: 'OPTIONS',
        url: '/api/meta',
        headers: {
          origin: 'https://evil.example',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it('allows exactly the origins of ATRIUM_CORS_ORIGINS', async () => {
    const { corsOrigins } = loadConfig({
      ATRIUM_CORS_ORIGINS: ' https://crm.example.com/, http://localhost:5173 ',
    });
    expect(corsOrigins).toEqual(['https://crm.example.com', 'http://localhost:5173']);
    expect(() => loadConfig({ ATRIUM_CORS_ORIGINS: 'https://crm.example.com/app' })).toThrow(
      /ATRIUM_CORS_ORIGINS/,
    );
    const t = await startTestApp();
    const app = await buildApp({ engine: t.engine, jwtSecret: 'x'.repeat(32), corsOrigins });
    try {
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/meta',
        headers: {
          origin: 'http://localhost:5173',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const other = await app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { origin: 'https://evil.example' },
      });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const allowed = await app.inject({
        method: 'GET',
        url: '/api/health',
        headers: { origin: 'https://crm.example.com' },
      });
      expect(allowed.headers['access-control-allow-origin']).toBe('https://crm.example.com');
    } finally {
      await app.close();
      await t.close();
    }
  });
});
