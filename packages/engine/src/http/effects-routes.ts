import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import {
  listNotifications,
  listOutbox,
  markAllNotificationsRead,
  markNotificationRead,
} from '../process/effects/feeds.js';
import { rotateWebhookSecret, webhookSecret } from '../process/effects/webhook-secret.js';
import { contextOf } from './request-context.js';

/**
 * The side effects' own routes: `/api/outbox` (every mail, administrators), the caller's
 * `/api/notifications`, and the webhook signing secret (administrators).
 */
export async function effectsRoutes(
  app: FastifyInstance,
  { engine, webhookSecretFromEnv }: { engine: Engine; webhookSecretFromEnv?: string },
): Promise<void> {
  const { db } = engine;
  const { schema } = engine.workspace;
  const admin = (request: FastifyRequest) => {
    if (!contextOf(request).actor.isAdmin)
      throw new AtriumError('FORBIDDEN', [], {
        en: 'Only an administrator may do this',
        'zh-CN': '只有管理员可以执行此操作',
      });
  };

  app.get<{ Querystring: { limit?: string; before?: string; status?: string } }>(
    '/outbox',
    async (request) => {
      admin(request);
      return listOutbox(db, schema, request.query);
    },
  );

  app.get<{ Querystring: { limit?: string; before?: string; unread?: string } }>(
    '/notifications',
    async (request) => listNotifications(db, schema, contextOf(request).actor.id, request.query),
  );
  app.post('/notifications/read-all', async (request) =>
    markAllNotificationsRead(db, schema, contextOf(request).actor.id),
  );
  app.post<{ Params: { id: string } }>('/notifications/:id/read', async (request) =>
    markNotificationRead(db, schema, contextOf(request).actor.id, request.params.id),
  );

  app.get('/webhooks/secret', async (request) => {
    admin(request);
    return webhookSecret(db, schema, webhookSecretFromEnv);
  });
  app.post('/webhooks/secret/rotate', async (request) => {
    admin(request);
    return rotateWebhookSecret(db, schema, webhookSecretFromEnv);
  });
}
