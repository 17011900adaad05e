import {
  AtriumError,
  accessNameProblems,
  contextOf,
  createPasswordToken,
  createUser,
  type Engine,
  getUser,
  listUsers,
  otherActiveAdmins,
  permissionsOf,
  type RequestContext,
  recordAudit,
  timeZoneValue,
  transferRecords,
  type UserPatch,
  type UserRow,
  updateUser,
  updateUserPreferences,
} from '@atrium/engine';
import { LOCALES } from '@atrium/metadata';
import type { FastifyInstance } from 'fastify';
import { adminOnly } from './admin-only.js';
import { serverMsg } from './server-messages.js';

/** What a user may change of themselves. */
const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeZone: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
    locale: { type: 'string', enum: [...LOCALES] },
  },
} as const;

/** A role or profile is named by its document; null: none. */
const documentName = { type: ['string', 'null'], minLength: 1, maxLength: 63 } as const;

/** What an administrator may set of any user. */
const userFields = {
  name: { type: 'string', maxLength: 200 },
  locale: { type: 'string', enum: [...LOCALES] },
  timeZone: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
  role: documentName,
  profile: documentName,
  isAdmin: { type: 'boolean' },
} as const;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

/** Passwords: long enough to matter, short enough that hashing stays cheap. */
export const PASSWORD = { type: 'string', minLength: 8, maxLength: 1000 } as const;

interface NewUserBody {
  email: string;
  name?: string;
  password?: string;
  role?: string | null;
  profile?: string | null;
  locale?: (typeof LOCALES)[number];
  timeZone?: string | null;
  isAdmin?: boolean;
}

/**
 * Who am I, who can own a record (pickers), and the administration of users: create, change,
 * deactivate, reset a password, hand a leaving user's records to another.
 */
export async function usersRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  const { db, zones } = engine;
  /** The user with the zone in effect for them (their own, else the workspace's). */
  const me = async (user: Awaited<ReturnType<typeof getUser>>) => {
    if (!user) {
      throw new AtriumError('UNAUTHORIZED', [], {
        en: 'This user no longer exists',
        'zh-CN': '该用户已不存在',
      });
    }
    const effectiveTimeZone = await zones.forUser(user.id);
    // What the web app needs to hide what the user cannot use.
    return { ...user, effectiveTimeZone, permissions: permissionsOf(engine, user) };
  };
  const refuseUnknownAccess = (
    user: { role?: string | null; profile?: string | null },
    locale: RequestContext['locale'],
  ) => {
    const problems = accessNameProblems(engine.metadata.current, user, locale);
    if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
  };
  const noSuchUser = (id: string) =>
    new AtriumError('NO_SUCH_USER', [serverMsg.at('id', 'noUser', { id })]);
  /** A change to a user holds from their next request on, on this node at once. */
  const changed = (id: string) => {
    app.credentials.forget(`user:${id}`);
    zones.forget(id);
  };

  app.get('/auth/me', async (request) => me(await getUser(db, contextOf(request).actor.id)));

  // A user sets their own time zone (null: the workspace's) and language.
  app.patch<{ Body: { timeZone?: string | null; locale?: (typeof LOCALES)[number] } }>(
    '/auth/me',
    { schema: { body: preferencesBody } },
    async (request) => {
      const { actor } = contextOf(request);
      const { timeZone, locale } = request.body ?? {};
      const patch: { timeZone?: string | null; locale?: string } = {};
      if (timeZone !== undefined)
        patch.timeZone = timeZone === null ? null : timeZoneValue(timeZone, 'timeZone');
      if (locale !== undefined) patch.locale = locale;
      const user = await updateUserPreferences(db, actor.id, patch);
      // The language is read from the cached user on every request: forget it with the zone.
      changed(actor.id);
      return me(user);
    },
  );

  // Every signed-in user lists active users (owner pickers); administrators also inactive ones.
  app.get<{ Querystring: { q?: string; limit?: number; active?: 'true' | 'false' | 'all' } }>(
    '/users',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 200 },
            active: { type: 'string', enum: ['true', 'false', 'all'] },
          },
        },
      },
    },
    async (request) => {
      const { active = 'true', ...query } = request.query;
      if (active !== 'true') adminOnly(request);
      else contextOf(request);
      return { data: await listUsers(db, { ...query, active }) };
    },
  );

  app.post<{ Body: NewUserBody }>(
    '/users',
    {
      schema: {
        body: {
          type: 'object',
          required: ['email'],
          additionalProperties: false,
          properties: {
            email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' },
            password: PASSWORD,
            ...userFields,
          },
        },
      },
    },
    async (request, reply) => {
      const { actor, locale } = adminOnly(request);
      const { timeZone, ...body } = request.body;
      refuseUnknownAccess(body, locale);
      let user: UserRow;
      try {
        user = await createUser(db, {
          ...body,
          ...(timeZone ? { timeZone: timeZoneValue(timeZone, 'timeZone') } : {}),
        });
      } catch (e) {
        if ((e as { code?: string }).code === 'DUPLICATE_EMAIL')
          throw new AtriumError('DUPLICATE_EMAIL', [
            serverMsg.at('email', 'emailTaken', { email: body.email }),
          ]);
        throw e;
      }
      const by = { actorId: actor.id, address: request.ip };
      await recordAudit(db, {
        ...by,
        action: 'user.create',
        target: `user:${user.id}`,
        details: { email: user.email, role: user.role, profile: user.profile, admin: user.isAdmin },
      });
      reply.code(201);
      if (body.password !== undefined) return { user };
      // Without a password the user sets one through a one-time link (mailed, once mail exists).
      const link = await createPasswordToken(db, user.id, { ...by, reason: 'invite' });
      request.log.info(`set-password token for ${user.email}: ${link.token}`);
      return { user, passwordToken: link };
    },
  );

  app.patch<{ Params: { id: string }; Body: UserPatch }>(
    '/users/:id',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { ...userFields, active: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { actor, locale } = adminOnly(request);
      const { id } = request.params;
      const patch: UserPatch = { ...request.body };
      refuseUnknownAccess(patch, locale);
      if (typeof patch.timeZone === 'string')
        patch.timeZone = timeZoneValue(patch.timeZone, 'timeZone');
      // Nobody takes the last administrator away: the workspace would have no one to run it.
      if (patch.active === false || patch.isAdmin === false) {
        const target = await getUser(db, id);
        if (target?.isAdmin && target.active && (await otherActiveAdmins(db, id)) === 0) {
          throw new AtriumError('VALIDATION_FAILED', [
            serverMsg.at(patch.active === false ? 'active' : 'isAdmin', 'lastAdmin'),
          ]);
        }
      }
      const result = await updateUser(db, id, patch, { actorId: actor.id, address: request.ip });
      if (!result) throw noSuchUser(id);
      changed(id);
      // Their sessions ended too: nothing cached of them may outlive a reactivation.
      if (result.changes.active) app.credentials.forgetAll();
      return result.user;
    },
  );

  // An administrator's reset: a one-time token with which the user sets a new password.
  app.post<{ Params: { id: string } }>(
    '/users/:id/password-reset',
    { schema: { params: idParams } },
    async (request) => {
      const { actor } = adminOnly(request);
      const user = await getUser(db, request.params.id);
      if (!user) throw noSuchUser(request.params.id);
      const link = await createPasswordToken(db, user.id, {
        actorId: actor.id,
        address: request.ip,
        reason: 'reset',
      });
      request.log.info(`password reset token for ${user.email}: ${link.token}`);
      return link;
    },
  );

  // A leaving user's records go to another owner, in every module (or those named), at once.
  app.post<{ Params: { id: string }; Body: { to: string; modules?: string[] } }>(
    '/users/:id/transfer',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['to'],
          additionalProperties: false,
          properties: {
            to: { type: 'string', format: 'uuid' },
            modules: {
              type: 'array',
              maxItems: 500,
              uniqueItems: true,
              items: { type: 'string', minLength: 1, maxLength: 63 },
            },
          },
        },
      },
    },
    async (request) => {
      const { actor } = adminOnly(request);
      const { id } = request.params;
      const { to, modules } = request.body;
      if (!(await getUser(db, id))) throw noSuchUser(id);
      const target = await getUser(db, to);
      if (!target?.active || to === id) {
        throw new AtriumError('VALIDATION_FAILED', [
          serverMsg.at('to', to === id ? 'alreadyTheirs' : 'notActiveUser'),
        ]);
      }
      const moved = await transferRecords(engine, {
        from: id,
        to,
        ...(modules ? { modules } : {}),
        actorId: actor.id,
        address: request.ip,
      });
      return { moved };
    },
  );
}
