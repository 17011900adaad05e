import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { REPO_ROOT } from './config.js';

/** Where `vite build` puts the web app. */
export const WEB_DIST = path.join(REPO_ROOT, 'apps/web/dist');

/** Whether `vite build` has produced the web app. */
export function webBuilt(root: string = WEB_DIST): boolean {
  return existsSync(path.join(root, 'index.html'));
}

/**
 * Serves the built web app from the API's own origin: its files under `/`. Any other page path
 * is a route of the app and is answered index.html by `pageFallback` (the 404 handler's), so the
 * app's routes survive a reload, while `/api/*` keeps its JSON 404s and its authentication.
 * Without a build (`pnpm --filter @atrium/web build`) the root says where things are instead.
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
  await app.register(fastifyStatic, {
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
}

/**
 * The 404 handler's fallback: a GET of a page path (not under /api, no file extension) is a
 * route of the web app, answered with its index.html when the app is built.
 */
export function pageFallback(root: string = WEB_DIST) {
  const built = webBuilt(root);
  return (request: FastifyRequest, reply: FastifyReply): boolean => {
    const url = request.url.split('?')[0] ?? '';
    if (!built || url === '/api' || url.startsWith('/api/') || path.extname(url) !== '')
      return false;
    void reply.header('cache-control', 'no-cache').sendFile('index.html', root);
    return true;
  };
}
