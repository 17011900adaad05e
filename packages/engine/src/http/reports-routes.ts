import type { FastifyInstance } from 'fastify';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { strictQuery } from '../records/list-query.js';
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
          filters: requestFilter(query.filter),
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
}
