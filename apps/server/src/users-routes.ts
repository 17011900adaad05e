import { AtriumError, contextOf, type Db, getUser, listUsers } from '@atrium/engine';
import type { FastifyInstance } from 'fastify';

/** Who am I, and who can own a record: what forms need to show and pick users. */
export async function usersRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get('/auth/me', async (request) => {
    const user = await getUser(db, contextOf(request).actor.id);
    if (!user) {
      throw new AtriumError('UNAUTHORIZED', [], {
        en: 'This user no longer exists',
        'zh-CN': '该用户已不存在',
      });
    }
    return user;
  });

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
