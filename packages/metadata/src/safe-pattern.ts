import { RE2JS } from 're2js';
import type { Message } from './messages.js';
import { valueMsg } from './value-messages.js';

/**
 * Values longer than this fail a `pattern` without being matched. Linear time still grows with
 * the input; no field a pattern makes sense on (codes, phone numbers, references) is this long.
 */
export const MAX_PATTERN_INPUT = 10_000;

/** A compiled admin pattern: what Ajv needs (`test`) and a key it caches by (`toString`). */
export interface SafePattern {
  test(text: string): boolean;
  toString(): string;
}

/**
 * Compiles a regular expression with RE2 semantics (re2js): matching takes time linear in the
 * input, so a pattern like `^(a+)+$` cannot stall the server. Backreferences and lookarounds,
 * which need backtracking, do not compile: `patternProblem` says so at apply time.
 * @example safePattern('^[A-Z]{3}$').test('EUR') // true
 */
export function safePattern(source: string): SafePattern {
  const re = RE2JS.compile(source);
  return {
    test: (text) => text.length <= MAX_PATTERN_INPUT && re.test(text),
    toString: () => `re2:${source}`,
  };
}

/** Why `source` cannot be used as a field's pattern, or undefined when it can. */
export function patternProblem(source: string): string | undefined {
  return patternMessage(source)?.message;
}

/** As patternProblem, as a message that can be said in the caller's language. */
export function patternMessage(source: string): Message | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (e) {
    return valueMsg('notLinearPatternBecause', { reason: (e as Error).message });
  }
}
