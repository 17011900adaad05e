import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { REPO_ROOT } from './config.js';

/** Where `vite build` puts the web app. */
export const WEB_DIST = path.join(REPO_ROOT, 'apps/web/dist');

/** Whether `vite build` has produced the web app. */
export function webBuilt(root: string = WEB_DIST): boolean {
  return existsSync(path.join(root, 'index.html'));
}

/**
 * Serves the built web app from the API's own origin: files under `/`, and index.html for any
 * other page path so the app's routes survive a reload. `/api/*` keeps its JSON 404s. Without a
 * build (`pnpm --filter @atrium/web build`) the root says where things are instead.
 */
export async function webAssets(
  app: FastifyInstance,
  options: { root?: string } = {},
): Promise<void> {
  const root = options.root ?? WEB_DIST;
  if (!webBuilt(root)) {
    app.get('/', async () => ({
      name: 'Atrium',
      web: 'not built: run `pnpm --filter @atrium/web build`, or `pnpm start`',
      api: '/api',
      health: '/api/health',
      openapi: '/api/openapi.json',
    }));
    return;
  }
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root,
      wildcard: false,
      // Hashed file names under /assets never change; index.html always revalidates.
      setHeaders: (res, file) => {
        res.header(
          'cache-control',
          file.includes(`${path.sep}assets${path.sep}`)
            ? 'public, max-age=31536000, immutable'
            : 'no-cache',
        );
      },
    });
    // Any other page path is a route of the app: answer index.html and let the router decide.
    scope.get('/*', async (request, reply) => {
      const url = request.url.split('?')[0] ?? '';
      if (url === '/api' || url.startsWith('/api/') || path.extname(url) !== '') {
        return reply.status(404).send({
          error: { code: 'NOT_FOUND', message: `No route GET ${url}`, details: [] },
        });
      }
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    });
  });
}
