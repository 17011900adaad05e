import { errorResponse, json, ref } from './openapi-fixed.js';

type Schema = Record<string, unknown>;

const pageOf = (item: string, extra: Schema = {}, required: string[] = []) => ({
  type: 'object',
  required: ['data', 'nextCursor', ...required],
  properties: {
    data: { type: 'array', items: ref(item) },
    nextCursor: {
      type: ['string', 'null'],
      description: 'Pass as `before` for the next page; null on the last one',
    },
    ...extra,
  },
});

const paging = [
  {
    name: 'limit',
    in: 'query',
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
  },
  {
    name: 'before',
    in: 'query',
    schema: { type: 'string' },
    description: 'nextCursor of the previous page',
  },
];

/** The mail outbox, notifications and the webhook secret. */
export const effectSchemas: Record<string, Schema> = {
  OutboxMail: {
    type: 'object',
    required: [
      'id',
      'messageId',
      'to',
      'subject',
      'text',
      'status',
      'transport',
      'attempts',
      'createdAt',
    ],
    properties: {
      id: { type: 'integer' },
      messageId: {
        type: 'string',
        description: 'Stable per event (derived from the idempotency key)',
      },
      to: { type: 'array', items: { type: 'string' } },
      subject: { type: 'string' },
      text: { type: 'string' },
      locale: { type: ['string', 'null'] },
      module: { type: ['string', 'null'] },
      recordId: { type: ['string', 'null'] },
      status: {
        type: 'string',
        enum: ['queued', 'sent', 'failed'],
        description:
          'queued with transport none: no SMTP server is configured, the mail is kept here',
      },
      transport: { type: 'string', enum: ['smtp', 'none'] },
      attempts: { type: 'integer' },
      error: { type: ['string', 'null'] },
      idempotencyKey: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      sentAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  Notification: {
    type: 'object',
    required: ['id', 'title', 'createdAt', 'readAt'],
    properties: {
      id: { type: 'integer' },
      title: { type: 'string' },
      body: { type: ['string', 'null'] },
      module: { type: ['string', 'null'] },
      recordId: { type: ['string', 'null'] },
      createdAt: { type: 'string', format: 'date-time' },
      readAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  WebhookSecret: {
    type: 'object',
    required: ['secret', 'source', 'rotatedAt'],
    properties: {
      secret: {
        type: 'string',
        description:
          'HMAC-SHA256 key: X-Atrium-Signature = sha256=hex(hmac(secret, X-Atrium-Timestamp + "." + raw body))',
      },
      source: { type: 'string', enum: ['environment', 'workspace'] },
      rotatedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
};

const forbidden = errorResponse('Only an administrator may do this');
const unauthorized = errorResponse('Not signed in');

export const effectPaths: Record<string, unknown> = {
  '/api/outbox': {
    get: {
      operationId: 'listOutbox',
      tags: ['Mail'],
      summary: 'Every mail the workspace sent or holds, newest first (administrators)',
      parameters: [
        ...paging,
        {
          name: 'status',
          in: 'query',
          schema: { type: 'string', enum: ['queued', 'sent', 'failed'] },
        },
      ],
      responses: {
        200: { description: 'A page of mails', content: json(pageOf('OutboxMail')) },
        400: errorResponse('Bad paging or status'),
        401: unauthorized,
        403: forbidden,
      },
    },
  },
  '/api/notifications': {
    get: {
      operationId: 'listNotifications',
      tags: ['Notifications'],
      summary: 'Your notifications, newest first, with how many are unread',
      parameters: [
        ...paging,
        {
          name: 'unread',
          in: 'query',
          schema: { type: 'boolean' },
          description: 'Only unread ones',
        },
      ],
      responses: {
        200: {
          description: 'A page of notifications',
          content: json(pageOf('Notification', { unread: { type: 'integer' } }, ['unread'])),
        },
        400: errorResponse('Bad paging'),
        401: unauthorized,
      },
    },
  },
  '/api/notifications/read-all': {
    post: {
      operationId: 'readAllNotifications',
      tags: ['Notifications'],
      summary: 'Mark all your notifications read',
      responses: {
        200: {
          description: 'How many were unread',
          content: json({
            type: 'object',
            required: ['marked'],
            properties: { marked: { type: 'integer' } },
          }),
        },
        401: unauthorized,
      },
    },
  },
  '/api/notifications/{id}/read': {
    parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
    post: {
      operationId: 'readNotification',
      tags: ['Notifications'],
      summary: 'Mark one of your notifications read',
      responses: {
        200: { description: 'The notification', content: json(ref('Notification')) },
        401: unauthorized,
        404: errorResponse('No such notification of yours'),
      },
    },
  },
  '/api/webhooks/secret': {
    get: {
      operationId: 'getWebhookSecret',
      tags: ['Webhooks'],
      summary: 'The secret webhooks are signed with (administrators)',
      responses: {
        200: { description: 'The secret', content: json(ref('WebhookSecret')) },
        401: unauthorized,
        403: forbidden,
      },
    },
  },
  '/api/webhooks/secret/rotate': {
    post: {
      operationId: 'rotateWebhookSecret',
      tags: ['Webhooks'],
      summary: 'Replace the workspace’s webhook secret; deliveries from now on use the new one',
      responses: {
        200: { description: 'The new secret', content: json(ref('WebhookSecret')) },
        401: unauthorized,
        403: forbidden,
        409: errorResponse('The secret comes from ATRIUM_WEBHOOK_SECRET'),
      },
    },
  },
};
