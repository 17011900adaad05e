import {
  type JsonSchema,
  labelText,
  recordInputSchema,
  recordOutputSchema,
} from '@atrium/metadata';
import type { Snapshot } from '../records/compiled-module.js';
import { GET_QUERY_SCHEMA, LIST_QUERY_SCHEMA } from '../records/list-query.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'details'],
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/**
 * OpenAPI 3.1 of the current metadata: a schema per module (record, create body, update body)
 * and the generic record routes for each. Built once per revision by the caller.
 */
export function openApiDocument(
  snapshot: Snapshot,
  info: { title: string; version: string },
): Record<string, unknown> {
  const schemas: Record<string, unknown> = { Error: errorSchema };
  const paths: Record<string, unknown> = {};
  for (const m of snapshot.modules.values()) {
    const name = pascal(m.doc.name);
    const title = labelText(m.doc.label, 'en', m.doc.name);
    schemas[name] = clean({ ...recordOutputSchema(m.doc), title });
    schemas[`${name}Create`] = clean(recordInputSchema(m.doc, 'create'));
    schemas[`${name}Update`] = clean(recordInputSchema(m.doc, 'patch'));
    const ref = (s: string) => ({ $ref: `#/components/schemas/${s}` });
    const json = (schema: unknown) => ({ 'application/json': { schema } });
    const idParam = {
      name: 'id',
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    };
    const tags = [title];
    paths[`/api/records/${m.doc.name}`] = {
      get: {
        operationId: `list${name}`,
        tags,
        summary: `List ${title}`,
        parameters: queryParameters(LIST_QUERY_SCHEMA),
        responses: {
          200: {
            description: 'A page of records',
            content: json({
              type: 'object',
              required: ['data', 'nextCursor'],
              properties: {
                data: { type: 'array', items: ref(name) },
                nextCursor: { type: ['string', 'null'] },
              },
            }),
          },
          400: errorResponse('Bad filter or query'),
          401: errorResponse('Not signed in'),
        },
      },
      post: {
        operationId: `create${name}`,
        tags,
        summary: `Create a ${title} record`,
        requestBody: { required: true, content: json(ref(`${name}Create`)) },
        responses: {
          201: { description: 'Created', content: json(ref(name)) },
          400: errorResponse('Invalid values'),
          401: errorResponse('Not signed in'),
          409: errorResponse('Duplicate value'),
        },
      },
    };
    paths[`/api/records/${m.doc.name}/{id}`] = {
      parameters: [idParam],
      get: {
        operationId: `get${name}`,
        tags,
        parameters: queryParameters(GET_QUERY_SCHEMA),
        responses: {
          200: { description: 'The record', content: json(ref(name)) },
          404: errorResponse('Not found'),
        },
      },
      patch: {
        operationId: `update${name}`,
        tags,
        requestBody: { required: true, content: json(ref(`${name}Update`)) },
        responses: {
          200: { description: 'Updated', content: json(ref(name)) },
          400: errorResponse('Invalid values'),
          404: errorResponse('Not found'),
          409: errorResponse('Stale version'),
        },
      },
      delete: {
        operationId: `delete${name}`,
        tags,
        responses: {
          200: { description: 'Moved to the recycle bin', content: json(ref(name)) },
          404: errorResponse('Not found'),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

/** OpenAPI query parameters of a route's query schema: the contract the route compiles. */
function queryParameters(schema: JsonSchema): Record<string, unknown>[] {
  return Object.entries(schema.properties ?? {}).map(([name, { description, ...rest }]) => ({
    name,
    in: 'query',
    required: false,
    ...(description !== undefined && { description }),
    schema: rest,
  }));
}

/** Drops Ajv-only keywords that OpenAPI tools do not know. */
function clean(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'decimalScale') continue;
    if (k === 'properties' && v && typeof v === 'object') {
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, JsonSchema>).map(([p, s]) => [p, clean(s)]),
      );
    } else if (k === 'items' && v && typeof v === 'object') out.items = clean(v as JsonSchema);
    else if (k === 'required' && Array.isArray(v) && v.length === 0) continue;
    else out[k] = v;
  }
  return out;
}

function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
