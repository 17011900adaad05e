import { EXPORT_LIMIT } from '../records/export.js';
import { IMPORT_LIMIT } from '../records/import.js';
import { EXPORT_QUERY_SCHEMA, IMPORT_QUERY_SCHEMA } from '../records/io-query.js';
import { errorResponse, json, ref } from './openapi-fixed.js';
import { queryParameters } from './openapi-reports.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The export and import routes of one module (`name` is its schema name, `title` its label). */
export function recordIoPaths(
  module: string,
  name: string,
  title: string,
  tags: string[],
): Record<string, unknown> {
  const file = { type: 'string', format: 'binary' };
  return {
    [`/api/records/${module}/export`]: {
      get: {
        operationId: `export${name}`,
        tags,
        summary: `Export ${title} records as CSV or XLSX`,
        description: `Every record the list with the same filter, sort, q, fields and view would page through (at most ${EXPORT_LIMIT.toLocaleString('en')}), read as the list reads them: access scope and hidden fields hold. Headings are field labels in the caller's language; picklists as option labels, lookups as the target's record name, users as "Name <email>", dates YYYY-MM-DD, date-times ISO 8601 in UTC, money as a number with a Currency column. Needs the profile's export right.`,
        parameters: queryParameters(EXPORT_QUERY_SCHEMA),
        responses: {
          200: {
            description: 'The file, as an attachment',
            content: { 'text/csv': { schema: file }, [XLSX]: { schema: file } },
          },
          400: errorResponse(`Bad query, or more than ${EXPORT_LIMIT} records match`),
          401: errorResponse('Not signed in'),
          403: errorResponse('No read or export right on the module'),
        },
      },
    },
    [`/api/records/${module}/import`]: {
      post: {
        operationId: `import${name}`,
        tags,
        summary: `Import ${title} records from CSV or JSON rows`,
        description: `Up to ${IMPORT_LIMIT} rows created in one transaction through the write path of bulk creates: all or nothing, each problem at rows[i].field. Headings match field names or their en/zh-CN labels, case aside (mapping overrides; null skips a column); columns of fields no one writes (ID, Created at…) are ignored and named in "ignored". Cells are read from text per field type: numbers (1,234.5), yes/no/true/false/是/否, dates YYYY-MM-DD, date-times ISO 8601 (UTC when no offset), picklists by value or label, multi-picklists split on ";", lookups by id or by a unique record name, users by e-mail. Needs the profile's import and create rights.`,
        parameters: queryParameters(IMPORT_QUERY_SCHEMA),
        requestBody: {
          required: true,
          content: {
            'text/csv': {
              schema: {
                type: 'string',
                description:
                  'UTF-8 (with or without BOM), comma separated, the first line headings',
              },
            },
            'application/json': {
              schema: {
                type: 'object',
                required: ['rows'],
                additionalProperties: false,
                properties: {
                  rows: {
                    type: 'array',
                    maxItems: IMPORT_LIMIT,
                    items: { type: 'object', description: 'heading → cell text (or a JSON value)' },
                  },
                  mapping: {
                    type: 'object',
                    additionalProperties: { type: ['string', 'null'] },
                    description: 'heading → field name; null skips the column',
                  },
                },
              },
            },
          },
        },
        responses: {
          201: { description: 'Every row created', content: json(importResult(name)) },
          200: { description: 'A dry run: nothing written', content: json(importResult(name)) },
          400: errorResponse('Bad headings or values; nothing was written'),
          401: errorResponse('Not signed in'),
          403: errorResponse('No import or create right on the module'),
          409: errorResponse('A duplicate value; nothing was written'),
          413: errorResponse(`More than ${IMPORT_LIMIT} rows`),
        },
      },
    },
  };
}

function importResult(name: string): Record<string, unknown> {
  return {
    type: 'object',
    required: ['created', 'ids', 'ignored'],
    properties: {
      created: { type: 'integer', description: 'Records created (0 in a dry run)' },
      ids: { type: 'array', items: { type: 'string', format: 'uuid' } },
      ignored: {
        type: 'array',
        items: { type: 'string' },
        description: 'Headings of columns no one writes, not read',
      },
      dryRun: { type: 'boolean', const: true },
      records: {
        type: 'array',
        items: ref(name),
        description: 'A dry run: the records as they would have been created',
      },
    },
  };
}
