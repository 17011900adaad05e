import { type Problem, unstorableTextMessage } from '@atrium/metadata';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AtriumError } from '../errors.js';
import { requestMsg } from '../request-messages.js';

/** Deeper than any metadata document with its bounded JSON Logic; records are flat. */
export const MAX_INPUT_DEPTH = 100;

/**
 * Finds what no handler should ever see in a parsed request part: text that Postgres cannot
 * store (the NUL character; a lone UTF-16 surrogate, which `jsonb` refuses) — in values and in
 * keys — a number that is not finite, and nesting deeper than MAX_INPUT_DEPTH, which recursive code (Ajv, JSON Logic) would
 * choke on. Walks without recursion, so a deeply nested body cannot overflow the stack here.
 * Returns the first problem, at the dotted path the API uses (`documents[0].label.en`).
 */
export function inputProblem(value: unknown, root = ''): Problem | undefined {
  return inputProblems(value, root, 1)[0];
}

/** Every problem inputProblem would find (up to `limit`), so a form can mark each field at once. */
export function inputProblems(value: unknown, root = '', limit = 20): Problem[] {
  const found: Problem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value, path: root, depth: 0 },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: v, path, depth } = item;
    if (typeof v === 'string') {
      const bad = unstorableTextMessage(v);
      if (bad) found.push({ ...bad, path: path || '(body)' });
      if (found.length >= limit) return found;
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) {
      found.push(requestMsg.at(path || '(body)', 'notFinite'));
      if (found.length >= limit) return found;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      found.push(requestMsg.at(path || '(body)', 'tooDeep', { max: MAX_INPUT_DEPTH }));
      return found;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      const at = path === '' ? key : `${path}.${key}`;
      const badKey = unstorableTextMessage(key);
      if (badKey) {
        found.push(requestMsg.at(path || '(body)', 'badKey', { why: badKey }));
        if (found.length >= limit) return found;
        continue;
      }
      stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return found;
}

/**
 * Refuses, before validation and before any handler runs, a query string, path parameters or
 * body holding what `inputProblem` finds: 400 with every path (INVALID_QUERY for the address,
 * VALIDATION_FAILED for the body), nothing written.
 * Field-level checks of the write path stay the place for messages about a value's meaning.
 */
export const inputGuard = fp(
  async (app: FastifyInstance) => {
    const guard = async (request: FastifyRequest) => {
      // The address is a query (INVALID_QUERY); the body holds values (VALIDATION_FAILED).
      const inAddress = inputProblems(request.params).concat(inputProblems(request.query));
      if (inAddress.length > 0) throw new AtriumError('INVALID_QUERY', inAddress);
      const inBody = inputProblems(request.body);
      if (inBody.length > 0) throw new AtriumError('VALIDATION_FAILED', inBody);
    };
    app.addHook('preValidation', guard);
    // Again after validation: Ajv's type coercion turns "Infinity" into a number that its own
    // minimum and maximum then skip (1e999 in a JSON body parses to Infinity too).
    app.addHook('preHandler', guard);
  },
  { name: 'atrium-input-guard' },
);
