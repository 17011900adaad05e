import type { JsonSchema } from '@atrium/metadata';
import { LIST_QUERY_SCHEMA } from './list-query.js';

const list = LIST_QUERY_SCHEMA.properties as Record<string, JsonSchema>;

/**
 * The export contract: the list's own parameters (same meaning, same limits; no paging, since
 * the file holds every page) and the file format.
 */
export const EXPORT_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    format: {
      type: 'string',
      enum: ['csv', 'xlsx'],
      description: 'csv (UTF-8 with BOM, Excel-ready; the default) or xlsx',
    },
    filter: list.filter as JsonSchema,
    sort: list.sort as JsonSchema,
    q: list.q as JsonSchema,
    fields: {
      ...(list.fields as JsonSchema),
      description:
        "Comma-separated fields to write (default: the view's columns, else all readable fields)",
    },
    view: list.view as JsonSchema,
  },
};

/** Query parameters of an import. */
export const IMPORT_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dryRun: {
      type: 'boolean',
      description:
        'true: check and write everything, then roll it back; answers what would be created',
    },
    mapping: {
      type: 'string',
      maxLength: 8000,
      description:
        'JSON object heading → field name (null skips the column); default: headings match field names or their en/zh-CN labels',
    },
  },
};
