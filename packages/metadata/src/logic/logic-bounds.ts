import type { Problem } from '../messages.js';
import { unstorableTextMessage } from '../storable-text.js';
import { filterMsg } from './filter-messages.js';

/** Operators nested inside each other, at most (a list inside a list counts as a level too). */
export const MAX_LOGIC_DEPTH = 32;
/** Values in one expression, at most: operators, lists and constants alike. */
export const MAX_LOGIC_NODES = 2_000;

/**
 * Why a JSON Logic expression is too large to compile or evaluate, or holds text no column can
 * hold; undefined when it is within bounds. Every consumer of an expression (the SQL compiler,
 * the in-memory evaluator, the document checks) recurses over it; bounding depth and size here,
 * without recursion, keeps a hostile filter or document from exhausting the stack or the CPU.
 * @example logicBoundsProblem({ '!': { '!': true } }) // undefined
 */
export function logicBoundsProblem(expression: unknown): string | undefined {
  return logicBoundsAt(expression)?.message;
}

/**
 * As logicBoundsProblem, with where the problem is, relative to the expression: `.==[1]` for
 * the text in `{"==": [{"var": "name"}, "a\u0000"]}` (the whole expression for size and depth).
 */
export function logicBoundsAt(expression: unknown): Problem | undefined {
  let nodes = 0;
  // A list is an operator's arguments: it sits on its operator's level, unless it is in a list.
  const stack: { value: unknown; depth: number; inList: boolean; path: string }[] = [
    { value: expression, depth: 0, inList: true, path: '' },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++nodes > MAX_LOGIC_NODES) {
      return filterMsg.at('', 'tooLarge', { max: MAX_LOGIC_NODES });
    }
    const { value, depth, inList, path } = item;
    const text = typeof value === 'string' ? unstorableTextMessage(value) : undefined;
    if (text) return filterMsg.at(path, 'badText', { why: text });
    if (value === null || typeof value !== 'object') continue;
    const level = Array.isArray(value) && !inList ? depth : depth + 1;
    if (level > MAX_LOGIC_DEPTH) return filterMsg.at('', 'tooDeep', { max: MAX_LOGIC_DEPTH });
    if (Array.isArray(value)) {
      for (const [i, child] of value.entries())
        stack.push({ value: child, depth: level, inList: true, path: `${path}[${i}]` });
    } else {
      for (const [key, child] of Object.entries(value))
        stack.push({ value: child, depth: level, inList: false, path: `${path}.${key}` });
    }
  }
  return undefined;
}
