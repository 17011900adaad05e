import {
  AtriumError,
  contextOf,
  createApiToken,
  type Db,
  listApiTokens,
  recordAudit,
  revokeApiToken,
} from '@atrium/engine';
import type { FastifyInstance } from 'fastify';
import { serverMsg } from './server-messages.js';

/**
 * API tokens for integrations: `Authorization: Bearer atr_…`, acting as their owner with the
 * owner's current permissions. The secret is shown once, at creation; only its hash is stored.
 * Everyone manages their own; administrators see (`?all=true`) and revoke everyone's.
 */
export async function tokensRoutes(app: FastifyInstance, { db }: { db: Db }): Promise<void> {
  app.get<{ Querystring: { all?: boolean } }>(
    '/tokens',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { all: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const { actor } = contextOf(request);
      if (request.query.all && !actor.isAdmin) throw new AtriumError('FORBIDDEN');
      return { data: await listApiTokens(db, request.query.all ? undefined : actor.id) };
    },
  );

  app.post<{ Body: { name: string; expiresAt?: string | null } }>(
    '/tokens',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 200 },
            expiresAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
    },
    async (request, reply) => {
      const { actor } = contextOf(request);
      const { name, expiresAt } = request.body;
      const expires = expiresAt ? Date.parse(expiresAt) : undefined;
      if (expires !== undefined && !(expires > Date.now()))
        throw new AtriumError('VALIDATION_FAILED', [serverMsg.at('expiresAt', 'future')]);
      const { token, row } = await createApiToken(db, {
        userId: actor.id,
        name,
        expiresAt: expires === undefined ? null : new Date(expires).toISOString(),
      });
      await recordAudit(db, {
        actorId: actor.id,
        action: 'token.create',
        target: `token:${row.id}`,
        address: request.ip,
        details: { name, expiresAt: row.expiresAt },
      });
      reply.code(201);
      return { ...row, token };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/tokens/:id',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id'],
          properties: { id: { type: 'string', format: 'uuid' } },
        },
      },
    },
    async (request) => {
      const { actor } = contextOf(request);
      const { id } = request.params;
      const row = await revokeApiToken(db, id, actor.isAdmin ? undefined : actor.id);
      if (!row) throw new AtriumError('NO_SUCH_TOKEN', [serverMsg.at('id', 'noToken', { id })]);
      app.credentials.forget(`token:${id}`);
      await recordAudit(db, {
        actorId: actor.id,
        action: 'token.revoke',
        target: `token:${id}`,
        address: request.ip,
      });
      return row;
    },
  );
}
