import { type Problem, unstorableText } from '@atrium/metadata';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AtriumError } from '../errors.js';

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
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value, path: root, depth: 0 },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value: v, path, depth } = item;
    if (typeof v === 'string') {
      const bad = unstorableText(v);
      if (bad) return { path: path || '(body)', message: bad };
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v))
      return { path: path || '(body)', message: 'must be a finite number' };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH)
      return {
        path: path || '(body)',
        message: `is nested more than ${MAX_INPUT_DEPTH} levels deep`,
      };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--)
        stack.push({ value: v[i], path: `${path}[${i}]`, depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i] as [string, unknown];
      const at = path === '' ? key : `${path}.${key}`;
      const badKey = unstorableText(key);
      if (badKey) return { path: path || '(body)', message: `has a property name that ${badKey}` };
      stack.push({ value: child, path: at, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * Refuses, before validation and before any handler runs, a query string, path parameters or
 * body holding what `inputProblem` finds: 400 VALIDATION_FAILED with the path, nothing written.
 * Field-level checks of the write path stay the place for messages about a value's meaning.
 */
export const inputGuard = fp(
  async (app: FastifyInstance) => {
    const guard = async (request: FastifyRequest) => {
      const problem =
        inputProblem(request.params) ?? inputProblem(request.query) ?? inputProblem(request.body);
      if (problem) throw new AtriumError('VALIDATION_FAILED', [problem]);
    };
    app.addHook('preValidation', guard);
    // Again after validation: Ajv's type coercion turns "Infinity" into a number that its own
    // minimum and maximum then skip (1e999 in a JSON body parses to Infinity too).
    app.addHook('preHandler', guard);
  },
  { name: 'atrium-input-guard' },
);
