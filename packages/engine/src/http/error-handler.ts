import { ajvProblems } from '@atrium/metadata';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { isDatabaseUnavailable } from '../db.js';
import { AtriumError } from '../errors.js';

/**
 * Every refusal leaves with one shape: `{ error: { code, message, details: [{ path, message }] } }`.
 * Unexpected errors are logged and answered 500 without internals.
 */
export const errorHandler = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError | AtriumError, request, reply) => {
      if (error instanceof AtriumError) return reply.status(error.status).send(error.toJSON());
      if (isDatabaseUnavailable(error)) {
        // The pool reconnects by itself; the client may retry.
        request.log.warn({ err: error }, 'database unavailable');
        const refusal = new AtriumError('DATABASE_UNAVAILABLE');
        return reply.status(refusal.status).header('retry-after', '1').send(refusal.toJSON());
      }
      if ('validation' in error && error.validation) {
        // A body property or a query parameter is named as such: `documents`, `limit`.
        const details = ajvProblems(error.validation as Parameters<typeof ajvProblems>[0]);
        return reply.status(400).send({
          error: { code: 'VALIDATION_FAILED', message: 'The request is not valid', details },
        });
      }
      const status = error.statusCode ?? 500;
      if (status < 500) {
        const code =
          status === 401
            ? 'UNAUTHORIZED'
            : status === 404
              ? 'NOT_FOUND'
              : status === 429
                ? 'RATE_LIMITED'
                : 'BAD_REQUEST';
        return reply.status(status).send({ error: { code, message: error.message, details: [] } });
      }
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({
        error: { code: 'INTERNAL', message: 'Something went wrong on our side', details: [] },
      });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({
        error: {
          code: 'NOT_FOUND',
          message: `No route ${request.method} ${request.url.split('?')[0]}`,
          details: [],
        },
      }),
    );
  },
  { name: 'atrium-error-handler' },
);
