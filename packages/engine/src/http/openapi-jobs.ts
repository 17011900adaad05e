import { errorResponse, json, ref } from './openapi-fixed.js';

/** The outbox's job, as `GET /api/jobs` lists it. */
export const jobSchemas: Record<string, Record<string, unknown>> = {
  Job: {
    type: 'object',
    required: ['id', 'kind', 'idempotencyKey', 'status', 'attempts', 'maxAttempts', 'runAt'],
    properties: {
      id: { type: 'integer' },
      kind: { type: 'string', description: 'The action type: webhook, send_email, notify, …' },
      idempotencyKey: { type: 'string', description: 'Names the event; one job per key' },
      payload: {},
      status: { type: 'string', enum: ['pending', 'running', 'failed', 'done', 'dead'] },
      attempts: { type: 'integer' },
      maxAttempts: { type: 'integer' },
      runAt: { type: 'string', format: 'date-time' },
      lockedBy: { type: ['string', 'null'] },
      lockedUntil: { type: ['string', 'null'], format: 'date-time' },
      lastError: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
};

const forbidden = errorResponse('Only an administrator may do this');

export const jobPaths: Record<string, unknown> = {
  '/api/jobs': {
    get: {
      operationId: 'listJobs',
      tags: ['Jobs'],
      summary: 'The newest jobs of the outbox (100), optionally of one status',
      parameters: [
        {
          name: 'status',
          in: 'query',
          schema: { type: 'string', enum: ['pending', 'running', 'failed', 'done', 'dead'] },
        },
      ],
      responses: {
        200: {
          description: 'Jobs, newest first',
          content: json({
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: ref('Job') } },
          }),
        },
        400: errorResponse('Unknown status'),
        401: errorResponse('Not signed in'),
        403: forbidden,
      },
    },
  },
  '/api/jobs/{id}/retry': {
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
    post: {
      operationId: 'retryJob',
      tags: ['Jobs'],
      summary: 'Run a failed or dead-lettered job again now',
      responses: {
        200: { description: 'The job, pending again', content: json(ref('Job')) },
        401: errorResponse('Not signed in'),
        403: forbidden,
        404: errorResponse('No such job'),
        409: errorResponse('The job is not failed nor dead'),
      },
    },
  },
};
