import type { Problem } from '../messages.js';
import { filterMsg } from './filter-messages.js';

/**
 * Operators only a list query has: `entered` reads the field history, which a record in memory
 * does not carry. compileFilter takes them with `history: true`; evaluate() has no twin.
 */
export const LIST_ONLY_OPERATIONS: ReadonlySet<string> = new Set(['entered']);

/**
 * Why an expression evaluated on one record (a validation rule, a formula, a layout rule, a
 * transition's or an automation's condition) cannot run: it uses a list-only operator. The path
 * is relative to the expression, as compileFilter writes it (`.and[1].entered`); undefined when
 * every operator has an in-memory twin. Iterative, over an expression already within bounds.
 * @example listOnlyProblemAt({ entered: [{ var: 'stage' }, 'won', null, null] })?.path // '.entered'
 */
export function listOnlyProblemAt(expression: unknown): Problem | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: expression, path: '' }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { value, path } = item;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const [i, child] of value.entries()) stack.push({ value: child, path: `${path}[${i}]` });
      continue;
    }
    // JSON Logic has no object literals: every key of an object is an operator.
    for (const [op, args] of Object.entries(value)) {
      if (LIST_ONLY_OPERATIONS.has(op))
        return filterMsg.at(`${path}.${op}`, 'historyOnlyInLists', { op });
      // An operator's arguments sit at `.op[i]`, a lone argument at `.op[0]` (as compiled).
      const list: unknown[] = Array.isArray(args) ? args : [args];
      for (const [i, a] of list.entries()) stack.push({ value: a, path: `${path}.${op}[${i}]` });
    }
  }
  return undefined;
}
