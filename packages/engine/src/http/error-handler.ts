import { ajvProblems } from '@atrium/metadata';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db.js';
import { AtriumError } from '../errors.js';
import { requestMsg } from '../request-messages.js';
import { frameworkError } from './framework-error.js';
import { localeOf } from './request-context.js';

/**
 * Every refusal leaves with one shape: `{ error: { code, message, details: [{ path, message }] } }`,
 * its top-level message in the caller's language (Accept-Language).
 * Unexpected errors are logged and answered 500 without internals.
 */
export const errorHandler = fp(
  async (
    app: FastifyInstance,
    options: {
      /**
       * Answers a GET no route matched before it becomes a 404 (the web app's page paths,
       * answered with its index.html); returns false to let the 404 stand.
       */
      pageFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean;
    } = {},
  ) => {
    app.setErrorHandler((error: FastifyError | AtriumError, request, reply) => {
      const locale = localeOf(request);
      if (error instanceof AtriumError)
        return reply.status(error.status).send(error.toJSON(locale));
      if (isDatabaseUnavailable(error)) {
        // The pool reconnects by itself; the client may retry.
        request.log.warn({ err: error }, 'database unavailable');
        const refusal = new AtriumError('DATABASE_UNAVAILABLE');
        return reply.status(refusal.status).header('retry-after', '1').send(refusal.toJSON(locale));
      }
      if ('validation' in error && error.validation) {
        // A body property or a query parameter is named as such: `documents`, `limit`.
        const details = ajvProblems(error.validation as Parameters<typeof ajvProblems>[0]);
        // The address (query, path) is a query; the body holds values.
        const where = (error as { validationContext?: string }).validationContext;
        const code =
          where === 'querystring' || where === 'params' ? 'INVALID_QUERY' : 'VALIDATION_FAILED';
        return reply.status(400).send(new AtriumError(code, details).toJSON(locale));
      }
      const status = error.statusCode ?? 500;
      if (status < 500) {
        const refusal = frameworkError(error);
        return reply.status(refusal.status).send(refusal.toJSON(locale));
      }
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send(new AtriumError('INTERNAL').toJSON(locale));
    });
    app.setNotFoundHandler((request, reply) => {
      if (request.method === 'GET' && options.pageFallback?.(request, reply)) return reply;
      const refusal = new AtriumError('ROUTE_NOT_FOUND', [
        requestMsg.at('(request)', 'noRoute', {
          method: request.method,
          url: request.url.split('?')[0],
        }),
      ]);
      return reply.status(404).send(refusal.toJSON(localeOf(request)));
    });
  },
  { name: 'atrium-error-handler' },
);
