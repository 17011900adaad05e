import { describe, expect, it } from 'vitest';
import type { JsonLogic } from '../src/index.js';
import { CUSTOM_OPERATIONS, evaluate, LOGIC_OPERATIONS, truthy, usedVars } from '../src/index.js';

const v = (name: string) => ({ var: name });
const DAY = 86_400_000;

/** An ISO date `offset` days from today (UTC). */
function day(offset: number): string {
  return new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
}

describe('evaluate: built-in JSON Logic', () => {
  it('evaluates a comparison and a formula over a record', () => {
    expect(evaluate({ '>': [v('amount'), 1000] }, { amount: 5000 })).toBe(true);
    expect(evaluate({ '>': [v('amount'), 1000] }, { amount: 500 })).toBe(false);
    expect(
      evaluate(
        { '*': [v('amount'), { '/': [v('probability'), 100] }] },
        { amount: 200, probability: 25 },
      ),
    ).toBe(50);
  });

  it('reads one lookup level through dotted vars', () => {
    expect(
      evaluate({ '==': [v('account.industry'), 'tech'] }, { account: { industry: 'tech' } }),
    ).toBe(true);
  });

  it('never orders a null or missing value, as SQL does', () => {
    for (const amount of [null, undefined]) {
      const data = { amount };
      expect(evaluate({ '<': [v('amount'), 5] }, data)).toBe(false);
      expect(evaluate({ '<=': [v('amount'), 0] }, data)).toBe(false);
      expect(evaluate({ '>': [v('amount'), -1] }, data)).toBe(false);
      expect(evaluate({ '>=': [v('amount'), 0] }, data)).toBe(false);
      expect(evaluate({ '<=': [0, v('amount'), 10] }, data)).toBe(false);
    }
    expect(evaluate({ '<': [1, v('amount'), 10] }, { amount: 5 })).toBe(true);
    expect(evaluate({ '<': [1, v('amount'), 10] }, { amount: 10 })).toBe(false);
    expect(evaluate({ '<=': [1, v('amount'), 10] }, { amount: 10 })).toBe(true);
  });

  it('treats an empty list as false', () => {
    expect(truthy([])).toBe(false);
    expect(truthy(['a'])).toBe(true);
    expect(truthy(0)).toBe(false);
    expect(truthy('0')).toBe(true);
  });
});

describe('evaluate: contains and starts_with', () => {
  it('match case-insensitively', () => {
    expect(evaluate({ contains: [v('name'), 'acme'] }, { name: 'The ACME Corp' })).toBe(true);
    expect(evaluate({ contains: [v('name'), 'ACME'] }, { name: 'acme' })).toBe(true);
    expect(evaluate({ contains: [v('name'), 'globex'] }, { name: 'The ACME Corp' })).toBe(false);
    expect(evaluate({ starts_with: [v('name'), 'the a'] }, { name: 'The ACME Corp' })).toBe(true);
    expect(evaluate({ starts_with: [v('name'), 'acme'] }, { name: 'The ACME Corp' })).toBe(false);
  });

  it('are false for an empty or non-text value', () => {
    expect(evaluate({ contains: [v('name'), 'a'] }, { name: null })).toBe(false);
    expect(evaluate({ contains: [v('name'), 'a'] }, {})).toBe(false);
    expect(evaluate({ starts_with: [v('name'), '1'] }, { name: 123 })).toBe(false);
  });

  it('find numbers written as text', () => {
    expect(evaluate({ contains: [v('phone'), 555] }, { phone: '+1 555 0100' })).toBe(true);
  });

  it('agree with "in" on a text value, which looks for a part case-insensitively too', () => {
    expect(evaluate({ in: ['acme', v('name')] }, { name: 'The ACME Corp' })).toBe(true);
    expect(evaluate({ in: ['globex', v('name')] }, { name: 'The ACME Corp' })).toBe(false);
    expect(evaluate({ in: ['x', v('name')] }, { name: null })).toBe(false);
    expect(evaluate({ in: [v('stage'), ['won', 'lost']] }, { stage: 'won' })).toBe(true);
    expect(evaluate({ in: [v('stage'), ['won', 'lost']] }, { stage: 'Won' })).toBe(false);
  });
});

describe('evaluate: is_empty', () => {
  it.each([null, undefined, '', []])('is true for %j', (value) => {
    expect(evaluate({ is_empty: [v('x')] }, { x: value })).toBe(true);
  });

  it.each([0, false, 'x', ' ', ['a']])('is false for %j', (value) => {
    expect(evaluate({ is_empty: [v('x')] }, { x: value })).toBe(false);
  });
});

describe('evaluate: has', () => {
  const data = { tags: ['vip', 'renewal'] };
  it('holds one value or every value of a list', () => {
    expect(evaluate({ has: [v('tags'), 'vip'] }, data)).toBe(true);
    expect(evaluate({ has: [v('tags'), ['vip', 'renewal']] }, data)).toBe(true);
    expect(evaluate({ has: [v('tags'), ['vip', 'churned']] }, data)).toBe(false);
    expect(evaluate({ has: [v('tags'), 'VIP'] }, data)).toBe(false);
  });

  it('is false for an empty or non-list value', () => {
    expect(evaluate({ has: [v('tags'), 'vip'] }, { tags: null })).toBe(false);
    expect(evaluate({ has: [v('tags'), 'vip'] }, { tags: [] })).toBe(false);
    expect(evaluate({ has: [v('tags'), 'vip'] }, { tags: 'vip' })).toBe(false);
  });
});

describe('evaluate: between', () => {
  it('includes both bounds', () => {
    const expr: JsonLogic = { between: [v('amount'), 100, 200] };
    expect(evaluate(expr, { amount: 100 })).toBe(true);
    expect(evaluate(expr, { amount: 150 })).toBe(true);
    expect(evaluate(expr, { amount: 200 })).toBe(true);
    expect(evaluate(expr, { amount: 99.99 })).toBe(false);
    expect(evaluate(expr, { amount: 200.01 })).toBe(false);
  });

  it('works on ISO dates', () => {
    const expr: JsonLogic = { between: [v('d'), '2026-01-01', '2026-01-31'] };
    expect(evaluate(expr, { d: '2026-01-15' })).toBe(true);
    expect(evaluate(expr, { d: '2026-02-01' })).toBe(false);
  });

  it('is false when the value or a bound is null', () => {
    expect(evaluate({ between: [v('amount'), 0, 10] }, { amount: null })).toBe(false);
    expect(evaluate({ between: [v('amount'), 0, 10] }, {})).toBe(false);
    expect(evaluate({ between: [v('amount'), null, 10] }, { amount: 5 })).toBe(false);
    expect(evaluate({ between: [v('amount'), 0, null] }, { amount: 5 })).toBe(false);
  });
});

describe('evaluate: date_in', () => {
  it('places today in today, this week, this month, this year and the last days', () => {
    const record = { d: day(0), at: new Date().toISOString() };
    for (const period of ['today', 'this_week', 'this_month', 'this_quarter', 'this_year']) {
      expect(evaluate({ date_in: [v('d'), period] }, record), period).toBe(true);
      expect(evaluate({ date_in: [v('at'), period] }, record), period).toBe(true);
    }
    for (const period of [
      'yesterday',
      'tomorrow',
      'last_week',
      'next_week',
      'last_year',
      'next_year',
    ]) {
      expect(evaluate({ date_in: [v('d'), period] }, record), period).toBe(false);
    }
    expect(evaluate({ date_in: [v('d'), 'last_n_days', 1] }, record)).toBe(true);
    expect(evaluate({ date_in: [v('d'), 'next_n_days', 1] }, record)).toBe(true);
  });

  it('places yesterday and tomorrow', () => {
    expect(evaluate({ date_in: [v('d'), 'yesterday'] }, { d: day(-1) })).toBe(true);
    expect(evaluate({ date_in: [v('d'), 'today'] }, { d: day(-1) })).toBe(false);
    expect(evaluate({ date_in: [v('d'), 'tomorrow'] }, { d: day(1) })).toBe(true);
  });

  it('counts n days back and forward, today included', () => {
    const lastWeek: JsonLogic = { date_in: [v('d'), 'last_n_days', 7] };
    expect(evaluate(lastWeek, { d: day(-6) })).toBe(true);
    expect(evaluate(lastWeek, { d: day(-7) })).toBe(false);
    expect(evaluate(lastWeek, { d: day(1) })).toBe(false);
    const next: JsonLogic = { date_in: [v('d'), 'next_n_days', 30] };
    expect(evaluate(next, { d: day(29) })).toBe(true);
    expect(evaluate(next, { d: day(30) })).toBe(false);
    expect(evaluate(next, { d: day(-1) })).toBe(false);
  });

  it('is false for empty values, garbage and unknown periods', () => {
    expect(evaluate({ date_in: [v('d'), 'today'] }, { d: null })).toBe(false);
    expect(evaluate({ date_in: [v('d'), 'today'] }, { d: '' })).toBe(false);
    expect(evaluate({ date_in: [v('d'), 'today'] }, { d: 'someday' })).toBe(false);
    expect(evaluate({ date_in: [v('d'), 'this_decade'] }, { d: day(0) })).toBe(false);
  });
});

describe('usedVars', () => {
  it('lists each var once, nested, with dotted paths and the array form', () => {
    expect(
      usedVars({
        and: [
          { '>': [v('amount'), 1000] },
          {
            or: [
              { '==': [v('account.industry'), 'tech'] },
              { in: [{ var: ['stage', 'new'] }, ['won']] },
            ],
          },
          { '<': [v('amount'), 5000] },
        ],
      }),
    ).toEqual(['amount', 'account.industry', 'stage']);
  });

  it('ignores the empty var and constants', () => {
    expect(usedVars({ map: [v('items'), { '*': [{ var: '' }, 2] }] })).toEqual(['items']);
    expect(usedVars(true)).toEqual([]);
    expect(usedVars(null)).toEqual([]);
    expect(usedVars({ '==': [1, 1] })).toEqual([]);
  });
});

describe('operations registry', () => {
  it('lists every custom operation and the built-ins accepted in memory', () => {
    for (const name of Object.keys(CUSTOM_OPERATIONS))
      expect(LOGIC_OPERATIONS.has(name)).toBe(true);
    for (const name of ['var', 'and', 'or', '==', '<', 'in', 'if', '+'])
      expect(LOGIC_OPERATIONS.has(name)).toBe(true);
  });
});
