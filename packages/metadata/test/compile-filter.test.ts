import { describe, expect, it } from 'vitest';
import type { FieldRef, FilterNode, JsonLogic } from '../src/index.js';
import { compileFilter, DATE_PERIODS, FilterError } from '../src/index.js';
import { resolveDeals, UUID_A } from './fixtures.js';

/** Thursday 5 March 2026, 10:00 UTC. */
const NOW = new Date('2026-03-05T10:00:00Z');

function compile(expr: JsonLogic): FilterNode {
  return compileFilter(expr, resolveDeals, { now: NOW });
}

function ref(path: string): FieldRef {
  const found = resolveDeals(path);
  if (!found) throw new Error(`test fixture has no field ${path}`);
  return found;
}

const v = (name: string) => ({ var: name });

/** The FilterError thrown by compiling `expr`. */
function refusal(expr: JsonLogic, path?: string): FilterError {
  try {
    compileFilter(expr, resolveDeals, { now: NOW, ...(path && { path }) });
  } catch (e) {
    if (e instanceof FilterError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(expr)} to be refused`);
}

describe('compileFilter: comparisons', () => {
  it.each([
    ['==', '='],
    ['===', '='],
    ['!=', '<>'],
    ['!==', '<>'],
    ['<', '<'],
    ['<=', '<='],
    ['>', '>'],
    ['>=', '>='],
  ] as const)('compiles %s on a number field', (op, cmp) => {
    expect(compile({ [op]: [v('amount'), 1000] })).toEqual({
      op: 'cmp',
      cmp,
      field: ref('amount'),
      value: 1000,
    });
  });

  it('compiles == on text, picklist, boolean, date, user and formula fields', () => {
    expect(compile({ '==': [v('name'), 'Acme'] })).toEqual({
      op: 'cmp',
      cmp: '=',
      field: ref('name'),
      value: 'Acme',
    });
    expect(compile({ '==': [v('stage'), 'won'] })).toMatchObject({ cmp: '=', value: 'won' });
    expect(compile({ '==': [v('active'), false] })).toMatchObject({ cmp: '=', value: false });
    expect(compile({ '==': [v('close_date'), '2026-03-05'] })).toMatchObject({
      value: '2026-03-05',
    });
    expect(compile({ '==': [v('manager'), UUID_A] })).toMatchObject({ value: UUID_A });
    expect(compile({ '>': [v('expected'), 10] })).toEqual({
      op: 'cmp',
      cmp: '>',
      field: ref('expected'),
      value: 10,
    });
  });

  it('flips the comparison when the value comes first', () => {
    expect(compile({ '<': [1000, v('amount')] })).toMatchObject({ cmp: '>', value: 1000 });
    expect(compile({ '>=': [5, v('quantity')] })).toMatchObject({ cmp: '<=', value: 5 });
    expect(compile({ '==': ['won', v('stage')] })).toMatchObject({ cmp: '=', value: 'won' });
  });

  it('compiles == and != null as null-safe comparisons', () => {
    expect(compile({ '==': [v('amount'), null] })).toEqual({
      op: 'cmp',
      cmp: '=',
      field: ref('amount'),
      value: null,
    });
    expect(compile({ '!=': [v('stage'), null] })).toMatchObject({ cmp: '<>', value: null });
  });

  it('refuses ordering comparisons with null', () => {
    const e = refusal({ '<': [v('amount'), null] });
    expect(e.path).toBe('filter.<');
    expect(e.message).toMatch(/cannot compare with null/);
    expect(refusal({ '>=': [v('close_date'), null] }).path).toBe('filter.>=');
  });

  it('compiles the three-argument < as an exclusive between and <= as an inclusive one', () => {
    expect(compile({ '<': [10, v('quantity'), 20] })).toEqual({
      op: 'and',
      args: [
        { op: 'cmp', cmp: '>', field: ref('quantity'), value: 10 },
        { op: 'cmp', cmp: '<', field: ref('quantity'), value: 20 },
      ],
    });
    expect(compile({ '<=': [10, v('quantity'), 20] })).toEqual({
      op: 'range',
      field: ref('quantity'),
      from: 10,
      to: 20,
      toExclusive: false,
    });
  });

  it('refuses comparing two fields', () => {
    const e = refusal({ '>': [v('amount'), v('expected')] });
    expect(e.path).toBe('filter.>');
    expect(e.message).toMatch(/two fields/);
  });

  it('refuses comparing two values', () => {
    expect(refusal({ '==': [1, 1] }).message).toMatch(/must compare a field/);
  });

  it('refuses the wrong number of arguments', () => {
    expect(refusal({ '==': [v('amount')] }).message).toMatch(/two arguments/);
    expect(refusal({ '>': [1, v('amount'), 3] }).message).toMatch(/two arguments/);
  });

  it('refuses an operator the field type does not offer, naming both', () => {
    const lt = refusal({ '<': [v('stage'), 'won'] });
    expect(lt.path).toBe('filter.<[0]');
    expect(lt.message).toBe('operator lt does not apply to picklist field stage');
    expect(refusal({ '==': [v('tags'), 'vip'] }).message).toMatch(/eq does not apply to tags/);
    expect(refusal({ '>': [v('active'), false] }).message).toMatch(/gt does not apply to boolean/);
    expect(refusal({ '<': ['x', v('account')] }).path).toBe('filter.<[1]');
  });
});

describe('compileFilter: fields', () => {
  it('refuses an unknown field with the path of its var', () => {
    const e = refusal({ '==': [v('amout'), 5] });
    expect(e.path).toBe('filter.==[0]');
    expect(e.message).toBe('unknown field "amout"');
    expect(refusal({ and: [true, { '==': [3, v('nope')] }] }).path).toBe('filter.and[1].==[1]');
  });

  it('reads system columns', () => {
    expect(compile({ '==': [v('owner_id'), UUID_A] })).toMatchObject({
      field: { path: ['owner_id'] },
    });
    expect(compile({ '>': [v('version'), 2] })).toMatchObject({
      field: { path: ['version'] },
      value: 2,
    });
    expect(compile({ '==': [v('currency_code'), 'EUR'] })).toMatchObject({ value: 'EUR' });
  });

  it('accepts the array form of var', () => {
    expect(compile({ '==': [{ var: ['stage'] }, 'won'] })).toMatchObject({ field: ref('stage') });
  });

  it('follows a lookup one level deep', () => {
    const node = compile({ '==': [v('account.industry'), 'tech'] });
    expect(node).toMatchObject({
      op: 'cmp',
      cmp: '=',
      value: 'tech',
      field: { path: ['account', 'industry'], field: { name: 'industry', type: 'picklist' } },
    });
    if (node.op !== 'cmp') throw new Error('expected cmp');
    expect(node.field.via?.lookup.name).toBe('account');
    expect(node.field.via?.target.name).toBe('accounts');
    expect(compile({ '>': [v('account.employees'), '50'] })).toMatchObject({ value: 50 });
  });

  it('checks values against the field on the other side of a lookup', () => {
    const e = refusal({ '==': [v('account.industry'), 'mining'] });
    expect(e.path).toBe('filter.==[1]');
    expect(e.message).toMatch(/account\.industry/);
  });

  it.each([
    'account.nope',
    'account.industry.x',
    'stage.value',
    'id.name',
    'manager.name',
    '',
    'a..b',
  ])('refuses the path %j', (path) => {
    expect(refusal({ '==': [v(path), 'x'] }).message).toMatch(/unknown field/);
  });

  it('refuses a var that is not a name', () => {
    expect(refusal({ '==': [{ var: 3 }, 'x'] }).message).toBe('unknown field 3');
  });
});

describe('compileFilter: value coercion', () => {
  it('coerces numbers written as text', () => {
    expect(compile({ '==': [v('quantity'), '5'] })).toMatchObject({ value: 5 });
    expect(compile({ '>': [v('amount'), '12.5'] })).toMatchObject({ value: 12.5 });
  });

  it.each([
    ['quantity', 'five', /not a whole number/],
    ['quantity', 1.5, /not a whole number/],
    ['quantity', '', /not a whole number/],
    ['quantity', 1e20, /not a whole number/],
    ['amount', 'abc', /not a number/],
    ['amount', '', /not a number/],
    ['active', 'true', /not true or false/],
    ['active', 1, /not true or false/],
    ['close_date', '05/03/2026', /not a date/],
    ['close_date', '2026-3-5', /not a date/],
    ['close_date', '2026-02-30', /not a date/],
    ['close_date', '2026-13-01', /not a date/],
    ['close_date', 20260305, /not a date/],
    ['closed_at', 'soon', /not a date-time/],
    ['account', 'acme', /not an id/],
    ['manager', '1234', /not an id/],
    ['stage', 'closed', /not an option of stage/],
  ] as const)('refuses %s compared with %j, at the value', (field, value, message) => {
    const e = refusal({ '==': [v(field), value] });
    expect(e).toBeInstanceOf(FilterError);
    expect(e.path).toBe('filter.==[1]');
    expect(e.message).toMatch(message);
    expect(e.message).toContain(field);
  });

  it('refuses objects and lists as values', () => {
    expect(refusal({ '==': [v('name'), { cat: ['a', 'b'] }] }).message).toMatch(/plain value/);
  });

  it('normalises date-times to UTC', () => {
    expect(compile({ '>=': [v('closed_at'), '2026-03-05T10:00:00+02:00'] })).toMatchObject({
      value: '2026-03-05T08:00:00.000Z',
    });
  });

  it('refuses numbers and booleans for text fields, which memory would compare as numbers', () => {
    expect(compile({ '==': [v('name'), '42'] })).toMatchObject({ value: '42' });
    const e = refusal({ '==': [v('name'), 42] });
    expect(e.path).toBe('filter.==[1]');
    expect(e.message).toMatch(/not a text/);
    expect(refusal({ '<': [v('name'), true] }).message).toMatch(/not a text/);
    expect(refusal({ in: [v('stage'), ['won', 1]] }).path).toBe('filter.in[1][1]');
  });

  it('refuses === and !== with a value of another type, which memory would never match', () => {
    expect(compile({ '===': [v('quantity'), 5] })).toMatchObject({ cmp: '=', value: 5 });
    expect(refusal({ '===': [v('quantity'), '5'] }).path).toBe('filter.===[1]');
    expect(refusal({ '!==': ['5', v('quantity')] }).path).toBe('filter.!==[0]');
  });
});

describe('compileFilter: between and in', () => {
  it('compiles between as an inclusive range', () => {
    expect(compile({ between: [v('amount'), 100, '200'] })).toEqual({
      op: 'range',
      field: ref('amount'),
      from: 100,
      to: 200,
      toExclusive: false,
    });
    expect(compile({ between: [v('close_date'), '2026-01-01', '2026-01-31'] })).toMatchObject({
      from: '2026-01-01',
      to: '2026-01-31',
    });
  });

  it('refuses a between without field, with null bounds or with too few arguments', () => {
    expect(refusal({ between: [5, 1, 10] }).message).toMatch(/field, a low and a high/);
    expect(refusal({ between: [v('amount'), 1] }).message).toMatch(/field, a low and a high/);
    expect(refusal({ between: [v('amount'), null, 10] }).message).toMatch(/non-null/);
    expect(refusal({ between: [v('stage'), 'new', 'won'] }).message).toMatch(
      /between does not apply/,
    );
  });

  it('points a bad between bound at its position', () => {
    expect(refusal({ between: [v('amount'), 1, 'lots'] }).path).toBe('filter.between[2]');
    expect(refusal({ '<': ['lots', v('amount'), 5] }).path).toBe('filter.<[0]');
  });

  it('compiles a field in a list of values', () => {
    expect(compile({ in: [v('stage'), ['new', 'won']] })).toEqual({
      op: 'in',
      field: ref('stage'),
      values: ['new', 'won'],
    });
    expect(compile({ in: [v('quantity'), [1, 2]] })).toMatchObject({ values: [1, 2] });
  });

  it('compiles a field in an empty list to false', () => {
    expect(compile({ in: [v('stage'), []] })).toEqual({ op: 'const', value: false });
  });

  it('checks every value of the list, at its position', () => {
    const e = refusal({ in: [v('stage'), ['new', 'closed']] });
    expect(e.path).toBe('filter.in[1][1]');
    expect(e.message).toMatch(/"closed"/);
  });

  it('refuses list values that memory would compare differently', () => {
    // In memory `in` compares strictly: 5 is not in ["5"].
    expect(refusal({ in: [v('quantity'), [1, '2']] }).path).toBe('filter.in[1][1]');
  });

  it('compiles a null in the list as "is null", apart from the other values', () => {
    expect(compile({ in: [v('stage'), ['won', null]] })).toEqual({
      op: 'or',
      args: [
        { op: 'in', field: ref('stage'), values: ['won'] },
        { op: 'cmp', cmp: '=', field: ref('stage'), value: null },
      ],
    });
  });

  it('compiles a value in a text field as contains', () => {
    expect(compile({ in: ['acme', v('name')] })).toEqual({
      op: 'match',
      field: ref('name'),
      text: 'acme',
      mode: 'contains',
    });
  });

  it('compiles a value in a list field as has', () => {
    expect(compile({ in: ['vip', v('tags')] })).toEqual({
      op: 'has',
      field: ref('tags'),
      values: ['vip'],
    });
    expect(compile({ in: ['emea', v('regions')] })).toEqual({
      op: 'has',
      field: ref('regions'),
      values: ['emea'],
    });
  });

  it('refuses other shapes of in', () => {
    expect(refusal({ in: [v('stage'), v('name')] }).message).toMatch(/"in" must be/);
    expect(refusal({ in: ['a', ['a', 'b']] }).message).toMatch(/"in" must be/);
    expect(refusal({ in: [v('stage')] }).message).toMatch(/two arguments/);
    expect(refusal({ in: ['won', v('stage')] }).message).toMatch(
      /contains does not apply to picklist/,
    );
  });
});

describe('compileFilter: text and lists', () => {
  it('compiles contains and starts_with', () => {
    expect(compile({ contains: [v('name'), 'Acme'] })).toEqual({
      op: 'match',
      field: ref('name'),
      text: 'Acme',
      mode: 'contains',
    });
    expect(compile({ starts_with: [v('email'), 'sales@'] })).toMatchObject({
      mode: 'starts_with',
      text: 'sales@',
    });
    expect(compile({ starts_with: [v('number'), 'D-'] })).toMatchObject({ mode: 'starts_with' });
    expect(compile({ contains: [v('phone'), 555] })).toMatchObject({ text: '555' });
  });

  it('refuses contains on a non-text field and without text', () => {
    expect(refusal({ contains: [v('amount'), '5'] }).message).toMatch(
      /contains does not apply to currency/,
    );
    const e = refusal({ contains: [v('name'), null] });
    expect(e.path).toBe('filter.contains[1]');
    expect(refusal({ starts_with: ['x', v('name')] }).message).toMatch(/takes a field and a text/);
  });

  it('compiles has with one value or a list', () => {
    expect(compile({ has: [v('tags'), 'vip'] })).toEqual({
      op: 'has',
      field: ref('tags'),
      values: ['vip'],
    });
    expect(compile({ has: [v('regions'), ['emea', 'apac']] })).toMatchObject({
      values: ['emea', 'apac'],
    });
  });

  it('checks has values against the options', () => {
    const e = refusal({ has: [v('regions'), ['emea', 'mars']] });
    expect(e.path).toBe('filter.has[1][1]');
    expect(e.message).toMatch(/"mars" is not an option of regions/);
  });

  it('refuses has on a field that is not a list, and values that are not text', () => {
    expect(refusal({ has: [v('name'), 'x'] }).message).toMatch(/has does not apply to text/);
    expect(refusal({ has: [v('tags'), 5] }).path).toBe('filter.has[1][0]');
  });

  it('compiles is_empty on any field', () => {
    expect(compile({ is_empty: [v('amount')] })).toEqual({ op: 'empty', field: ref('amount') });
    expect(compile({ is_empty: v('tags') })).toEqual({ op: 'empty', field: ref('tags') });
    expect(refusal({ is_empty: ['x'] }).message).toMatch(/one field/);
  });
});

describe('compileFilter: logic', () => {
  it('compiles and/or, nested', () => {
    expect(
      compile({ or: [{ and: [{ '==': [v('stage'), 'won'] }, { '>': [v('amount'), 5] }] }, true] }),
    ).toEqual({
      op: 'or',
      args: [
        {
          op: 'and',
          args: [
            { op: 'cmp', cmp: '=', field: ref('stage'), value: 'won' },
            { op: 'cmp', cmp: '>', field: ref('amount'), value: 5 },
          ],
        },
        { op: 'const', value: true },
      ],
    });
  });

  it('refuses an empty and', () => {
    const e = refusal({ and: [] });
    expect(e.path).toBe('filter.and');
    expect(e.message).toMatch(/at least one/);
  });

  it('compiles ! of a condition as not', () => {
    expect(compile({ '!': [{ '==': [v('stage'), 'won'] }] })).toEqual({
      op: 'not',
      arg: { op: 'cmp', cmp: '=', field: ref('stage'), value: 'won' },
    });
    expect(compile({ '!': { '==': [v('stage'), 'won'] } })).toMatchObject({ op: 'not' });
  });

  it('compiles ! of a field as JSON Logic falsiness for its type', () => {
    expect(compile({ '!': v('name') })).toEqual({ op: 'empty', field: ref('name') });
    expect(compile({ '!': [v('amount')] })).toEqual({
      op: 'or',
      args: [
        { op: 'empty', field: ref('amount') },
        { op: 'cmp', cmp: '=', field: ref('amount'), value: 0 },
      ],
    });
    expect(compile({ '!': v('active') })).toEqual({
      op: 'or',
      args: [
        { op: 'empty', field: ref('active') },
        { op: 'cmp', cmp: '=', field: ref('active'), value: false },
      ],
    });
    expect(compile({ '!': v('tags') })).toEqual({ op: 'empty', field: ref('tags') });
  });

  it('compiles !! of a field as not falsy', () => {
    expect(compile({ '!!': [v('quantity')] })).toEqual({
      op: 'not',
      arg: {
        op: 'or',
        args: [
          { op: 'empty', field: ref('quantity') },
          { op: 'cmp', cmp: '=', field: ref('quantity'), value: 0 },
        ],
      },
    });
    expect(refusal({ '!!': [{ '==': [v('stage'), 'won'] }] }).message).toMatch(/one field/);
  });

  it('compiles true and false to constants', () => {
    expect(compile(true)).toEqual({ op: 'const', value: true });
    expect(compile(false)).toEqual({ op: 'const', value: false });
  });

  it('refuses what is not one JSON Logic operation', () => {
    expect(refusal('stage').path).toBe('filter');
    expect(refusal(null).path).toBe('filter');
    expect(refusal([{ '==': [v('stage'), 'won'] }]).path).toBe('filter');
    expect(refusal({}).message).toMatch(/exactly one operator/);
    expect(refusal({ '==': [v('stage'), 'won'], '>': [v('amount'), 1] }).message).toMatch(
      /exactly one/,
    );
  });

  it.each(['cat', 'substr', '+', 'var', 'if', 'map', 'some', 'missing', 'log'])(
    'refuses the operator %s, naming it',
    (op) => {
      const e = refusal({ [op]: [v('name'), 'x'] });
      expect(e.path).toBe(`filter.${op}`);
      expect(e.message).toContain(`"${op}"`);
    },
  );

  it('uses the given path prefix', () => {
    expect(refusal({ cat: ['a'] }, 'views[2].filter').path).toBe('views[2].filter.cat');
  });
});

describe('compileFilter: date_in', () => {
  const periods: Record<string, [string, string]> = {
    today: ['2026-03-05', '2026-03-06'],
    yesterday: ['2026-03-04', '2026-03-05'],
    tomorrow: ['2026-03-06', '2026-03-07'],
    this_week: ['2026-03-02', '2026-03-09'],
    last_week: ['2026-02-23', '2026-03-02'],
    next_week: ['2026-03-09', '2026-03-16'],
    this_month: ['2026-03-01', '2026-04-01'],
    last_month: ['2026-02-01', '2026-03-01'],
    next_month: ['2026-04-01', '2026-05-01'],
    this_quarter: ['2026-01-01', '2026-04-01'],
    last_quarter: ['2025-10-01', '2026-01-01'],
    next_quarter: ['2026-04-01', '2026-07-01'],
    this_year: ['2026-01-01', '2027-01-01'],
    last_year: ['2025-01-01', '2026-01-01'],
    next_year: ['2027-01-01', '2028-01-01'],
    last_n_days: ['2026-03-05', '2026-03-06'],
    next_n_days: ['2026-03-05', '2026-03-06'],
  };

  it('knows every period', () => {
    expect(Object.keys(periods).sort()).toEqual([...DATE_PERIODS].sort());
  });

  it.each(Object.entries(periods))(
    'compiles %s on a date field to a half-open range',
    (period, [from, to]) => {
      expect(compile({ date_in: [v('close_date'), period] })).toEqual({
        op: 'range',
        field: ref('close_date'),
        from,
        to,
        toExclusive: true,
      });
    },
  );

  it.each(Object.entries(periods))(
    'compiles %s on a date-time field to instants',
    (period, [from, to]) => {
      expect(compile({ date_in: [v('closed_at'), period] })).toEqual({
        op: 'range',
        field: ref('closed_at'),
        from: `${from}T00:00:00.000Z`,
        to: `${to}T00:00:00.000Z`,
        toExclusive: true,
      });
    },
  );

  it('compiles last_n_days and next_n_days with n, today included', () => {
    expect(compile({ date_in: [v('close_date'), 'last_n_days', 7] })).toMatchObject({
      from: '2026-02-27',
      to: '2026-03-06',
    });
    expect(compile({ date_in: [v('created_at'), 'next_n_days', 3] })).toMatchObject({
      from: '2026-03-05T00:00:00.000Z',
      to: '2026-03-08T00:00:00.000Z',
    });
  });

  it('measures from now when no instant is given', () => {
    const node = compileFilter({ date_in: [v('close_date'), 'today'] }, resolveDeals);
    expect(node).toMatchObject({ from: new Date().toISOString().slice(0, 10) });
  });

  it('refuses an unknown period, a bad n, and a field that is not a date', () => {
    const period = refusal({ date_in: [v('close_date'), 'this_decade'] });
    expect(period.path).toBe('filter.date_in[1]');
    expect(period.message).toMatch(/this_decade/);
    expect(refusal({ date_in: [v('close_date'), 'last_n_days', 0] }).path).toBe(
      'filter.date_in[2]',
    );
    expect(refusal({ date_in: [v('close_date'), 'last_n_days', 2.5] }).path).toBe(
      'filter.date_in[2]',
    );
    expect(refusal({ date_in: [v('close_date'), 'last_n_days', 'many'] }).path).toBe(
      'filter.date_in[2]',
    );
    expect(refusal({ date_in: [v('amount'), 'today'] }).message).toMatch(
      /date_in does not apply to currency/,
    );
    expect(refusal({ date_in: ['2026-03-05', 'today'] }).message).toMatch(/date field/);
  });
});

describe('compileFilter: the caller as a variable', () => {
  const mine = { '==': [v('owner_id'), v('$user.id')] };

  it('puts the caller in where the filter names $user.id or $user.email', () => {
    const vars = { '$user.id': UUID_A, '$user.email': 'me@example.com' };
    expect(compileFilter(mine, resolveDeals, { now: NOW, vars })).toEqual({
      op: 'cmp',
      cmp: '=',
      field: ref('owner_id'),
      value: UUID_A,
    });
    const nested = {
      and: [mine, { in: [v('name'), [v('$user.email'), 'x']] }],
    };
    expect(compileFilter(nested, resolveDeals, { now: NOW, vars })).toMatchObject({
      op: 'and',
      args: [{ value: UUID_A }, { op: 'in', values: ['me@example.com', 'x'] }],
    });
  });

  it('checks a document with typed placeholders when no caller is given', () => {
    expect(compile(mine)).toMatchObject({ op: 'cmp', cmp: '=', field: ref('owner_id') });
  });

  it('refuses an unknown variable on its path, and a filter nested too deep', () => {
    const e = refusal({ and: [mine, { '==': [v('owner_id'), v('$user.boss')] }] });
    expect(e.path).toBe('filter.and[1].==[1]');
    expect(e.message).toContain('$user.boss');
    let deep: JsonLogic = { '==': [v('name'), 'x'] };
    for (let i = 0; i < 500; i++) deep = { '!': deep };
    expect(refusal(deep).message).toContain('at most 32 levels');
  });

  it('refuses a NUL character in a text value', () => {
    expect(refusal({ '==': [v('name'), 'a\u0000'] }).path).toBe('filter.==[1]');
    expect(refusal({ starts_with: [v('name'), '\u0000'] }).path).toBe('filter.starts_with[1]');
  });
});

describe('compileFilter: entered (field history, list queries only)', () => {
  const FROM = '2026-01-01T00:00:00Z';
  const TO = '2026-02-01T00:00:00.000Z';
  const listed = (expr: JsonLogic) =>
    compileFilter(expr, resolveDeals, { now: NOW, history: true });
  /** The FilterError of compiling `expr` for a list query. */
  const refusedInList = (expr: JsonLogic): FilterError => {
    try {
      listed(expr);
    } catch (e) {
      if (e instanceof FilterError) return e;
      throw e;
    }
    throw new Error(`expected ${JSON.stringify(expr)} to be refused`);
  };

  it('compiles an entry into an option in a period, and one followed by the next option', () => {
    expect(listed({ entered: [v('stage'), 'qualified', FROM, TO] })).toEqual({
      op: 'entered',
      field: ref('stage'),
      value: 'qualified',
      from: '2026-01-01T00:00:00.000Z',
      to: TO,
    });
    expect(
      listed({ and: [{ entered: [v('stage'), 'new', null, '2026-01-31T19:00:00-05:00', 'won'] }] }),
    ).toEqual({
      op: 'and',
      args: [{ op: 'entered', field: ref('stage'), value: 'new', from: null, to: TO, next: 'won' }],
    });
  });

  it('is refused outside a list query (a sharing rule, a condition on one record)', () => {
    const e = refusal({ or: [false, { entered: [v('stage'), 'won', null, null] }] }, 'when');
    expect(e.path).toBe('when.or[1].entered');
    expect(e.problem.key).toBe('filter.historyOnlyInLists');
    expect(e.message).toBe(
      '"entered" reads the field history, which only a list filter, a saved view or a report can do: a condition on one record or a sharing rule cannot use it',
    );
  });

  it('refuses a bad shape, naming the argument', () => {
    const bad: [JsonLogic, string, string][] = [
      [{ entered: [v('stage'), 'won'] }, 'filter.entered', 'filter.enteredArgs'],
      [
        { entered: [v('stage'), 'won', null, null, 'new', 'x'] },
        'filter.entered',
        'filter.enteredArgs',
      ],
      [{ entered: ['stage', 'won', null, null] }, 'filter.entered', 'filter.enteredArgs'],
      [{ entered: v('stage') }, 'filter.entered', 'filter.enteredArgs'],
      [{ entered: [v('nope'), 'won', null, null] }, 'filter.entered[0]', 'filter.unknownField'],
      [{ entered: [v('amount'), 'won', null, null] }, 'filter.entered[0]', 'filter.enteredField'],
      [{ entered: [v('regions'), 'emea', null, null] }, 'filter.entered[0]', 'filter.enteredField'],
      // A lookup's picklist: its history is the target's, not this record's.
      [
        { entered: [v('account.industry'), 'tech', null, null] },
        'filter.entered[0]',
        'filter.enteredField',
      ],
      [{ entered: [v('stage'), null, null, null] }, 'filter.entered[1]', 'filter.enteredArgs'],
      [{ entered: [v('stage'), 'mars', null, null] }, 'filter.entered[1]', 'filter.notA'],
      [{ entered: [v('stage'), 'won', null, null, 'mars'] }, 'filter.entered[4]', 'filter.notA'],
      [
        { entered: [v('stage'), 'won', null, null, null] },
        'filter.entered[4]',
        'filter.enteredArgs',
      ],
      [
        { entered: [v('stage'), 'won', '2026-01-01', null] },
        'filter.entered[2]',
        'filter.anInstant',
      ],
      [
        { entered: [v('stage'), 'won', null, 1767225600000] },
        'filter.entered[3]',
        'filter.anInstant',
      ],
      [
        { entered: [v('stage'), 'won', '2026-02-30T00:00:00Z', null] },
        'filter.entered[2]',
        'filter.anInstant',
      ],
      [{ entered: [v('stage'), 'won', null, 'today'] }, 'filter.entered[3]', 'filter.anInstant'],
    ];
    for (const [expr, path, key] of bad) {
      const e = refusedInList(expr);
      expect({ expr, path: e.path, key: e.problem.key }).toEqual({ expr, path, key });
    }
    expect(refusedInList({ entered: [v('stage'), 'mars', null, null] }).message).toBe(
      '"mars" is not an option of stage (field stage)',
    );
    expect(refusedInList({ entered: [v('stage'), 'won', '2026-01-01', null] }).message).toBe(
      '"2026-01-01" is not an instant with its offset (such as "2026-01-01T00:00:00Z") or null',
    );
  });
});
