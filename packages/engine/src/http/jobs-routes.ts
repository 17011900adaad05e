import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { listJobs, retryJob } from '../process/jobs.js';
import { contextOf } from './request-context.js';

/** /api/jobs: the outbox of after-commit side effects, for administrators. */
export async function jobsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  const admin = (request: FastifyRequest) => {
    if (!contextOf(request).actor.isAdmin)
      throw new AtriumError('FORBIDDEN', [], {
        en: 'Only an administrator may see the jobs',
        'zh-CN': '只有管理员可以查看任务',
      });
  };
  app.get<{ Querystring: { status?: string } }>('/jobs', async (request) => {
    admin(request);
    return listJobs(engine.db, engine.workspace.schema, request.query);
  });
  app.post<{ Params: { id: string } }>('/jobs/:id/retry', async (request) => {
    admin(request);
    return retryJob(engine.db, engine.workspace.schema, request.params.id);
  });
}
