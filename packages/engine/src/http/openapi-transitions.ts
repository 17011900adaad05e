import { errorResponse, json, ref } from './openapi-fixed.js';

type Schema = Record<string, unknown>;

/** The schemas of the blueprint transition routes, the same for every module. */
export const transitionSchemas: Record<string, Schema> = {
  TransitionList: {
    type: 'object',
    required: ['blueprint', 'field', 'state', 'transitions', 'pendingApproval'],
    properties: {
      blueprint: { type: ['string', 'null'], description: 'null when the module has none' },
      field: { type: ['string', 'null'], description: 'The picklist field the blueprint owns' },
      state: { description: 'The record’s current value of that field' },
      pendingApproval: {
        anyOf: [{ $ref: '#/components/schemas/Approval' }, { type: 'null' }],
        description: 'The approval the record waits for; no transition runs meanwhile',
      },
      transitions: {
        type: 'array',
        description: 'The transitions this user may run on the record now',
        items: {
          type: 'object',
          required: ['name', 'label', 'from', 'to', 'require', 'approval'],
          properties: {
            approval: {
              type: ['object', 'null'],
              description:
                'Null: runs at once. Else who approves (manager of the owner, a role, a user), whether a condition decides, and whether the record as it is would need it',
              properties: {
                by: { type: 'string', enum: ['manager', 'role', 'user'] },
                role: { type: 'string' },
                user: { type: 'string' },
                conditional: { type: 'boolean' },
                requiredNow: { type: 'boolean' },
              },
            },
            name: { type: 'string' },
            label: { type: 'string' },
            from: { type: 'array', items: { type: 'string' } },
            to: { type: 'string' },
            require: {
              type: 'array',
              description: 'Fields that must hold a value once the transition has run',
              items: {
                type: 'object',
                required: ['name', 'label', 'type'],
                properties: {
                  name: { type: 'string' },
                  label: { type: 'string' },
                  type: { type: 'string' },
                },
              },
            },
          },
        },
      },
    },
  },
  TransitionRun: {
    type: 'object',
    required: ['version'],
    additionalProperties: false,
    properties: {
      values: {
        type: 'object',
        description: 'The fields the transition requires, and any others to set with it',
      },
      version: { type: 'integer', minimum: 1, description: 'The version you read' },
    },
  },
};

/** `…/{id}/transitions` and `…/{id}/transitions/{name}` of one module. */
export function transitionPaths(
  module: string,
  name: string,
  title: string,
  idParam: Schema,
): Record<string, unknown> {
  const tags = [title];
  return {
    [`/api/records/${module}/{id}/transitions`]: {
      parameters: [idParam],
      get: {
        operationId: `transitions${name}`,
        tags,
        summary: 'The blueprint transitions you may run on this record now',
        responses: {
          200: { description: 'Available transitions', content: json(ref('TransitionList')) },
          401: errorResponse('Not signed in'),
          404: errorResponse('Not found'),
        },
      },
    },
    [`/api/records/${module}/{id}/transitions/{name}`]: {
      parameters: [
        idParam,
        { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
      ],
      post: {
        operationId: `transition${name}`,
        tags,
        summary: `Run a blueprint transition on a ${title} record`,
        description:
          'Sets the blueprint field to the transition’s target and the values sent, through the same write as an update; the history names the transition.',
        requestBody: { required: true, content: json(ref('TransitionRun')) },
        responses: {
          200: { description: 'The record after the transition', content: json(ref(name)) },
          202: {
            description: 'The transition needs approval: a pending approval was created',
            content: json(ref('ApprovalPending')),
          },
          400: errorResponse('A required field is missing or a value is invalid'),
          401: errorResponse('Not signed in'),
          404: errorResponse('No such record or transition'),
          409: errorResponse(
            'Stale version, the transition is not available now, or the record awaits an approval',
          ),
        },
      },
    },
  };
}
