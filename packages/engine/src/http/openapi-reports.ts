import type { JsonSchema } from '@atrium/metadata';
import { AGGREGATE_QUERY_SCHEMA } from '../reports/aggregate-query.js';
import { CURRENCIES_BODY } from '../reports/currencies.js';
import { REPORT_QUERY_SCHEMA } from '../reports/report-query.js';
import { errorResponse, json, ref } from './openapi-fixed.js';

type Schema = Record<string, unknown>;

/** OpenAPI query parameters of a route's query schema (the contract the route compiles). */
export function queryParameters(schema: JsonSchema): Record<string, unknown>[] {
  return Object.entries(schema.properties ?? {}).map(([name, { description, ...rest }]) => ({
    name,
    in: 'query',
    required: false,
    ...(description !== undefined && { description }),
    schema: rest,
  }));
}

const jsonLogic = { description: 'JSON Logic: a list filter (see the records routes)' };
const drill = {
  type: 'object',
  required: ['module', 'filter'],
  properties: { module: { type: 'string' }, filter: jsonLogic },
  description: 'The records behind a figure: GET /api/records/{module}?filter=…',
};
const period = {
  type: ['object', 'null'],
  required: ['name', 'from', 'to'],
  properties: {
    name: { type: 'string' },
    from: { type: 'string', format: 'date', description: 'First day' },
    to: { type: 'string', format: 'date', description: 'The day after the last' },
  },
};

/** The schemas of the reporting routes. */
export const reportSchemas: Record<string, Schema> = {
  AggregateColumn: {
    type: 'object',
    required: ['key', 'label', 'role', 'type'],
    properties: {
      key: { type: 'string' },
      label: { type: 'string', description: 'Heading in the caller’s language' },
      role: { type: 'string', enum: ['group', 'measure'] },
      type: {
        type: 'string',
        description: 'Groups: the field type; figures: number, currency, percent, days',
      },
      bucket: { type: 'string', enum: ['day', 'week', 'month', 'quarter', 'year'] },
    },
  },
  MissingRates: {
    type: 'object',
    required: ['currencies', 'records'],
    description: 'Records left out of money figures: their currency had no rate on asOf',
    properties: {
      currencies: { type: 'array', items: { type: 'string' } },
      records: { type: 'integer' },
    },
  },
  AggregateRow: {
    type: 'object',
    required: ['$labels', '$filter'],
    description:
      'Group values and figures under their keys (stage, close_date:month, count, sum:amount)',
    properties: {
      $labels: { type: 'object', additionalProperties: { type: 'string' } },
      $filter: jsonLogic,
    },
    additionalProperties: true,
  },
  Aggregate: {
    type: 'object',
    required: ['currency', 'columns', 'rows'],
    properties: {
      currency: { type: 'string', description: 'The home currency money figures are in' },
      columns: { type: 'array', items: ref('AggregateColumn') },
      rows: { type: 'array', items: ref('AggregateRow') },
      totals: ref('AggregateRow'),
      truncated: { type: 'boolean' },
      missingRates: ref('MissingRates'),
    },
  },
  Currencies: {
    type: 'object',
    required: ['home', 'rates'],
    properties: CURRENCIES_BODY.properties as unknown as Schema,
  },
  ReportRow: {
    type: 'object',
    required: ['$labels', '$drill'],
    properties: {
      $labels: { type: 'object', additionalProperties: { type: 'string' } },
      $drill: { type: 'object', additionalProperties: drill },
    },
    additionalProperties: true,
  },
  Report: {
    type: 'object',
    required: [
      'report',
      'type',
      'label',
      'module',
      'currency',
      'period',
      'owner',
      'columns',
      'rows',
    ],
    properties: {
      report: { type: 'string' },
      type: { type: 'string', enum: ['summary', 'funnel', 'forecast', 'leaderboard'] },
      chart: { type: 'string' },
      label: { type: 'string' },
      module: { type: 'string' },
      currency: { type: 'string' },
      period,
      owner: { type: ['string', 'null'] },
      columns: { type: 'array', items: ref('AggregateColumn') },
      rows: { type: 'array', items: ref('ReportRow') },
      totals: ref('ReportRow'),
      truncated: { type: 'boolean' },
      missingRates: ref('MissingRates'),
    },
  },
  ReportSummary: {
    type: 'object',
    required: ['name', 'label', 'type', 'module'],
    properties: {
      name: { type: 'string' },
      label: { type: 'string' },
      type: { type: 'string' },
      module: { type: 'string' },
      chart: { type: 'string' },
    },
  },
  Dashboard: {
    type: 'object',
    required: ['name', 'label', 'period', 'owner', 'filter', 'widgets'],
    properties: {
      name: { type: 'string' },
      label: { type: 'string' },
      period,
      owner: { type: ['string', 'null'] },
      filter: { type: 'object' },
      widgets: {
        type: 'array',
        items: {
          type: 'object',
          required: ['report', 'type', 'title', 'position'],
          properties: {
            report: { type: 'string' },
            type: { type: 'string', enum: ['kpi', 'bar', 'line', 'donut', 'funnel', 'table'] },
            title: { type: 'string' },
            measure: { type: 'string' },
            position: {
              type: 'object',
              required: ['x', 'y', 'w', 'h'],
              properties: {
                x: { type: 'integer' },
                y: { type: 'integer' },
                w: { type: 'integer' },
                h: { type: 'integer' },
              },
            },
            result: ref('Report'),
            kpi: {
              type: 'object',
              properties: {
                value: { type: ['number', 'null'] },
                previous: { type: ['number', 'null'] },
                change: { type: ['number', 'null'] },
                type: { type: 'string' },
                currency: { type: 'string' },
                previousPeriod: period,
              },
            },
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
};

const unauthorized = errorResponse('Not signed in');
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };

/** The reporting routes that do not depend on a module. */
export const reportPaths: Record<string, unknown> = {
  '/api/currencies': {
    get: {
      operationId: 'getCurrencies',
      tags: ['Reports'],
      summary: 'The home currency and the dated exchange rates',
      responses: {
        200: { description: 'Currencies', content: json(ref('Currencies')) },
        401: unauthorized,
      },
    },
    put: {
      operationId: 'putCurrencies',
      tags: ['Reports'],
      summary: 'Replace the home currency and every exchange rate (administrators)',
      requestBody: { required: true, content: json(ref('Currencies')) },
      responses: {
        200: { description: 'Currencies, as stored', content: json(ref('Currencies')) },
        400: errorResponse('A code, date or rate is not valid'),
        401: unauthorized,
        403: errorResponse('Only an administrator may do this'),
      },
    },
  },
  '/api/reports': {
    get: {
      operationId: 'listReports',
      tags: ['Reports'],
      summary: 'The reports the caller may run',
      responses: {
        200: {
          description: 'Reports',
          content: json({ type: 'array', items: ref('ReportSummary') }),
        },
        401: unauthorized,
      },
    },
  },
  '/api/reports/{name}': {
    parameters: [nameParam],
    get: {
      operationId: 'runReport',
      tags: ['Reports'],
      summary: 'Run a report for the caller; format=csv|xlsx downloads it',
      parameters: queryParameters(REPORT_QUERY_SCHEMA),
      responses: {
        200: {
          description: 'The report, or the file',
          content: {
            ...json(ref('Report')),
            'text/csv': { schema: { type: 'string' } },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
              schema: { type: 'string', format: 'binary' },
            },
          },
        },
        400: errorResponse('Bad query'),
        401: unauthorized,
        403: errorResponse('The caller may not read the report’s module'),
        404: errorResponse('No such report'),
      },
    },
  },
  '/api/dashboards': {
    get: {
      operationId: 'listDashboards',
      tags: ['Reports'],
      summary: 'The dashboards',
      responses: {
        200: {
          description: 'Dashboards',
          content: json({
            type: 'array',
            items: {
              type: 'object',
              required: ['name', 'label'],
              properties: { name: { type: 'string' }, label: { type: 'string' } },
            },
          }),
        },
        401: unauthorized,
      },
    },
  },
  '/api/dashboards/{name}': {
    parameters: [nameParam],
    get: {
      operationId: 'getDashboard',
      tags: ['Reports'],
      summary: 'Every widget of a dashboard, answered for the caller in one request',
      parameters: queryParameters(REPORT_QUERY_SCHEMA).filter((p) => p.name !== 'format'),
      responses: {
        200: { description: 'The dashboard', content: json(ref('Dashboard')) },
        400: errorResponse('Bad query'),
        401: unauthorized,
        404: errorResponse('No such dashboard'),
      },
    },
  },
};

/** The aggregate route of one module. */
export function aggregatePath(
  module: string,
  name: string,
  tags: string[],
): Record<string, unknown> {
  return {
    [`/api/records/${module}/aggregate`]: {
      get: {
        operationId: `aggregate${name}`,
        tags,
        summary:
          'Group and count or sum records (access scope applied; money in the home currency)',
        parameters: queryParameters(AGGREGATE_QUERY_SCHEMA),
        responses: {
          200: { description: 'One row per group', content: json(ref('Aggregate')) },
          400: errorResponse('Bad query'),
          401: unauthorized,
          403: errorResponse('Forbidden'),
          404: errorResponse('No such module'),
        },
      },
    },
  };
}
