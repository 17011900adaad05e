import { LOCALES } from '@atrium/metadata';
import { identityPaths, identitySchemas, usersPath } from './openapi-identity.js';

/**
 * The parts of the OpenAPI document that do not depend on metadata: the error shape, the
 * signed-in user, settings, metadata changes and revisions, and their routes.
 */

type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: unknown) => ({ 'application/json': { schema } });
export const errorResponse = (description: string) => ({
  description,
  content: json(ref('Error')),
});
const ok = (description: string, schema: unknown) => ({ description, content: json(schema) });
const body = (schema: unknown) => ({ required: true, content: json(schema) });
const uuid = { type: 'string', format: 'uuid' };
const instant = { type: 'string', format: 'date-time' };
const timeZone = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'An IANA time zone name, such as Europe/Berlin or UTC',
};
const unauthorized = errorResponse('Not signed in');
const forbidden = errorResponse('Only an administrator may do this');

export const fixedSchemas: Record<string, Schema> = {
  ...identitySchemas,
  Error: {
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
              required: ['path', 'message'],
              properties: { path: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  },
  User: {
    type: 'object',
    required: ['id', 'email', 'name', 'isAdmin', 'role', 'profile', 'active', 'locale', 'timeZone'],
    properties: {
      id: uuid,
      email: { type: 'string' },
      name: { type: 'string' },
      isAdmin: { type: 'boolean' },
      role: { type: ['string', 'null'], description: 'Name of a role document' },
      profile: { type: ['string', 'null'], description: 'Name of a profile document' },
      active: { type: 'boolean' },
      locale: { type: 'string', enum: [...LOCALES] },
      timeZone: { ...timeZone, type: ['string', 'null'], description: 'Null: the workspace’s' },
    },
  },
  Me: {
    allOf: [
      ref('User'),
      {
        type: 'object',
        required: ['effectiveTimeZone', 'permissions'],
        properties: {
          effectiveTimeZone: { ...timeZone, description: 'The zone date periods are read in' },
          permissions: ref('Permissions'),
        },
      },
    ],
  },
  Permissions: {
    type: 'object',
    description: 'What the user may do under the current metadata, so a client can hide the rest',
    required: ['admin', 'role', 'profile', 'modules'],
    properties: {
      admin: { type: 'boolean', description: 'An administrator may do everything' },
      role: { type: ['string', 'null'] },
      profile: { type: ['string', 'null'] },
      modules: {
        type: 'object',
        description: 'Module → what the user may do there; a module not listed allows nothing',
        additionalProperties: {
          type: 'object',
          required: ['create', 'read', 'update', 'delete', 'import', 'export', 'fields'],
          properties: {
            create: { type: 'boolean' },
            read: { type: 'boolean' },
            update: { type: 'boolean' },
            delete: { type: 'boolean' },
            import: { type: 'boolean' },
            export: { type: 'boolean' },
            fields: {
              type: 'object',
              description: 'Field → hidden or read (read-only); a field not listed is editable',
              additionalProperties: { type: 'string', enum: ['hidden', 'read'] },
            },
          },
        },
      },
    },
  },
  Settings: {
    type: 'object',
    required: ['timeZone'],
    properties: { timeZone },
  },
  MetadataDocument: {
    type: 'object',
    required: ['kind'],
    description: 'A module, layout, view, blueprint or automation document',
    properties: {
      kind: { type: 'string' },
      name: { type: 'string' },
      module: { type: 'string' },
    },
    additionalProperties: true,
  },
  ChangeRequest: {
    type: 'object',
    required: ['documents'],
    additionalProperties: false,
    properties: {
      documents: { type: 'array', items: ref('MetadataDocument') },
      remove: {
        type: 'array',
        items: { type: 'string' },
        description: 'Keys of documents to remove: module:deals, view:deals.open',
      },
      replaceAll: { type: 'boolean', description: 'Documents not in the request are removed' },
      baseRevision: { type: 'integer', minimum: 0 },
      allowDestructive: { type: 'boolean' },
    },
  },
  PlannedStep: {
    type: 'object',
    required: ['step', 'destructive', 'summary'],
    properties: {
      step: {
        type: 'object',
        required: ['kind'],
        properties: { kind: { type: 'string' } },
        additionalProperties: true,
      },
      destructive: { type: 'boolean' },
      summary: { type: 'string' },
      summaryKey: {
        type: 'string',
        description: 'The catalog key of the summary (plan.addColumn …)',
      },
      localSummary: { type: 'string', description: "The summary in the caller's language" },
    },
  },
  Plan: {
    type: 'object',
    required: ['revision', 'destructive', 'steps'],
    properties: {
      revision: { type: 'integer', description: 'The revision planned against' },
      destructive: { type: 'boolean' },
      steps: { type: 'array', items: ref('PlannedStep') },
    },
  },
  Applied: {
    type: 'object',
    required: ['revision', 'changed', 'destructive', 'steps'],
    properties: {
      revision: { type: 'integer' },
      changed: { type: 'boolean', description: 'False when nothing differed: no revision' },
      destructive: { type: 'boolean' },
      steps: { type: 'array', items: ref('PlannedStep') },
    },
  },
  Revision: {
    type: 'object',
    required: ['n', 'actor', 'at', 'summary'],
    properties: {
      n: { type: 'integer' },
      actor: { ...uuid, type: ['string', 'null'] },
      at: instant,
      summary: { type: 'string' },
    },
  },
  RevisionDetail: {
    allOf: [
      ref('Revision'),
      {
        type: 'object',
        required: ['changes', 'steps'],
        properties: {
          changes: { description: 'Per document: before and after' },
          steps: { type: 'array', items: ref('PlannedStep') },
        },
      },
    ],
  },
  HistoryEntry: {
    type: 'object',
    required: ['id', 'action', 'changes', 'actor', 'at'],
    properties: {
      id: { type: 'integer' },
      action: { type: 'string' },
      changes: {
        type: 'object',
        description: 'Field name → its value before and after',
        additionalProperties: {
          type: 'object',
          required: ['from', 'to'],
          properties: { from: {}, to: {} },
        },
      },
      actor: { ...uuid, type: ['string', 'null'] },
      at: instant,
      transition: {
        type: 'string',
        description: 'The blueprint transition an entry with action "transition" ran',
      },
    },
  },
};

const revisionParam = {
  name: 'n',
  in: 'path',
  required: true,
  schema: { type: 'integer', minimum: 1 },
};

/** The routes every workspace has, whatever its metadata. */
export const fixedPaths: Record<string, Schema> = {
  '/api/health': {
    get: {
      operationId: 'health',
      tags: ['System'],
      security: [],
      responses: {
        200: ok('Up', {
          type: 'object',
          required: ['status'],
          properties: { status: { type: 'string' } },
        }),
      },
    },
  },
  '/api/auth/login': {
    post: {
      operationId: 'login',
      tags: ['Auth'],
      summary: 'Sign in: a bearer token for the other routes',
      security: [],
      requestBody: body({
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', minLength: 1, maxLength: 254 },
          password: { type: 'string', minLength: 1, maxLength: 1000 },
        },
      }),
      responses: {
        200: ok('Signed in', {
          allOf: [
            ref('Session'),
            { type: 'object', required: ['user'], properties: { user: ref('User') } },
          ],
        }),
        400: errorResponse('E-mail or password missing'),
        401: errorResponse('Wrong e-mail or password'),
        429: errorResponse('Too many attempts'),
      },
    },
  },
  '/api/auth/me': {
    get: {
      operationId: 'getMe',
      tags: ['Auth'],
      summary: 'Who is signed in',
      responses: { 200: ok('The signed-in user', ref('Me')), 401: unauthorized },
    },
    patch: {
      operationId: 'updateMe',
      tags: ['Auth'],
      summary: 'Set your own time zone and language',
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        properties: {
          timeZone: { ...timeZone, type: ['string', 'null'], description: 'Null: the workspace’s' },
          locale: { type: 'string', enum: [...LOCALES] },
        },
      }),
      responses: {
        200: ok('The signed-in user', ref('Me')),
        400: errorResponse('Not a time zone or language'),
        401: unauthorized,
      },
    },
  },
  '/api/users': usersPath,
  ...identityPaths,
  '/api/settings': {
    get: {
      operationId: 'getSettings',
      tags: ['System'],
      responses: { 200: ok('The workspace settings', ref('Settings')), 401: unauthorized },
    },
    put: {
      operationId: 'updateSettings',
      tags: ['System'],
      summary: 'Change workspace settings (administrators)',
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        properties: { timeZone },
      }),
      responses: {
        200: ok('The workspace settings', ref('Settings')),
        400: errorResponse('Not a time zone'),
        401: unauthorized,
        403: forbidden,
      },
    },
  },
  '/api/meta': {
    get: {
      operationId: 'getMetadata',
      tags: ['Metadata'],
      summary: 'Every current metadata document',
      responses: {
        200: ok('The metadata', {
          type: 'object',
          required: ['revision', 'documents'],
          properties: {
            revision: { type: 'integer' },
            documents: { type: 'array', items: ref('MetadataDocument') },
          },
        }),
        401: unauthorized,
      },
    },
  },
  '/api/meta/plan': {
    post: {
      operationId: 'planMetadata',
      tags: ['Metadata'],
      summary: 'What applying the documents would change; nothing changes',
      requestBody: body(ref('ChangeRequest')),
      responses: {
        200: ok('The plan', ref('Plan')),
        400: errorResponse('Invalid documents'),
        401: unauthorized,
        403: forbidden,
      },
    },
  },
  '/api/meta/apply': {
    post: {
      operationId: 'applyMetadata',
      tags: ['Metadata'],
      summary: 'Apply documents in one transaction, as a new revision',
      requestBody: body(ref('ChangeRequest')),
      responses: {
        200: ok('Applied', ref('Applied')),
        400: errorResponse('Invalid documents'),
        401: unauthorized,
        403: forbidden,
        409: errorResponse('Destructive without allowDestructive, or a newer revision'),
        422: errorResponse('Could not be applied; nothing changed'),
      },
    },
  },
  '/api/meta/revisions': {
    get: {
      operationId: 'listRevisions',
      tags: ['Metadata'],
      parameters: [
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
        { name: 'before', in: 'query', schema: { type: 'integer' } },
      ],
      responses: {
        200: ok('Revisions, newest first', {
          type: 'object',
          required: ['data'],
          properties: { data: { type: 'array', items: ref('Revision') } },
        }),
        400: errorResponse('Bad query'),
        401: unauthorized,
      },
    },
  },
  '/api/meta/revisions/{n}': {
    parameters: [revisionParam],
    get: {
      operationId: 'getRevision',
      tags: ['Metadata'],
      responses: {
        200: ok('The revision', ref('RevisionDetail')),
        401: unauthorized,
        404: errorResponse('No such revision'),
      },
    },
  },
  '/api/meta/revisions/{n}/revert': {
    parameters: [revisionParam],
    post: {
      operationId: 'revertRevision',
      tags: ['Metadata'],
      summary: 'Undo a revision as a new one; what it dropped comes back with its data',
      requestBody: {
        required: false,
        content: json({
          type: 'object',
          additionalProperties: false,
          properties: { dryRun: { type: 'boolean' }, allowDestructive: { type: 'boolean' } },
        }),
      },
      responses: {
        200: ok('Applied (or, with dryRun, planned)', {
          anyOf: [ref('Applied'), ref('Plan')],
        }),
        400: errorResponse('Bad revision'),
        401: unauthorized,
        403: forbidden,
        404: errorResponse('No such revision'),
        409: errorResponse('Destructive without allowDestructive'),
      },
    },
  },
};
