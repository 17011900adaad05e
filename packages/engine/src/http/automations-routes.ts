import type { FastifyInstance } from 'fastify';
import { dryRunAutomations } from '../automation/dry-run.js';
import { recordTrace } from '../automation/trace.js';
import type { Engine } from '../engine.js';
import { contextOf, timeZoneHook } from './request-context.js';

/** `POST /api/automations/dry-run` and `GET /api/records/:module/:id/trace`. */
export async function automationsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  app.addHook('preHandler', timeZoneHook(engine));
  app.post('/automations/dry-run', async (request) =>
    dryRunAutomations(engine, contextOf(request), request.body),
  );
  app.get<{ Params: { module: string; id: string } }>(
    '/records/:module/:id/trace',
    async (request) =>
      recordTrace(engine, contextOf(request), request.params.module, request.params.id),
  );
}
