import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AtriumError, type ErrorCode } from '../errors.js';
import { requestMsg } from '../request-messages.js';
import { localeOf } from './request-context.js';

/** Fastify's own 4xx statuses, as catalog codes. */
const BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
};

/**
 * A 4xx raised by Fastify or a plugin (bad JSON, wrong content type, body too large, a path
 * parameter too long) as a catalog refusal. Fastify's own explanation goes into `details`, so the
 * top-level message stays the catalog's and can be shown in the caller's language.
 */
export function frameworkError(error: FastifyError): AtriumError {
  const code = BY_STATUS[error.statusCode ?? 400] ?? 'BAD_REQUEST';
  const where = error.code?.startsWith('FST_ERR_CTP_') ? '(body)' : '(request)';
  // Fastify's explanation is English; another language says so around it.
  return new AtriumError(code, [requestMsg.at(where, 'framework', { reason: error.message })]);
}

/**
 * Fastify's `frameworkErrors` option: errors raised before a route is found (a malformed URL
 * component, a path parameter over `maxParamLength`) leave in the one error shape too.
 */
export function onFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const refusal = frameworkError(error);
  reply.status(refusal.status).send(refusal.toJSON(localeOf(request)));
}

/**
 * Fastify's `clientErrorHandler` option. Node's HTTP parser refuses some requests before Fastify
 * sees them — a request line or headers over 16 KB (431), a malformed request (400), a timeout
 * (408) — and writes a bare answer; this writes the one error shape instead.
 */
export function onClientError(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? 'HEADERS_TOO_LARGE'
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? 'REQUEST_TIMEOUT'
        : 'BAD_REQUEST';
  const refusal = new AtriumError(code);
  const body = JSON.stringify(refusal.toJSON());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status] ?? 'Bad Request'}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};
