import { type Actor, authenticate, type Db } from '@atrium/engine';
import fastifyJwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

interface Claims {
  sub: string;
  email: string;
  admin: boolean;
}

/** Routes anyone may call; everything else under /api needs a bearer token. */
const PUBLIC = new Set(['/api/health', '/api/auth/login']);

/**
 * Login with e-mail and password → a JWT; every other /api request must carry it. The actor
 * comes from the token's claims, so a request costs no user lookup.
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
    // Guessing passwords is slowed per address and e-mail; the limit is per node.
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) => ({
        statusCode: 429,
        message: `Too many sign-in attempts; try again in ${Math.ceil(context.ttl / 1000)} s`,
      }),
    });

    app.addHook('onRequest', async (request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (!path.startsWith('/api/') || PUBLIC.has(path)) return;
      try {
        const claims = await request.jwtVerify<Claims>();
        request.actor = {
          id: claims.sub,
          email: claims.email,
          isAdmin: claims.admin,
        } satisfies Actor;
      } catch {
        return reply.status(401).send({
          error: {
            code: 'UNAUTHORIZED',
            message: 'Sign in first: send Authorization: Bearer <token>',
            details: [],
          },
        });
      }
    });

    app.post<{ Body: { email: string; password: string } }>(
      '/api/auth/login',
      {
        config: {
          rateLimit: {
            max: opts.loginAttemptsPerMinute ?? 20,
            timeWindow: '1 minute',
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
      async (request, reply) => {
        const user = await authenticate(opts.db, request.body.email, request.body.password);
        if (!user) {
          return reply.status(401).send({
            error: {
              code: 'UNAUTHORIZED',
              message: 'Wrong e-mail or password',
              details: [{ path: 'password', message: 'does not match' }],
            },
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
