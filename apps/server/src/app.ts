import {
  approvalsRoutes,
  automationsRoutes,
  type CredentialCache,
  contextOf,
  type Engine,
  effectsRoutes,
  errorHandler,
  inputGuard,
  jobsRoutes,
  metaRoutes,
  onClientError,
  onFrameworkError,
  openApiFor,
  recordsRoutes,
  reportsRoutes,
  settingsRoutes,
} from '@atrium/engine';
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { auditRoutes } from './audit-routes.js';
import { auth } from './auth.js';
import { sessionRoutes } from './session-routes.js';
import { tokensRoutes } from './tokens-routes.js';
import { usersRoutes } from './users-routes.js';
import { pageFallback, webAssets } from './web-assets.js';

export interface AppOptions {
  engine: Engine;
  jwtSecret: string;
  logger?: FastifyServerOptions['logger'];
  /**
   * Origins (`https://crm.example.com`) whose pages may call the API from a browser
   * (`ATRIUM_CORS_ORIGINS`). Default none: only pages served from the API's own origin.
   */
  corsOrigins?: readonly string[];
  /**
   * Who each credential belongs to, per node; main.ts makes it listen for changes made by other
   * nodes. Absent: one that keeps entries for 1 s (tests, tools).
   */
  credentials?: CredentialCache;
  /** Lifetime of access tokens in seconds (default 15 minutes). */
  accessTtlSeconds?: number;
  /** Directory of the built web app (default apps/web/dist). */
  webRoot?: string;
  /** `ATRIUM_WEBHOOK_SECRET`, when set: webhooks are signed with it and it cannot be rotated. */
  webhookSecret?: string;
  /** Extra routes mounted after the engine (the benchmark's hand-written baseline). */
  extend?: (app: FastifyInstance) => Promise<void> | void;
}

/**
 * Builds the HTTP app without listening, so tests drive it with inject() or a real port.
 * @example const app = await buildApp({ engine, jwtSecret }); await app.listen({ port: 3000 });
 */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { engine } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 1_048_576,
    // Unknown properties are refused, not silently dropped; lists are not made from lone values.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true } },
    // Module names and ids are short; a longer path parameter is refused (414) before routing.
    routerOptions: { maxParamLength: 100 },
    // Refusals made before a route is found, or by Node's HTTP parser, in the one error shape.
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
  });
  await app.register(errorHandler, { pageFallback: pageFallback(options.webRoot) });
  // Before auth: a browser's preflight carries no token and must be answered (or not) here.
  const origins = options.corsOrigins ?? [];
  await app.register(cors, { origin: origins.length > 0 ? [...origins] : false });
  await app.register(inputGuard);
  await app.register(auth, {
    db: engine.db,
    secret: options.jwtSecret,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.accessTtlSeconds ? { accessTtlSeconds: options.accessTtlSeconds } : {}),
  });

  app.get('/api/health', { config: { public: true } }, async () => ({ status: 'ok' }));
  // The web app at `/` (same origin as the API); see web-assets.ts.
  await webAssets(app, { root: options.webRoot });

  // Built once per revision and profile: a non-admin sees what their profile allows.
  app.get('/api/openapi.json', async (request) => {
    const snapshot = engine.metadata.current;
    const { actor } = contextOf(request);
    return openApiFor(snapshot, actor, { title: 'Atrium', version: `rev-${snapshot.revision}` });
  });

  await app.register(metaRoutes, { prefix: '/api', engine });
  await app.register(recordsRoutes, { prefix: '/api', engine });
  await app.register(reportsRoutes, { prefix: '/api', engine });
  await app.register(settingsRoutes, { prefix: '/api', engine });
  await app.register(jobsRoutes, { prefix: '/api', engine });
  await app.register(automationsRoutes, { prefix: '/api', engine });
  await app.register(approvalsRoutes, { prefix: '/api', engine });
  await app.register(effectsRoutes, {
    prefix: '/api',
    engine,
    ...(options.webhookSecret ? { webhookSecretFromEnv: options.webhookSecret } : {}),
  });
  await app.register(usersRoutes, { prefix: '/api', engine });
  await app.register(sessionRoutes, { prefix: '/api', db: engine.db });
  await app.register(tokensRoutes, { prefix: '/api', db: engine.db });
  await app.register(auditRoutes, { prefix: '/api', db: engine.db });
  await options.extend?.(app);
  return app;
}
