import { type JsonLogic, labelText } from '@atrium/metadata';
import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { strictQuery } from '../records/list-query.js';
import { viewOf } from '../records/read.js';
import { aggregate, requestFilter } from '../reports/aggregate.js';
import {
  AGGREGATE_QUERY_SCHEMA,
  type AggregateQuery,
  parseGroups,
  parseMeasures,
} from '../reports/aggregate-query.js';
import {
  CURRENCIES_BODY,
  type Currencies,
  getCurrencies,
  putCurrencies,
} from '../reports/currencies.js';
import { dashboardsOf, runDashboard } from '../reports/dashboard.js';
import { reportCsv, reportXlsx } from '../reports/export.js';
import { REPORT_QUERY_SCHEMA, type ReportQuery } from '../reports/report-query.js';
import { reportsOf, runReport } from '../reports/report-run.js';
import { contextOf, timeZoneHook } from './request-context.js';

/**
 * Reporting's routes: aggregates of a module (through the one read path), the workspace's
 * currencies, report documents and dashboards.
 */
export async function reportsRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  app.addHook('preHandler', timeZoneHook(engine));

  app.get<{ Params: { module: string }; Querystring: AggregateQuery }>(
    '/records/:module/aggregate',
    { schema: { querystring: AGGREGATE_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request) => {
      const query = request.query;
      return aggregate(
        engine,
        contextOf(request),
        {
          module: request.params.module,
          groups: [],
          measures: [],
          filters: [
            ...viewFilter(engine, request.params.module, query.view),
            ...requestFilter(query.filter),
          ],
          ...(query.asOf !== undefined && { asOf: query.asOf }),
          ...(query.sort !== undefined && { sort: query.sort }),
          ...(query.limit !== undefined && { limit: query.limit }),
          ...(query.totals !== undefined && { totals: query.totals }),
        },
        (m) => ({
          groups: parseGroups(m, query.groupBy),
          measures: parseMeasures(m, query.measures),
        }),
      );
    },
  );

  app.get('/currencies', async (request) => {
    contextOf(request);
    return getCurrencies(engine);
  });

  app.put<{ Body: Currencies }>(
    '/currencies',
    { schema: { body: CURRENCIES_BODY } },
    async (request) => {
      if (!contextOf(request).actor.isAdmin)
        throw new AtriumError('FORBIDDEN', [], {
          en: 'Only an administrator may change currencies and exchange rates',
          'zh-CN': '只有管理员可以更改币种和汇率',
        });
      return putCurrencies(engine, request.body);
    },
  );

  app.get('/reports', async (request) => {
    const ctx = contextOf(request);
    const snapshot = engine.metadata.current;
    return [...reportsOf(snapshot).values()]
      .filter((r) => {
        const m = snapshot.modules.get(r.module);
        if (!m) return false;
        try {
          engine.access.authorize(ctx.actor, m, 'read');
          return true;
        } catch {
          return false;
        }
      })
      .map((r) => ({
        name: r.name,
        label: labelText(r.label, ctx.locale, r.name),
        type: r.type,
        module: r.module,
        ...(r.chart && { chart: r.chart }),
      }));
  });

  app.get<{ Params: { name: string }; Querystring: ReportQuery }>(
    '/reports/:name',
    { schema: { querystring: REPORT_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request, reply) => {
      const ctx = contextOf(request);
      const result = await runReport(engine, ctx, request.params.name, request.query);
      const format = request.query.format ?? 'json';
      if (format === 'json') return result;
      const file =
        format === 'csv' ? reportCsv(result, ctx.locale) : await reportXlsx(result, ctx.locale);
      return reply
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .send(file.body);
    },
  );

  app.get('/dashboards', async (request) => {
    const ctx = contextOf(request);
    return [...dashboardsOf(engine.metadata.current).values()].map((d) => ({
      name: d.name,
      label: labelText(d.label, ctx.locale, d.name),
    }));
  });

  app.get<{ Params: { name: string }; Querystring: Omit<ReportQuery, 'format'> }>(
    '/dashboards/:name',
    { schema: { querystring: DASHBOARD_QUERY_SCHEMA }, validatorCompiler: strictQuery },
    async (request) => runDashboard(engine, contextOf(request), request.params.name, request.query),
  );
}

/** The dashboard's query: the report's without `format`. */
const DASHBOARD_QUERY_SCHEMA = {
  ...REPORT_QUERY_SCHEMA,
  properties: Object.fromEntries(
    Object.entries(REPORT_QUERY_SCHEMA.properties ?? {}).filter(([k]) => k !== 'format'),
  ),
};

/** The filter of the saved view `name` (a board's totals are the figures of its view). */
function viewFilter(
  engine: Engine,
  module: string,
  name: string | undefined,
): { logic: JsonLogic; path: string }[] {
  const snapshot = engine.metadata.current;
  const m = snapshot.modules.get(module);
  if (name === undefined || !m) return [];
  const view = viewOf(snapshot.documents, m, name);
  return view.filter === undefined ? [] : [{ logic: view.filter, path: 'view.filter' }];
}
