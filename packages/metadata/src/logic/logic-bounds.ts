import { unstorableText } from '../storable-text.js';

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
  let nodes = 0;
  // A list is an operator's arguments: it sits on its operator's level, unless it is in a list.
  const stack: { value: unknown; depth: number; inList: boolean }[] = [
    { value: expression, depth: 0, inList: true },
  ];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (++nodes > MAX_LOGIC_NODES)
      return `is too large: at most ${MAX_LOGIC_NODES} operators and values in one expression`;
    const { value, depth, inList } = item;
    const text = typeof value === 'string' ? unstorableText(value) : undefined;
    if (text) return `holds a text that ${text}`;
    if (value === null || typeof value !== 'object') continue;
    const level = Array.isArray(value) && !inList ? depth : depth + 1;
    if (level > MAX_LOGIC_DEPTH)
      return `is nested too deeply: at most ${MAX_LOGIC_DEPTH} levels of operators`;
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children)
      stack.push({ value: child, depth: level, inList: Array.isArray(value) });
  }
  return undefined;
}
