import {
  AtriumError,
  contextOf,
  type Db,
  getUser,
  listUsers,
  type Permissions,
  type TimeZones,
  timeZoneValue,
  type UserRow,
  updateUserPreferences,
} from '@atrium/engine';
import { LOCALES } from '@atrium/metadata';
import type { FastifyInstance } from 'fastify';

/** What a user may change of themselves. */
const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeZone: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
    locale: { type: 'string', enum: [...LOCALES] },
  },
} as const;

/** Who am I, and who can own a record: what forms need to show and pick users. */
export async function usersRoutes(
  app: FastifyInstance,
  {
    db,
    zones,
    permissions,
  }: { db: Db; zones: TimeZones; permissions?: (user: UserRow) => Permissions },
): Promise<void> {
  /** The user with the zone in effect for them (their own, else the workspace's). */
  const me = async (user: Awaited<ReturnType<typeof getUser>>) => {
    if (!user) {
      throw new AtriumError('UNAUTHORIZED', [], {
        en: 'This user no longer exists',
        'zh-CN': '该用户已不存在',
      });
    }
    const effectiveTimeZone = await zones.forUser(user.id);
    return { ...user, effectiveTimeZone, ...(permissions && { permissions: permissions(user) }) };
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
      zones.forget(actor.id);
      return me(user);
    },
  );

  app.get<{ Querystring: { q?: string; limit?: number } }>(
    '/users',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            q: { type: 'string', maxLength: 200 },
            limit: { type: 'integer', minimum: 1, maximum: 200 },
          },
        },
      },
    },
    async (request) => {
      contextOf(request);
      return { data: await listUsers(db, request.query) };
    },
  );
}
