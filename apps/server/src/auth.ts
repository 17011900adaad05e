import {
  type Actor,
  API_TOKEN_PREFIX,
  AtriumError,
  authenticate,
  CredentialCache,
  createSession,
  type Db,
  loginAllowed,
  recordAudit,
  secretHash,
  touchApiToken,
} from '@atrium/engine';
import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { serverMsg } from './server-messages.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The API route answers without a token (health, login). Every other /api route needs one. */
    public?: boolean;
  }
  interface FastifyInstance {
    /** Who a credential belongs to, shared with the routes that change users, sessions and tokens. */
    credentials: CredentialCache;
    /** Signs a short-lived access token for a session; `expiresIn` in seconds. */
    accessToken(userId: string, sessionId: string): { token: string; expiresIn: number };
  }
  interface FastifyRequest {
    /** The session (signed-in user) or API token the request came with. */
    credential?: { kind: 'session' | 'token'; id: string };
  }
}

/** Claims of an access token: whose, and which session (checked live on every request). */
export interface Claims {
  sub: string;
  sid: string;
}

export interface AuthOptions {
  db: Db;
  secret: string;
  /** Lifetime of an access token, in seconds (default 15 minutes); refresh tokens renew it. */
  accessTtlSeconds?: number;
  /** Sign-in attempts per address and e-mail per minute, counted in Postgres across nodes. */
  loginAttemptsPerMinute?: number;
  /** Shared with main.ts, which makes it listen for changes made by other nodes. */
  credentials?: CredentialCache;
}

const REFUSED = {
  en: 'Sign in first: send Authorization: Bearer <token>',
  'zh-CN': '请先登录：发送 Authorization: Bearer <token>',
};

/**
 * Sign-in with e-mail and password → a short-lived access token (JWT naming the session) and a
 * refresh token; or an API token (`atr_…`). Every API route not marked `config: { public: true }`
 * must carry one. The decision is made from the route Fastify matched, never from the raw URL,
 * so `/%61pi/...` cannot slip past it. The actor is loaded per request (cached per node, and
 * dropped on every node when the user, session or token changes), never taken from claims:
 * a deactivated user's next request is refused.
 */
export const auth = fp(
  async (app: FastifyInstance, opts: AuthOptions) => {
    const ttl = opts.accessTtlSeconds ?? 15 * 60;
    await app.register(fastifyJwt, { secret: opts.secret, sign: { expiresIn: ttl } });
    const credentials = opts.credentials ?? new CredentialCache(opts.db);
    app.decorate('credentials', credentials);
    app.decorate('accessToken', (userId: string, sessionId: string) => ({
      token: app.jwt.sign({ sub: userId, sid: sessionId } satisfies Claims),
      expiresIn: ttl,
    }));
    app.decorateRequest('actor', null);

    app.addHook('onRequest', async (request) => {
      if (isPublic(request)) return;
      const actor = await actorOf(app, opts.db, request);
      if (!actor) throw new AtriumError('UNAUTHORIZED', [], REFUSED);
      request.actor = actor;
    });

    app.post<{ Body: { email: string; password: string } }>(
      '/api/auth/login',
      {
        config: { public: true },
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
        const { email, password } = request.body;
        // Guessing passwords is slowed per address and e-mail, in Postgres so it holds across nodes.
        const limit = await loginAllowed(
          opts.db,
          `${request.ip}|${email.toLowerCase()}`,
          opts.loginAttemptsPerMinute ?? 20,
        );
        if (!limit.allowed) {
          throw new AtriumError('RATE_LIMITED', [], {
            en: `Too many sign-in attempts; try again in ${limit.retryAfterSeconds} s`,
            'zh-CN': `登录尝试过多，请 ${limit.retryAfterSeconds} 秒后再试`,
          });
        }
        const user = await authenticate(opts.db, email, password);
        if (!user) {
          await recordAudit(opts.db, {
            action: 'auth.login_failed',
            address: request.ip,
            details: { email },
          });
          throw new AtriumError('UNAUTHORIZED', [serverMsg.at('password', 'noMatch')], {
            en: 'Wrong e-mail or password',
            'zh-CN': '电子邮件或密码错误',
          });
        }
        const session = await createSession(opts.db, user.id, request.ip);
        await recordAudit(opts.db, {
          actorId: user.id,
          action: 'auth.login',
          target: `session:${session.id}`,
          address: request.ip,
        });
        return {
          ...app.accessToken(user.id, session.id),
          refreshToken: session.refreshToken,
          user,
        };
      },
    );
  },
  { name: 'atrium-auth' },
);

/** The actor of a request's bearer credential, or undefined when it is missing or no longer good. */
async function actorOf(
  app: FastifyInstance,
  db: Db,
  request: FastifyRequest,
): Promise<Actor | undefined> {
  const header = request.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  if (!bearer) return undefined;
  let userId: string;
  if (bearer.startsWith(API_TOKEN_PREFIX)) {
    const token = await app.credentials.token(secretHash(bearer));
    if (!token || !CredentialCache.usable(token)) return undefined;
    userId = token.userId;
    request.credential = { kind: 'token', id: token.id };
    // Last use is written at most once a minute per token, off the request's path.
    if (!token.lastUsedAt || Date.now() - new Date(token.lastUsedAt).getTime() > 60_000) {
      token.lastUsedAt = new Date();
      touchApiToken(db, token.id, token.userId, request.ip).catch((e: Error) =>
        request.log.warn(`could not record the use of an API token: ${e.message}`),
      );
    }
  } else {
    let claims: Claims;
    try {
      claims = await request.jwtVerify<Claims>();
    } catch {
      return undefined;
    }
    if (typeof claims.sid !== 'string') return undefined;
    const session = await app.credentials.session(claims.sid);
    if (!session || !CredentialCache.usable(session) || session.userId !== claims.sub)
      return undefined;
    userId = claims.sub;
    request.credential = { kind: 'session', id: session.id };
  }
  const user = await app.credentials.user(userId);
  if (!user?.active) return undefined;
  return {
    id: user.id,
    email: user.email,
    isAdmin: user.isAdmin,
    role: user.role,
    profile: user.profile,
    locale: user.locale,
  };
}

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
