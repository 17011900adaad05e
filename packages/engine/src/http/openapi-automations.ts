import { errorResponse, json, ref } from './openapi-fixed.js';

type Schema = Record<string, unknown>;

const run = {
  type: 'object',
  required: ['automation', 'trigger', 'event', 'result', 'durationMs', 'actions', 'depth'],
  properties: {
    automation: { type: 'string' },
    trigger: {
      type: 'string',
      enum: ['create', 'update', 'field_change', 'delete', 'date', 'schedule', 'no_activity'],
    },
    event: { type: 'string', description: 'Names the triggering write or time-triggered job' },
    result: {
      type: 'string',
      enum: ['done', 'skipped', 'failed'],
      description: 'skipped: the condition did not hold',
    },
    durationMs: { type: 'number' },
    error: { description: 'The refusal or error of a failed run' },
    actions: {
      type: 'array',
      description:
        'What each action did: the values set, the record created, the job enqueued (kind, idempotencyKey, payload)',
      items: {
        type: 'object',
        required: ['index', 'type'],
        properties: { index: { type: 'integer' }, type: { type: 'string' } },
      },
    },
    depth: { type: 'integer', description: 'How many automations led to this write' },
    actor: { type: ['string', 'null'] },
  },
};

/** The schemas of the automation routes. */
export const automationSchemas: Record<string, Schema> = {
  AutomationRun: run,
  TraceEntry: {
    ...run,
    required: [...run.required, 'id', 'at'],
    properties: {
      ...run.properties,
      id: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
    },
  },
  DryRunRequest: {
    type: 'object',
    required: ['module'],
    additionalProperties: false,
    properties: {
      module: { type: 'string' },
      recordId: { type: 'string', format: 'uuid', description: 'Absent: a create' },
      changes: {
        type: 'object',
        description:
          'The values of the create, or the change to the record (version optional); absent with recordId: evaluate the conditions on the record as it is',
      },
    },
  },
  DryRunResult: {
    type: 'object',
    required: ['mode', 'record', 'refused', 'runs', 'scheduled', 'conditions'],
    properties: {
      mode: { type: 'string', enum: ['create', 'update', 'evaluate'] },
      record: { type: ['object', 'null'], description: 'The record as it would be stored' },
      refused: {
        type: ['object', 'null'],
        description: 'The refusal the write would meet (blueprint guard, rule, recursion guard)',
      },
      runs: {
        type: 'array',
        items: ref('AutomationRun'),
        description: 'In the order they would start',
      },
      scheduled: {
        type: 'array',
        items: {
          type: 'object',
          required: ['automation', 'recordId', 'runAt'],
          properties: {
            automation: { type: 'string' },
            recordId: { type: 'string' },
            runAt: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
      conditions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['automation', 'trigger', 'holds', 'due'],
          properties: {
            automation: { type: 'string' },
            trigger: { type: 'string' },
            holds: { type: 'boolean' },
            due: { type: ['string', 'null'], format: 'date-time' },
          },
        },
      },
    },
  },
};

/** `POST /api/automations/dry-run`. */
export const automationPaths: Record<string, unknown> = {
  '/api/automations/dry-run': {
    post: {
      operationId: 'dryRunAutomations',
      tags: ['Automations'],
      summary:
        'Which automations a create or change would run, and what they would do — nothing is written',
      requestBody: { required: true, content: json(ref('DryRunRequest')) },
      responses: {
        200: { description: 'What would happen', content: json(ref('DryRunResult')) },
        400: errorResponse('Bad request'),
        401: errorResponse('Not signed in'),
        403: errorResponse('Only an administrator may do this'),
        404: errorResponse('No such module or record'),
      },
    },
  },
};

/** `…/{id}/trace` of one module. */
export function tracePaths(module: string, name: string, title: string, idParam: Schema) {
  return {
    [`/api/records/${module}/{id}/trace`]: {
      parameters: [idParam],
      get: {
        operationId: `trace${name}`,
        tags: [title],
        summary: 'The automation runs on this record, newest first (100)',
        responses: {
          200: {
            description: 'Automation runs',
            content: json({
              type: 'object',
              required: ['data'],
              properties: { data: { type: 'array', items: ref('TraceEntry') } },
            }),
          },
          401: errorResponse('Not signed in'),
          404: errorResponse('Not found'),
        },
      },
    },
  };
}
