import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { convertRecord } from '../process/convert.js';
import { listTransitions, requestTransition } from '../process/transition.js';
import { BULK_LIMIT, bulkWrite } from '../records/bulk.js';
import { inexactNumbers } from '../records/exact-json.js';
import { type ExportQuery, exportRecords } from '../records/export.js';
import { CsvText, IMPORT_LIMIT, importRecords } from '../records/import.js';
import { EXPORT_QUERY_SCHEMA, IMPORT_QUERY_SCHEMA } from '../records/io-query.js';
import {
  GET_QUERY_SCHEMA,
  HISTORY_QUERY_SCHEMA,
  LIST_QUERY_SCHEMA,
  type ListQuery,
  strictQuery,
} from '../records/list-query.js';
import { msg } from '../records/messages.js';
import { getRecord, listRecords, recordHistory } from '../records/read.js';
import { createRecord, deleteRecord, restoreRecord, updateRecord } from '../records/write.js';
import { requestMsg } from '../request-messages.js';
import { contextOf, localeOf, timeZoneHook } from './request-context.js';

type ModuleParams = { Params: { module: string } };
type RecordParams = { Params: { module: string; id: string } };

/** /api/records: the generic CRUD of every module, from its metadata. */
export async function recordsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  // Record bodies are parsed as usual, then refused where a number would not survive the
  // parse (999999999999999.99 → 1e15): money is never rounded behind the caller's back.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, text, done) => {
    json(request, text as string, (err, parsed) => {
      if (err) return done(err);
      const inexact = inexactNumbers(text as string);
      if (inexact.length === 0) return done(null, parsed);
      const message = msg(localeOf(request), 'inexactNumber');
      done(
        new AtriumError(
          'VALIDATION_FAILED',
          inexact.map((path) => ({ path, message })),
        ),
      );
    });
  });

  // An import's CSV body is read as text; the route turns it into rows (records/import.ts).
  app.addContentTypeParser(
    ['text/csv', 'application/csv'],
    { parseAs: 'string', bodyLimit: IMPORT_LIMIT * 4 * 1024 },
    (_request, text, done) => done(null, new CsvText(text as string)),
  );

  app.addHook('preHandler', timeZoneHook(engine));
  // A CSV body is for the import alone; every other route of records reads JSON.
  app.addHook('preValidation', async (request) => {
    if (request.body instanceof CsvText && !request.routeOptions.url?.endsWith('/import'))
      throw new AtriumError('UNSUPPORTED_MEDIA_TYPE');
  });

  // Read routes parse their query strictly against the one declared contract (list-query.ts).
  app.get<ModuleParams & { Querystring: ListQuery }>(
    '/records/:module',
    { schema: { querystring: LIST_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request) =>
      listRecords(engine, contextOf(request), request.params.module, request.query),
  );

  // Every record the list with these parameters pages through, as a CSV or XLSX file.
  app.get<ModuleParams & { Querystring: ExportQuery }>(
    '/records/:module/export',
    { schema: { querystring: EXPORT_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request, reply) => {
      const file = await exportRecords(
        engine,
        contextOf(request),
        request.params.module,
        request.query,
        request.ip,
      );
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );

  // Rows of a sheet (CSV text, or JSON `{rows, mapping}`) created as records in one transaction.
  app.post<ModuleParams & { Querystring: { dryRun?: boolean; mapping?: string } }>(
    '/records/:module/import',
    {
      schema: { querystring: IMPORT_QUERY_SCHEMA },
      validatorCompiler: strictQuery,
      bodyLimit: IMPORT_LIMIT * 4 * 1024,
    },
    async (request, reply) => {
      const sent =
        request.body instanceof CsvText ? { csv: request.body.text } : { json: request.body };
      const result = await importRecords(engine, contextOf(request), request.params.module, sent, {
        ...(request.query.mapping !== undefined && { mapping: request.query.mapping }),
        dryRun: request.query.dryRun === true,
        address: request.ip,
      });
      return reply.status(result.dryRun ? 200 : 201).send(result);
    },
  );

  app.post<ModuleParams>('/records/:module', async (request, reply) => {
    const row = await createRecord(engine, contextOf(request), request.params.module, request.body);
    return reply.status(201).send(row);
  });

  // Room for BULK_LIMIT records of a few hundred bytes each.
  app.post<ModuleParams>(
    '/records/:module/bulk',
    { bodyLimit: BULK_LIMIT * 8 * 1024 },
    async (request) => bulkWrite(engine, contextOf(request), request.params.module, request.body),
  );

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
        throw new AtriumError('INVALID_QUERY', [requestMsg.at('version', 'wholeNumber')]);
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

  app.get<RecordParams>('/records/:module/:id/transitions', async (request) =>
    listTransitions(engine, contextOf(request), request.params.module, request.params.id),
  );

  app.post<RecordParams & { Params: { name: string } }>(
    '/records/:module/:id/transitions/:name',
    async (request, reply) => {
      const outcome = await requestTransition(
        engine,
        contextOf(request),
        request.params.module,
        request.params.id,
        request.params.name,
        request.body,
      );
      // Waiting for approval: accepted, not done.
      if (outcome.approval) return reply.status(202).send(outcome);
      return outcome.record;
    },
  );

  app.post<RecordParams>('/records/:module/:id/convert', async (request) =>
    convertRecord(
      engine,
      contextOf(request),
      request.params.module,
      request.params.id,
      request.body,
    ),
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
