import { errorResponse, json, ref } from './openapi-fixed.js';

type Schema = Record<string, unknown>;

/** Approvals of blueprint transitions. */
export const approvalSchemas: Record<string, Schema> = {
  Approval: {
    type: 'object',
    required: [
      'id',
      'module',
      'recordId',
      'transition',
      'values',
      'requestedBy',
      'approvers',
      'status',
    ],
    properties: {
      id: { type: 'integer' },
      module: { type: 'string' },
      recordId: { type: 'string', format: 'uuid' },
      transition: { type: 'string' },
      values: { type: 'object', description: 'What the requester sent with the transition' },
      requestedBy: { type: 'string', format: 'uuid' },
      approvers: {
        type: 'array',
        items: { type: 'string', format: 'uuid' },
        description: 'Who may decide (administrators always may); empty: administrators decide',
      },
      rule: { type: 'object', description: 'The transition’s approval rule when requested' },
      status: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
      comment: { type: ['string', 'null'] },
      decidedBy: { type: ['string', 'null'], format: 'uuid' },
      decidedAt: { type: ['string', 'null'], format: 'date-time' },
      createdAt: { type: 'string', format: 'date-time' },
      recordName: {
        type: ['string', 'null'],
        description:
          'In lists: the record’s name as the caller may read it; null when they may not read it',
      },
    },
  },
  ApprovalDecision: {
    type: 'object',
    additionalProperties: false,
    properties: { comment: { type: 'string', maxLength: 2000 } },
  },
  ApprovalPending: {
    type: 'object',
    required: ['approval', 'record'],
    description: 'The transition waits for approval; the record is unchanged and locked',
    properties: { approval: ref('Approval'), record: { type: 'object' } },
  },
};

const decide = (verb: 'approve' | 'reject', summary: string) => ({
  parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
  post: {
    operationId: `${verb}Approval`,
    tags: ['Approvals'],
    summary,
    requestBody: { required: false, content: json(ref('ApprovalDecision')) },
    responses: {
      200: {
        description: 'The decided approval, and the record after the transition (approve) or null',
        content: json({
          type: 'object',
          required: ['approval', 'record'],
          properties: { approval: ref('Approval'), record: { type: ['object', 'null'] } },
        }),
      },
      400: errorResponse('Bad comment, or the transition’s values no longer pass'),
      401: errorResponse('Not signed in'),
      403: errorResponse('Not an approver of this request'),
      404: errorResponse('No such approval'),
      409: errorResponse('Decided already, or the transition cannot run now'),
    },
  },
});

export const approvalPaths: Record<string, unknown> = {
  '/api/approvals': {
    get: {
      operationId: 'listApprovals',
      tags: ['Approvals'],
      summary: 'Approvals waiting for you (mine=true), else your own requests; newest first',
      parameters: [
        { name: 'mine', in: 'query', schema: { type: 'boolean' } },
        {
          name: 'status',
          in: 'query',
          schema: { type: 'string', enum: ['pending', 'approved', 'rejected'] },
        },
      ],
      responses: {
        200: {
          description: 'Approvals',
          content: json({
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: ref('Approval') } },
          }),
        },
        400: errorResponse('Bad query'),
        401: errorResponse('Not signed in'),
      },
    },
  },
  '/api/approvals/{id}/approve': decide(
    'approve',
    'Approve: the transition runs as the requester, with the values they sent',
  ),
  '/api/approvals/{id}/reject': decide(
    'reject',
    'Reject: the record is unlocked, its stage unchanged',
  ),
};
