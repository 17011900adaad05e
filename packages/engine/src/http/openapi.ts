import {
  type ConversionDoc,
  type FieldDef,
  type JsonSchema,
  labelText,
  REQUIRED_SYSTEM_COLUMNS,
  recordInputSchema,
  recordOutputSchema,
  systemFields,
} from '@atrium/metadata';
import type { ModuleGrant } from '../access-permissions.js';
import type { Snapshot } from '../records/compiled-module.js';
import { GET_QUERY_SCHEMA, LIST_QUERY_SCHEMA } from '../records/list-query.js';
import { approvalPaths, approvalSchemas } from './openapi-approvals.js';
import { automationPaths, automationSchemas, tracePaths } from './openapi-automations.js';
import { conversionOpenApi } from './openapi-conversion.js';
import { effectPaths, effectSchemas } from './openapi-effects.js';
import { errorResponse, fixedPaths, fixedSchemas, json, ref } from './openapi-fixed.js';
import { recordIoPaths } from './openapi-io.js';
import { jobPaths, jobSchemas } from './openapi-jobs.js';
import { aggregatePath, queryParameters, reportPaths, reportSchemas } from './openapi-reports.js';
import { transitionPaths, transitionSchemas } from './openapi-transitions.js';

/**
 * OpenAPI 3.1 of the current metadata: a schema per module (record, create body, update body,
 * bulk body) and the generic record routes for each, with every fixed route (auth, users,
 * settings, metadata) and the bearer scheme. Built once per revision by the caller.
 *
 * A lookup says which module it points to (`x-atrium-target`, and in words); a record read
 * back carries the id there, or the target record when the list or get asked to `expand` it.
 * A read property is nullable only where a stored value can be null.
 */
export function openApiDocument(
  snapshot: Snapshot,
  info: { title: string; version: string },
  grants?: Readonly<Record<string, ModuleGrant>>,
): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    ...fixedSchemas,
    ...transitionSchemas,
    ...jobSchemas,
    ...automationSchemas,
    ...reportSchemas,
    ...effectSchemas,
    ...approvalSchemas,
  };
  const paths: Record<string, unknown> = {
    ...fixedPaths,
    ...jobPaths,
    ...automationPaths,
    ...reportPaths,
    ...effectPaths,
    ...approvalPaths,
  };
  // With `grants` (a non-admin's), only the modules, fields and operations they allow.
  const modules = new Set([...snapshot.modules.keys()].filter((n) => !grants || grants[n]));
  for (const compiled of snapshot.modules.values()) {
    const grant = grants?.[compiled.doc.name];
    if (grants && !grant) continue;
    const restricted = (kinds: readonly string[]) => ({
      ...compiled.doc,
      fields: compiled.doc.fields.filter((f) => !kinds.includes(grant?.fields[f.name] ?? '')),
    });
    const m = { doc: restricted(['hidden']) };
    const writable = restricted(['hidden', 'read']);
    const name = schemaName(m.doc.name);
    const title = labelText(m.doc.label, 'en', m.doc.name);
    const references = [...systemFields(m.doc), ...m.doc.fields];
    schemas[name] = readSchema(clean({ ...recordOutputSchema(m.doc), title }), references, modules);
    schemas[`${name}Create`] = writeSchema(
      clean(recordInputSchema(writable, 'create')),
      references,
      modules,
    );
    const update = writeSchema(clean(recordInputSchema(writable, 'patch')), references, modules);
    schemas[`${name}Update`] = update;
    schemas[`${name}Bulk`] = bulkSchema(name, update);
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
                count: {
                  type: 'object',
                  description: 'With count=true; not exact past 10,000 records',
                  required: ['value', 'exact'],
                  properties: { value: { type: 'integer' }, exact: { type: 'boolean' } },
                },
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
          400: errorResponse('Bad query'),
          401: errorResponse('Not signed in'),
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
          401: errorResponse('Not signed in'),
          404: errorResponse('Not found'),
          409: errorResponse('Stale version'),
        },
      },
      delete: {
        operationId: `delete${name}`,
        tags,
        parameters: [
          {
            name: 'version',
            in: 'query',
            description: 'The version you read; refused with 409 when the record changed since',
            schema: { type: 'integer', minimum: 1 },
          },
        ],
        responses: {
          200: { description: 'Moved to the recycle bin', content: json(ref(name)) },
          400: errorResponse('Bad version'),
          401: errorResponse('Not signed in'),
          404: errorResponse('Not found'),
          409: errorResponse('Stale version, or other records still point to it'),
        },
      },
    };
    paths[`/api/records/${m.doc.name}/{id}/restore`] = {
      parameters: [idParam],
      post: {
        operationId: `restore${name}`,
        tags,
        summary: `Bring a ${title} record back from the recycle bin`,
        responses: {
          200: { description: 'Restored', content: json(ref(name)) },
          401: errorResponse('Not signed in'),
          404: errorResponse('Not found'),
        },
      },
    };
    paths[`/api/records/${m.doc.name}/{id}/history`] = {
      parameters: [idParam],
      get: {
        operationId: `history${name}`,
        tags,
        summary: 'Field-level history, newest first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
          {
            name: 'cursor',
            in: 'query',
            description: 'nextCursor of the previous page',
            schema: { type: 'string' },
          },
        ],
        responses: {
          200: {
            description: 'A page of history',
            content: json({
              type: 'object',
              required: ['data', 'nextCursor'],
              properties: {
                data: { type: 'array', items: ref('HistoryEntry') },
                nextCursor: { type: ['string', 'null'] },
              },
            }),
          },
          400: errorResponse('Bad query'),
          401: errorResponse('Not signed in'),
          404: errorResponse('Not found'),
        },
      },
    };
    Object.assign(paths, transitionPaths(m.doc.name, name, title, idParam));
    Object.assign(paths, tracePaths(m.doc.name, name, title, idParam));
    const conversion = snapshot.documents.find(
      (d): d is ConversionDoc => d.kind === 'conversion' && d.module === m.doc.name,
    );
    // Converting needs update here and create on a target (a target may be skipped).
    const convertible =
      !grants || (grant?.update && conversion?.targets.some((t) => grants[t.module]?.create));
    if (conversion && convertible) {
      const shown = (t: string) => (modules.has(t) ? schemaName(t) : undefined);
      const c = conversionOpenApi(conversion, name, title, idParam, shown);
      Object.assign(schemas, c.schemas);
      Object.assign(paths, c.paths);
    }
    Object.assign(paths, aggregatePath(m.doc.name, name, tags));
    Object.assign(paths, recordIoPaths(m.doc.name, name, title, tags));
    paths[`/api/records/${m.doc.name}/bulk`] = {
      post: {
        operationId: `bulk${name}`,
        tags,
        summary: `Create, update and delete ${title} records in one transaction`,
        description:
          'Up to 1,000 operations, all or nothing; each problem is reported at its path (create[2].email).',
        requestBody: { required: true, content: json(ref(`${name}Bulk`)) },
        responses: {
          200: {
            description: 'Every operation done',
            content: json({
              type: 'object',
              required: ['created', 'updated', 'deleted'],
              properties: {
                created: { type: 'array', items: ref(name) },
                updated: { type: 'array', items: ref(name) },
                deleted: { type: 'array', items: ref(name) },
              },
            }),
          },
          400: errorResponse('Invalid values; nothing was written'),
          401: errorResponse('Not signed in'),
          404: errorResponse('A record to update or delete does not exist'),
          409: errorResponse('A stale version or a duplicate value; nothing was written'),
        },
      },
    };
    if (grant) dropForbidden(paths, m.doc.name, grant);
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

/** The record as read: lookups may come expanded, and only what can be null is nullable. */
function readSchema(
  schema: JsonSchema,
  fields: FieldDef[],
  modules: ReadonlySet<string>,
): JsonSchema {
  const properties = { ...schema.properties };
  for (const name of REQUIRED_SYSTEM_COLUMNS) {
    const p = properties[name];
    if (p) properties[name] = notNull(p);
  }
  for (const f of fields) {
    const p = properties[f.name];
    if (!p) continue;
    const target = lookupTarget(f, modules);
    if (target) {
      const { type: _, format: __, ...rest } = p;
      properties[f.name] = {
        ...rest,
        description: `Id of a ${target} record (its record when expanded with expand=${f.name})`,
        'x-atrium-target': target,
        anyOf: [{ type: 'string', format: 'uuid' }, ref(schemaName(target)), { type: 'null' }],
      };
    } else properties[f.name] = describeReference(f, p, modules);
  }
  return { ...schema, properties };
}

/** A create or update body: lookups say where they point. */
function writeSchema(
  schema: JsonSchema,
  fields: FieldDef[],
  modules: ReadonlySet<string>,
): JsonSchema {
  const properties = { ...schema.properties };
  for (const f of fields) {
    const p = properties[f.name];
    if (p) properties[f.name] = describeReference(f, p, modules);
  }
  return { ...schema, properties };
}

function describeReference(
  f: FieldDef,
  schema: JsonSchema,
  modules: ReadonlySet<string>,
): JsonSchema {
  const target = lookupTarget(f, modules);
  if (target)
    return { ...schema, description: `Id of a ${target} record`, 'x-atrium-target': target };
  if (f.type === 'user') return { ...schema, description: 'Id of a user (GET /api/users)' };
  return schema;
}

/** The module a lookup points to (`id` points to its own record, and is not described as a link). */
function lookupTarget(f: FieldDef, modules: ReadonlySet<string>): string | undefined {
  return f.type === 'lookup' && f.name !== 'id' && f.target && modules.has(f.target)
    ? f.target
    : undefined;
}

/** The body of the bulk route: creates, updates (with id and version) and deletes. */
function bulkSchema(name: string, update: JsonSchema): JsonSchema {
  const identified = {
    id: { type: 'string', format: 'uuid' },
    version: { type: 'integer', minimum: 1 },
  };
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      create: { type: 'array', items: ref(`${name}Create`) },
      update: {
        type: 'array',
        items: {
          ...update,
          properties: { ...identified, ...update.properties },
          required: ['id', 'version'],
        },
      },
      delete: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'version'],
          properties: identified,
        },
      },
    },
  };
}

function notNull(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    out.type = types.length === 1 ? types[0] : types;
  }
  if (schema.enum) out.enum = schema.enum.filter((v) => v !== null);
  return out;
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

const VERBS = [
  'list',
  'create',
  'get',
  'update',
  'delete',
  'restore',
  'history',
  'bulk',
  'transitions',
  'transition',
  'convert',
  'aggregate',
  'export',
  'import',
];
const FIXED_OPERATIONS = new Set(
  Object.values(fixedPaths).flatMap((path) =>
    Object.values(path).flatMap((op) => {
      const id = (op as { operationId?: unknown }).operationId;
      return typeof id === 'string' ? [id] : [];
    }),
  ),
);

/**
 * The name of a module's schemas and operations: `sales_deals` → `SalesDeals`, or
 * `SettingsRecord` where the plain name would meet a fixed schema or operation.
 */
function schemaName(module: string): string {
  const base = pascal(module);
  const taken =
    [base, `${base}Create`, `${base}Update`, `${base}Bulk`].some(
      (n) =>
        n in fixedSchemas ||
        n in transitionSchemas ||
        n in jobSchemas ||
        n in reportSchemas ||
        n in effectSchemas ||
        n in approvalSchemas,
    ) || VERBS.some((v) => FIXED_OPERATIONS.has(`${v}${base}`));
  return taken ? `${base}Record` : base;
}

function pascal(name: string): string {
  return name.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}

/** Takes out of a module's paths the operations the caller's profile does not allow. */
function dropForbidden(paths: Record<string, unknown>, module: string, grant: ModuleGrant): void {
  const at = (suffix: string) =>
    paths[`/api/records/${module}${suffix}`] as Record<string, unknown>;
  const drop = (suffix: string, method: string, allowed: boolean) => {
    const item = at(suffix);
    if (!allowed && item) delete item[method];
    if (item && !Object.keys(item).some((k) => k !== 'parameters'))
      delete paths[`/api/records/${module}${suffix}`];
  };
  drop('', 'get', grant.read);
  drop('', 'post', grant.create);
  drop('/{id}', 'get', grant.read);
  drop('/{id}', 'patch', grant.update);
  drop('/{id}', 'delete', grant.delete);
  drop('/{id}/restore', 'post', grant.delete);
  drop('/{id}/history', 'get', grant.read);
  drop('/aggregate', 'get', grant.read);
  drop('/bulk', 'post', grant.create || grant.update || grant.delete);
  drop('/export', 'get', grant.read && grant.export);
  drop('/import', 'post', grant.import && grant.create);
}
