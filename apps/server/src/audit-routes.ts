import { type AuditQuery, type Db, listAudit } from '@atrium/engine';
import type { FastifyInstance } from 'fastify';
import { adminOnly } from './admin-only.js';

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
      return listAudit(db, request.query);
    },
  );
}
