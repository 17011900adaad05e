import { AtriumError, type AuditQuery, type Db, listAudit } from '@atrium/engine';
import type { FastifyInstance } from 'fastify';
import { adminOnly } from './admin-only.js';
import { serverMsg } from './server-messages.js';

/**
 * The audit log, newest first, for administrators: `?actor=<user id>&action=auth.login` (or a
 * family: `auth.*`) `&since=&until=` (ISO times), `&limit=`; the next page with `before=<next>`.
 */
export async function auditRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get<{ Querystring: AuditQuery }>(
    '/audit',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            actor: { type: 'string', format: 'uuid' },
            action: { type: 'string', minLength: 1, maxLength: 100 },
            since: { type: 'string', format: 'date-time' },
            until: { type: 'string', format: 'date-time' },
            before: { type: 'string', pattern: '^[0-9]{1,18}$' },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (request) => {
      adminOnly(request);
      const query = { ...request.query };
      // Handed to Postgres as instants JavaScript can read (a leap second or year 0 is refused here).
      for (const key of ['since', 'until'] as const) {
        const value = query[key];
        if (value === undefined) continue;
        const ms = Date.parse(value);
        if (Number.isNaN(ms) || ms < Date.UTC(1, 0, 1))
          throw new AtriumError('VALIDATION_FAILED', [serverMsg.at(key, 'notATime')]);
        query[key] = new Date(ms).toISOString();
      }
      return listAudit(db, query);
    },
  );
}
