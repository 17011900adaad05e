import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import {
  GET_QUERY_SCHEMA,
  HISTORY_QUERY_SCHEMA,
  LIST_QUERY_SCHEMA,
  type ListQuery,
  strictQuery,
} from '../records/list-query.js';
import { getRecord, listRecords, recordHistory } from '../records/read.js';
import { createRecord, deleteRecord, restoreRecord, updateRecord } from '../records/write.js';
import { contextOf } from './request-context.js';

type ModuleParams = { Params: { module: string } };
type RecordParams = { Params: { module: string; id: string } };

/** /api/records: the generic CRUD of every module, from its metadata. */
export async function recordsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  // Read routes parse their query strictly against the one declared contract (list-query.ts).
  app.get<ModuleParams & { Querystring: ListQuery }>(
    '/records/:module',
    { schema: { querystring: LIST_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request) =>
      listRecords(engine, contextOf(request), request.params.module, request.query),
  );

  app.post<ModuleParams>('/records/:module', async (request, reply) => {
    const row = await createRecord(engine, contextOf(request), request.params.module, request.body);
    return reply.status(201).send(row);
  });

  app.get<RecordParams & { Querystring: { expand?: string; deleted?: boolean } }>(
    '/records/:module/:id',
    { schema: { querystring: GET_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request) =>
      getRecord(engine, contextOf(request), request.params.module, request.params.id, {
        expand: request.query.expand,
        deleted: request.query.deleted === true,
      }),
  );

  app.patch<RecordParams>('/records/:module/:id', async (request) =>
    updateRecord(
      engine,
      contextOf(request),
      request.params.module,
      request.params.id,
      request.body,
    ),
  );

  app.delete<RecordParams & { Querystring: { version?: string } }>(
    '/records/:module/:id',
    async (request) => {
      const raw = request.query.version;
      const version = raw === undefined ? undefined : Number(raw);
      if (version !== undefined && !Number.isInteger(version)) {
        throw new AtriumError('INVALID_QUERY', [
          { path: 'version', message: 'must be a whole number' },
        ]);
      }
      return deleteRecord(
        engine,
        contextOf(request),
        request.params.module,
        request.params.id,
        version,
      );
    },
  );

  app.post<RecordParams>('/records/:module/:id/restore', async (request) =>
    restoreRecord(engine, contextOf(request), request.params.module, request.params.id),
  );

  app.get<RecordParams & { Querystring: { limit?: number; cursor?: string } }>(
    '/records/:module/:id/history',
    { schema: { querystring: HISTORY_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request) =>
      recordHistory(
        engine,
        contextOf(request),
        request.params.module,
        request.params.id,
        request.query,
      ),
  );
}
