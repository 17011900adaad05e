import {
  ajvProblems,
  createAjv,
  type JsonSchema,
  type Message,
  type Problem,
} from '@atrium/metadata';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import { AtriumError } from '../errors.js';
import { listMsg } from './list-messages.js';

/** Page size bounds of every list. */
export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;

/** Parameters of a list, once parsed: typed, each given at most once. */
export interface ListQuery {
  /** JSON Logic, as URL-encoded JSON. */
  filter?: string;
  /** `-amount,name,account.name`. */
  sort?: string;
  limit?: number;
  cursor?: string;
  q?: string;
  /** Comma-separated lookup fields whose target record replaces the id. */
  expand?: string;
  /** Comma-separated columns to return (id, version and the sort keys always come too). */
  fields?: string;
  count?: boolean;
  /** The name of a saved view of the module: its filter, sort and columns apply. */
  view?: string;
  /** `only`: the recycle bin; `include`: live and deleted records. */
  deleted?: 'only' | 'include';
}

const text = (description: string, maxLength = 2000): JsonSchema => ({
  type: 'string',
  maxLength,
  description,
});

/**
 * The list contract, declared once: the route compiles it, OpenAPI publishes it, the docs
 * describe it. Parameters not named here are refused.
 */
export const LIST_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filter: text(
      'JSON Logic filter, URL-encoded JSON; may name the caller: {"var": "$user.id"}',
      8000,
    ),
    sort: text(
      'Comma-separated fields, - for descending; a lookup field one level deep (account.name)',
      500,
    ),
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_LIMIT,
      description: `Page size, 1 to ${MAX_LIMIT} (default ${DEFAULT_LIMIT})`,
    },
    cursor: text(
      'nextCursor of the previous page, with the same sort, filter, q, view and deleted',
    ),
    q: text('Text search over the searchable fields', 200),
    expand: text('Comma-separated lookup fields to expand', 500),
    fields: text('Comma-separated fields to return (id, version and sort keys always come)'),
    count: { type: 'boolean', description: 'true to count the matching records (bounded)' },
    view: text('Name of a saved view of the module; request parameters narrow it', 63),
    deleted: {
      type: 'string',
      enum: ['only', 'include'],
      description: 'only: the recycle bin; include: live and deleted records',
    },
  },
};

/** Query parameters of reading one record. */
export const GET_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    expand: text('Comma-separated lookup fields to expand', 500),
    deleted: { type: 'boolean', description: 'true to read a record in the recycle bin' },
  },
};

/** Query parameters of a record's history. */
export const HISTORY_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: LIST_QUERY_SCHEMA.properties?.limit as JsonSchema,
    cursor: text('nextCursor of the previous page'),
  },
};

const ajv = createAjv();

/**
 * Fastify's validator compiler for query strings, strict where Ajv's coercion is lenient:
 * an integer is decimal digits (`0x10`, `1e1`, `2.0` are refused), a boolean is `true` or
 * `false`, a parameter given twice is refused rather than read as a list, NUL bytes are
 * refused. Every refusal is one INVALID_QUERY with the parameter as its path.
 *
 * @example app.get(url, { schema: { querystring: LIST_QUERY_SCHEMA }, validatorCompiler: strictQuery }, h)
 */
export const strictQuery: FastifySchemaCompiler<FastifySchema> = (route) => {
  const schema = route.schema as JsonSchema;
  const validate = ajv.compile(schema);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return (raw: unknown) => {
    const problems: Problem[] = [];
    const value: Record<string, unknown> = {};
    for (const [name, given] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
      const spec = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (!spec) {
        problems.push(listMsg.at(name, 'notAParameter'));
      } else if (Array.isArray(given)) {
        problems.push(listMsg.at(name, 'givenTwice'));
      } else if (typeof given !== 'string' || given.includes('\u0000')) {
        problems.push(listMsg.at(name, 'notText'));
      } else {
        const parsed = parseParam(spec, given);
        if (parsed === undefined) problems.push({ ...expected(spec), path: name });
        // An empty value is no value: `?sort=&limit=` lists as if they were absent.
        else if (parsed !== '') value[name] = parsed;
      }
    }
    if (problems.length === 0 && !validate(value)) problems.push(...ajvProblems(validate.errors));
    if (problems.length > 0) return { error: new AtriumError('INVALID_QUERY', problems) };
    return { value };
  };
};

function parseParam(spec: JsonSchema, raw: string): unknown {
  if (raw === '') return '';
  switch (spec.type) {
    case 'integer':
      return /^-?(0|[1-9][0-9]{0,14})$/.test(raw) ? Number(raw) : undefined;
    case 'boolean':
      return raw === 'true' ? true : raw === 'false' ? false : undefined;
    default:
      return raw;
  }
}

function expected(spec: JsonSchema): Message {
  if (spec.type === 'integer')
    return listMsg('wholeNumber', { min: spec.minimum, max: spec.maximum });
  return listMsg('trueOrFalse');
}
