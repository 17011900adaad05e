import { type Actor, AtriumError, authenticate, type Db } from '@atrium/engine';
import fastifyJwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API route answers without a token (health, login). Every other /api route needs one. */
    public?: boolean;
  }
}

/** Rate-limit buckets kept at most (least recently used ones go first): memory stays bounded. */
const LOGIN_BUCKETS = 10_000;

interface Claims {
  sub: string;
  email: string;
  admin: boolean;
}

/**
 * Login with e-mail and password → a JWT; every API route not marked `config: { public: true }`
 * must carry it. The decision is made from the route Fastify matched, never from the raw URL, so
 * `/%61pi/...` cannot slip past it. The actor comes from the token's claims, so a request costs no
 * user lookup.
 */
export const auth = fp(
  async (
    app: FastifyInstance,
    opts: { db: Db; secret: string; expiresIn?: string; loginAttemptsPerMinute?: number },
  ) => {
    await app.register(fastifyJwt, {
      secret: opts.secret,
      sign: { expiresIn: opts.expiresIn ?? '12h' },
    });
    app.decorateRequest('actor', null);
    // Guessing passwords is slowed per address and e-mail; the limit is per node, and its buckets
    // are kept in a bounded LRU (`cache`) so keys made of attacker input cannot grow memory.
    await app.register(rateLimit, {
      global: false,
      cache: LOGIN_BUCKETS,
      errorResponseBuilder: (_request, context) =>
        new AtriumError('RATE_LIMITED', [], {
          en: `Too many sign-in attempts; try again in ${Math.ceil(context.ttl / 1000)} s`,
          'zh-CN': `登录尝试过多，请 ${Math.ceil(context.ttl / 1000)} 秒后再试`,
        }),
    });

    app.addHook('onRequest', async (request) => {
      if (isPublic(request)) return;
      try {
        const claims = await request.jwtVerify<Claims>();
        request.actor = {
          id: claims.sub,
          email: claims.email,
          isAdmin: claims.admin,
        } satisfies Actor;
      } catch {
        throw new AtriumError('UNAUTHORIZED', [], {
          en: 'Sign in first: send Authorization: Bearer <token>',
          'zh-CN': '请先登录：发送 Authorization: Bearer <token>',
        });
      }
    });

    app.post<{ Body: { email: string; password: string } }>(
      '/api/auth/login',
      {
        config: {
          public: true,
          rateLimit: {
            max: opts.loginAttemptsPerMinute ?? 20,
            timeWindow: '1 minute',
            // The route's own store is a bounded LRU too (the plugin's `cache` is not inherited).
            cache: LOGIN_BUCKETS,
            // After body parsing, so the key can hold the e-mail.
            hook: 'preHandler',
            keyGenerator: (request) =>
              `${request.ip}|${String((request.body as { email?: unknown })?.email ?? '').toLowerCase()}`,
          },
        },
        schema: {
          body: {
            type: 'object',
            required: ['email', 'password'],
            additionalProperties: false,
            properties: {
              email: { type: 'string', minLength: 1, maxLength: 254 },
              password: { type: 'string', minLength: 1, maxLength: 1000 },
            },
          },
        },
      },
      async (request) => {
        const user = await authenticate(opts.db, request.body.email, request.body.password);
        if (!user) {
          throw new AtriumError('UNAUTHORIZED', [{ path: 'password', message: 'does not match' }], {
            en: 'Wrong e-mail or password',
            'zh-CN': '电子邮件或密码错误',
          });
        }
        const token = app.jwt.sign({
          sub: user.id,
          email: user.email,
          admin: user.isAdmin,
        } satisfies Claims);
        return { token, user };
      },
    );
  },
  { name: 'atrium-auth' },
);

/**
 * A matched route is public when it says so, or when it is not an API route (the web app's
 * files); the pattern Fastify matched is checked, never the raw URL. A request that matches no
 * route is answered 401 under /api (decoded), so probing does not tell which API routes exist.
 */
function isPublic(request: FastifyRequest): boolean {
  if (request.is404) return !underApi(decodedPath(request.url));
  return request.routeOptions.config.public === true || !underApi(request.routeOptions.url ?? '');
}

function underApi(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}

function decodedPath(url: string): string {
  const path = url.split('?')[0] ?? '';
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
