import { describe, expect, it } from 'vitest';
import { logicBoundsProblem, MAX_LOGIC_DEPTH, MAX_LOGIC_NODES } from '../src/logic/logic-bounds.js';
import { MAX_PATTERN_INPUT, patternProblem, safePattern } from '../src/safe-pattern.js';

const nested = (depth: number, wrap: (e: unknown) => unknown) => {
  let e: unknown = true;
  for (let i = 0; i < depth; i++) e = wrap(e);
  return e;
};

describe('JSON Logic bounds', () => {
  it('counts operators, not the argument lists between them', () => {
    expect(logicBoundsProblem(nested(MAX_LOGIC_DEPTH, (e) => ({ '!': [e] })))).toBeUndefined();
    expect(logicBoundsProblem(nested(MAX_LOGIC_DEPTH, (e) => ({ '!': e })))).toBeUndefined();
    expect(logicBoundsProblem(nested(MAX_LOGIC_DEPTH + 1, (e) => ({ '!': [e] })))).toMatch(
      /nested too deeply/,
    );
  });

  it('counts a list inside a list as a level', () => {
    expect(logicBoundsProblem({ in: [1, nested(MAX_LOGIC_DEPTH + 1, (e) => [e])] })).toMatch(
      /nested too deeply/,
    );
  });

  it('bounds the number of values, and handles nesting far past the stack', () => {
    expect(logicBoundsProblem({ or: Array(MAX_LOGIC_NODES).fill(true) })).toMatch(/too large/);
    expect(logicBoundsProblem(nested(100_000, (e) => ({ '!': [e] })))).toMatch(
      /nested too deeply|too large/,
    );
  });

  it('refuses text no column can hold', () => {
    expect(logicBoundsProblem({ '==': [{ var: 'name' }, 'a\u0000'] })).toMatch(/NUL/);
    expect(logicBoundsProblem({ '==': [{ var: 'name' }, '\ud83d'] })).toMatch(/surrogate/);
    expect(logicBoundsProblem({ '==': [{ var: 'name' }, '😀'] })).toBeUndefined();
  });
});

describe('safe patterns', () => {
  it('matches in linear time where a backtracking engine would stall', () => {
    const started = performance.now();
    expect(safePattern('^(a+)+$').test(`${'a'.repeat(5000)}!`)).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
    expect(safePattern('^(a+)+$').test('aaaa')).toBe(true);
    expect(safePattern('b').test('abc')).toBe(true);
    expect(safePattern('^\\p{L}+$').test('中文')).toBe(true);
  });

  it('fails a value longer than it checks', () => {
    expect(safePattern('^a*$').test('a'.repeat(MAX_PATTERN_INPUT))).toBe(true);
    expect(safePattern('^a*$').test('a'.repeat(MAX_PATTERN_INPUT + 1))).toBe(false);
  });

  it('names the patterns that need backtracking', () => {
    expect(patternProblem('^[A-Z]{3}$')).toBeUndefined();
    expect(patternProblem('(a)\\1')).toMatch(/linear time/);
    expect(patternProblem('a(?=b)')).toMatch(/linear time/);
    expect(patternProblem('(?<!a)b')).toMatch(/linear time/);
  });
});
