import type { JsonLogic } from '../documents.js';
import { type EvaluationContext, registerOperations, withEvaluationContext } from './operations.js';

/**
 * Evaluates a JSON Logic expression against `data` in memory, with Atrium's operations.
 * `context` says which calendar relative dates (`date_in`) are read on: the caller's time zone.
 * @example evaluate({ '>': [{ var: 'amount' }, 1000] }, { amount: 5000 }) // true
 * @example evaluate({ date_in: [{ var: 'due' }, 'today'] }, row, { timeZone: 'Asia/Shanghai' })
 */
export function evaluate(
  expression: JsonLogic,
  data: unknown,
  context: EvaluationContext = {},
): unknown {
  return withEvaluationContext(context, () =>
    registerOperations().apply(expression as never, data),
  );
}

/** Truthiness as JSON Logic defines it (an empty list is false). */
export function truthy(value: unknown): boolean {
  return registerOperations().truthy(value);
}

/** The `var` paths an expression reads, e.g. ["amount", "account.industry"]. */
export function usedVars(expression: JsonLogic): string[] {
  const found = new Set<string>();
  const walk = (node: JsonLogic): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [op, args] of Object.entries(node)) {
      if (op === 'var') {
        const path = Array.isArray(args) ? args[0] : args;
        if (typeof path === 'string' && path !== '') found.add(path);
      } else walk(args);
    }
  };
  walk(expression);
  return [...found];
}
