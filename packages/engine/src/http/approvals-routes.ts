import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { decideApproval, listApprovals } from '../process/approvals.js';
import { contextOf, timeZoneHook } from './request-context.js';

/** /api/approvals: what waits for the caller's decision, their own requests, and decisions. */
export async function approvalsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  app.addHook('preHandler', timeZoneHook(engine));
  app.get<{ Querystring: { mine?: string; status?: string } }>('/approvals', async (request) =>
    listApprovals(engine, contextOf(request), request.query),
  );
  app.post<{ Params: { id: string } }>('/approvals/:id/approve', async (request) =>
    decideApproval(engine, contextOf(request), request.params.id, 'approve', request.body),
  );
  app.post<{ Params: { id: string } }>('/approvals/:id/reject', async (request) =>
    decideApproval(engine, contextOf(request), request.params.id, 'reject', request.body),
  );
}
