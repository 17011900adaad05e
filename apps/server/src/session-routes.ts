import {
  AtriumError,
  changeOwnPassword,
  contextOf,
  type Db,
  recordAudit,
  refreshSession,
  revokeSession,
  usePasswordToken,
} from '@atrium/engine';
import type { FastifyInstance } from 'fastify';
import { serverMsg } from './server-messages.js';
import { PASSWORD } from './users-routes.js';

const refreshBody = {
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const SIGN_IN_AGAIN = {
  en: 'The session has ended; sign in again',
  'zh-CN': '会话已结束，请重新登录',
};

/**
 * The life of a session after sign-in: refresh (the refresh token is rotated on every use),
 * logout (revokes the session: its access tokens are refused from the next request on), a
 * password change, and a password set with a one-time token. Refresh, logout and reset carry
 * their own proof, so they need no access token (it may have expired).
 */
export async function sessionRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.post<{ Body: { refreshToken: string } }>(
    '/auth/refresh',
    { config: { public: true }, schema: { body: refreshBody } },
    async (request) => {
      const session = await refreshSession(db, request.body.refreshToken);
      const user = session && (await app.credentials.user(session.userId));
      if (!session || !user?.active) throw new AtriumError('UNAUTHORIZED', [], SIGN_IN_AGAIN);
      return { ...app.accessToken(user.id, session.id), refreshToken: session.refreshToken };
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    '/auth/logout',
    { config: { public: true }, schema: { body: refreshBody } },
    async (request, reply) => {
      // Only the holder of the session's current refresh token may end it.
      const session = await refreshSession(db, request.body.refreshToken);
      if (session) {
        await revokeSession(db, session.id);
        app.credentials.forget(`session:${session.id}`);
        await recordAudit(db, {
          actorId: session.userId,
          action: 'auth.logout',
          target: `session:${session.id}`,
          address: request.ip,
        });
      }
      // The same answer either way: logging out twice is not an error.
      reply.code(204);
    },
  );

  app.post<{ Body: { current: string; new: string } }>(
    '/auth/password',
    {
      schema: {
        body: {
          type: 'object',
          required: ['current', 'new'],
          additionalProperties: false,
          properties: { current: { type: 'string', minLength: 1, maxLength: 1000 }, new: PASSWORD },
        },
      },
    },
    async (request, reply) => {
      const { actor } = contextOf(request);
      const ok = await changeOwnPassword(db, {
        userId: actor.id,
        current: request.body.current,
        next: request.body.new,
        ...(request.credential?.kind === 'session' ? { sessionId: request.credential.id } : {}),
        address: request.ip,
      });
      if (!ok)
        throw new AtriumError('VALIDATION_FAILED', [serverMsg.at('current', 'notCurrentPassword')]);
      app.credentials.forgetAll();
      reply.code(204);
    },
  );

  app.post<{ Body: { token: string; password: string } }>(
    '/auth/reset',
    {
      config: { public: true },
      schema: {
        body: {
          type: 'object',
          required: ['token', 'password'],
          additionalProperties: false,
          properties: {
            token: { type: 'string', minLength: 1, maxLength: 200 },
            password: PASSWORD,
          },
        },
      },
    },
    async (request, reply) => {
      const userId = await usePasswordToken(
        db,
        request.body.token,
        request.body.password,
        request.ip,
      );
      if (!userId) throw new AtriumError('LINK_EXPIRED', [serverMsg.at('token', 'notUsable')]);
      app.credentials.forgetAll();
      reply.code(204);
    },
  );
}
