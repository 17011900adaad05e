import { LOCALES } from '@atrium/metadata';

/**
 * The OpenAPI parts of identity: users, sessions, API tokens and the audit log. Kept apart from
 * openapi-fixed.ts, which spreads them in.
 */

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ok = (description: string, schema: unknown) => ({ description, content: json(schema) });
const body = (schema: unknown) => ({ required: true, content: json(schema) });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const noContent = { description: 'Done' };
const uuid = { type: 'string', format: 'uuid' };
const instant = { type: 'string', format: 'date-time' };
const nullableInstant = { type: ['string', 'null'], format: 'date-time' };
const unauthorized = error('Not signed in');
const forbidden = error('Only an administrator may do this');
const password = { type: 'string', minLength: 8, maxLength: 1000 };
const documentName = { type: ['string', 'null'], minLength: 1, maxLength: 63 };
const idParam = { name: 'id', in: 'path', required: true, schema: uuid };
const userFields = {
  name: { type: 'string', maxLength: 200 },
  locale: { type: 'string', enum: [...LOCALES] },
  timeZone: { type: ['string', 'null'], minLength: 1, maxLength: 64 },
  role: { ...documentName, description: 'Name of a role document; null: none' },
  profile: { ...documentName, description: 'Name of a profile document; null: none' },
  isAdmin: { type: 'boolean' },
};
const refreshBody = body({
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
});

export const identitySchemas: Record<string, Schema> = {
  Session: {
    type: 'object',
    required: ['token', 'expiresIn', 'refreshToken'],
    properties: {
      token: { type: 'string', description: 'Access token (JWT) for Authorization: Bearer' },
      expiresIn: { type: 'integer', description: 'Seconds the access token is good for' },
      refreshToken: { type: 'string', description: 'Trade for a new access token; rotated' },
    },
  },
  PasswordToken: {
    type: 'object',
    required: ['token', 'expiresAt'],
    properties: {
      token: { type: 'string', description: 'One-time; send to POST /api/auth/reset' },
      expiresAt: instant,
    },
  },
  ApiToken: {
    type: 'object',
    required: ['id', 'userId', 'name', 'hint', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'],
    properties: {
      id: uuid,
      userId: uuid,
      name: { type: 'string' },
      hint: { type: 'string', description: 'atr_… and the last 4 characters' },
      createdAt: instant,
      expiresAt: nullableInstant,
      lastUsedAt: { ...nullableInstant, description: 'Written at most once a minute' },
      revokedAt: nullableInstant,
    },
  },
  AuditEntry: {
    type: 'object',
    required: ['id', 'at', 'actorId', 'action', 'target', 'address', 'details'],
    properties: {
      id: { type: 'string', description: 'Pass as `before` for the next page' },
      at: instant,
      actorId: { type: ['string', 'null'], format: 'uuid' },
      action: { type: 'string', examples: ['auth.login', 'token.use', 'record.owner'] },
      target: { type: ['string', 'null'] },
      address: { type: ['string', 'null'] },
      details: { type: 'object' },
    },
  },
};

export const identityPaths: Record<string, Schema> = {
  '/api/auth/refresh': {
    post: {
      operationId: 'refreshSession',
      tags: ['Auth'],
      summary: 'A new access token for a refresh token (which is rotated)',
      security: [],
      requestBody: refreshBody,
      responses: {
        200: ok('A new access and refresh token', ref('Session')),
        401: error('The session has ended'),
      },
    },
  },
  '/api/auth/logout': {
    post: {
      operationId: 'logout',
      tags: ['Auth'],
      summary: 'End the session: its access tokens are refused from the next request on',
      security: [],
      requestBody: refreshBody,
      responses: { 204: noContent },
    },
  },
  '/api/auth/password': {
    post: {
      operationId: 'changePassword',
      tags: ['Auth'],
      summary: 'Change your own password; your other sessions end',
      requestBody: body({
        type: 'object',
        required: ['current', 'new'],
        additionalProperties: false,
        properties: { current: { type: 'string' }, new: password },
      }),
      responses: {
        204: noContent,
        400: error('The current password does not match, or the new one is too short'),
        401: unauthorized,
      },
    },
  },
  '/api/auth/reset': {
    post: {
      operationId: 'resetPassword',
      tags: ['Auth'],
      summary: 'Set a password with a one-time token; every session of the user ends',
      security: [],
      requestBody: body({
        type: 'object',
        required: ['token', 'password'],
        additionalProperties: false,
        properties: { token: { type: 'string' }, password },
      }),
      responses: { 204: noContent, 400: error('The token is used up or expired') },
    },
  },
  '/api/users/{id}': {
    patch: {
      operationId: 'updateUser',
      tags: ['Users'],
      summary: 'Change a user (administrators); `active: false` refuses their next request',
      parameters: [idParam],
      requestBody: body({
        type: 'object',
        additionalProperties: false,
        properties: { ...userFields, active: { type: 'boolean' } },
      }),
      responses: {
        200: ok('The user', ref('User')),
        400: error('Not valid (or the last administrator)'),
        401: unauthorized,
        403: forbidden,
        404: error('No such user'),
      },
    },
  },
  '/api/users/{id}/password-reset': {
    post: {
      operationId: 'resetUserPassword',
      tags: ['Users'],
      summary: 'A one-time token with which the user sets a new password (administrators)',
      parameters: [idParam],
      responses: {
        200: ok('The token, shown once', ref('PasswordToken')),
        401: unauthorized,
        403: forbidden,
        404: error('No such user'),
      },
    },
  },
  '/api/users/{id}/transfer': {
    post: {
      operationId: 'transferUserRecords',
      tags: ['Users'],
      summary: 'Give every record the user owns to another user (administrators; audited)',
      parameters: [idParam],
      requestBody: body({
        type: 'object',
        required: ['to'],
        additionalProperties: false,
        properties: {
          to: uuid,
          modules: { type: 'array', items: { type: 'string' }, description: 'Default: all' },
        },
      }),
      responses: {
        200: ok('How many records moved, per module', {
          type: 'object',
          required: ['moved'],
          properties: { moved: { type: 'object', additionalProperties: { type: 'integer' } } },
        }),
        400: error('`to` is not an active user'),
        401: unauthorized,
        403: forbidden,
        404: error('No such user or module'),
      },
    },
  },
  '/api/tokens': {
    get: {
      operationId: 'listApiTokens',
      tags: ['Tokens'],
      summary: 'Your API tokens (administrators: everyone’s with all=true)',
      parameters: [{ name: 'all', in: 'query', schema: { type: 'boolean' } }],
      responses: {
        200: ok('API tokens, newest first', {
          type: 'object',
          required: ['data'],
          properties: { data: { type: 'array', items: ref('ApiToken') } },
        }),
        401: unauthorized,
        403: forbidden,
      },
    },
    post: {
      operationId: 'createApiToken',
      tags: ['Tokens'],
      summary: 'A token acting as you; its secret is shown once',
      requestBody: body({
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          expiresAt: nullableInstant,
        },
      }),
      responses: {
        201: ok('The token with its secret', {
          allOf: [
            ref('ApiToken'),
            { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
          ],
        }),
        400: error('Not valid'),
        401: unauthorized,
      },
    },
  },
  '/api/tokens/{id}': {
    delete: {
      operationId: 'revokeApiToken',
      tags: ['Tokens'],
      summary: 'Revoke a token: refused from its next request on',
      parameters: [idParam],
      responses: {
        200: ok('The revoked token', ref('ApiToken')),
        401: unauthorized,
        404: error('No such token of yours'),
      },
    },
  },
  '/api/audit': {
    get: {
      operationId: 'listAudit',
      tags: ['Audit'],
      summary: 'The audit log, newest first (administrators)',
      parameters: [
        { name: 'actor', in: 'query', schema: uuid },
        {
          name: 'action',
          in: 'query',
          schema: { type: 'string' },
          description: 'An action, or a family such as auth.*',
        },
        { name: 'since', in: 'query', schema: instant },
        { name: 'until', in: 'query', schema: instant },
        {
          name: 'before',
          in: 'query',
          schema: { type: 'string' },
          description: '`next` of the page before',
        },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500 } },
      ],
      responses: {
        200: ok('A page of entries', {
          type: 'object',
          required: ['data', 'next'],
          properties: {
            data: { type: 'array', items: ref('AuditEntry') },
            next: { type: ['string', 'null'] },
          },
        }),
        400: error('Bad query'),
        401: unauthorized,
        403: forbidden,
      },
    },
  },
};

/** GET|POST /api/users: the list (pickers; administrators: inactive ones too) and creation. */
export const usersPath: Schema = {
  get: {
    operationId: 'listUsers',
    tags: ['Users'],
    summary: 'Users by name: active ones to pick as owners; administrators: active=false|all',
    parameters: [
      { name: 'q', in: 'query', schema: { type: 'string', maxLength: 200 } },
      { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 200 } },
      { name: 'active', in: 'query', schema: { type: 'string', enum: ['true', 'false', 'all'] } },
    ],
    responses: {
      200: ok('Users by name', {
        type: 'object',
        required: ['data'],
        properties: { data: { type: 'array', items: ref('User') } },
      }),
      400: error('Bad query'),
      401: unauthorized,
      403: forbidden,
    },
  },
  post: {
    operationId: 'createUser',
    tags: ['Users'],
    summary: 'Create a user (administrators); without a password, a one-time set-password token',
    requestBody: body({
      type: 'object',
      required: ['email'],
      additionalProperties: false,
      properties: { email: { type: 'string' }, password, ...userFields },
    }),
    responses: {
      201: ok('The user, and the set-password token when no password was given', {
        type: 'object',
        required: ['user'],
        properties: { user: ref('User'), passwordToken: ref('PasswordToken') },
      }),
      400: error('Not valid'),
      401: unauthorized,
      403: forbidden,
      409: error('The e-mail is taken'),
    },
  },
};
