/**
 * Property 3 of DESIGN.md: a filter is evaluated the same way in memory (json-logic-js with our
 * operations) and in SQL (compileFilter → FilterNode → SQL), or refused. The SQL back end lives in
 * the engine; here a tiny reference interpreter reads FilterNode the way the SQL must:
 * `=`/`<>` are null-safe (IS [NOT] DISTINCT FROM), every other comparison with a null is false,
 * `not` is two-valued (a leaf that is false because of a null makes `not` true: SQL `IS NOT TRUE`),
 * text matching is case-insensitive, `empty` is null, '' or an empty list.
 */
import { describe, expect, it } from 'vitest';
import type { FieldRef, FilterNode, FilterValue, JsonLogic } from '../src/index.js';
import { compileFilter, evaluate, truthy, valueSpec } from '../src/index.js';
import { resolveDeals } from './fixtures.js';

type Row = Record<string, unknown>;

function read(row: Row, ref: FieldRef): unknown {
  const [head, tail] = ref.path;
  const value = row[head];
  if (tail === undefined) return value ?? null;
  return value === null || typeof value !== 'object' ? null : ((value as Row)[tail] ?? null);
}

/** Orders two non-null values of one field the way Postgres orders its column type. */
function order(ref: FieldRef, a: unknown, b: FilterValue): number {
  const kind = valueSpec(ref.field).valueKind;
  if (kind === 'datetime') return Date.parse(String(a)) - Date.parse(String(b));
  if (kind === 'integer' || kind === 'number') return Number(a) - Number(b);
  if (kind === 'boolean') return Number(a) - Number(b);
  // text and dates (ISO dates sort as text); COLLATE "C" ordering
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

function matches(node: FilterNode, row: Row): boolean {
  switch (node.op) {
    case 'const':
      return node.value;
    case 'and':
      return node.args.every((a) => matches(a, row));
    case 'or':
      return node.args.some((a) => matches(a, row));
    case 'not':
      return !matches(node.arg, row);
    case 'cmp': {
      const value = read(row, node.field);
      if (node.cmp === '=' || node.cmp === '<>') {
        const same =
          value === null || node.value === null
            ? value === node.value
            : order(node.field, value, node.value) === 0;
        return node.cmp === '=' ? same : !same;
      }
      if (value === null || node.value === null) return false;
      const c = order(node.field, value, node.value);
      return node.cmp === '<'
        ? c < 0
        : node.cmp === '<='
          ? c <= 0
          : node.cmp === '>'
            ? c > 0
            : c >= 0;
    }
    case 'in': {
      const value = read(row, node.field);
      return (
        value !== null && node.values.some((v) => v !== null && order(node.field, value, v) === 0)
      );
    }
    case 'range': {
      const value = read(row, node.field);
      if (value === null || node.from === null || node.to === null) return false;
      const high = order(node.field, value, node.to);
      return order(node.field, value, node.from) >= 0 && (node.toExclusive ? high < 0 : high <= 0);
    }
    case 'match': {
      const value = read(row, node.field);
      if (typeof value !== 'string') return false;
      const [text, part] = [value.toLowerCase(), node.text.toLowerCase()];
      return node.mode === 'contains' ? text.includes(part) : text.startsWith(part);
    }
    case 'empty': {
      const value = read(row, node.field);
      return value === null || value === '' || (Array.isArray(value) && value.length === 0);
    }
    case 'has': {
      const value = read(row, node.field);
      return Array.isArray(value) && node.values.every((v) => value.includes(v));
    }
    case 'entered':
      // Reads the field history, which a row in memory does not carry: list queries only.
      throw new Error('"entered" has no in-memory twin');
  }
}

const DAY = 86_400_000;
const day = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
const instant = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

const rows: Row[] = [
  {
    name: 'ACME Corp',
    email: 'sales@acme.com',
    amount: 5000,
    quantity: 3,
    probability: 50,
    stage: 'won',
    active: true,
    close_date: day(0),
    closed_at: instant(-60_000),
    tags: ['vip', 'renewal'],
    regions: ['emea'],
    account: { industry: 'tech' },
  },
  {
    name: 'globex',
    email: null,
    amount: 0,
    quantity: 0,
    probability: 0,
    stage: 'new',
    active: false,
    close_date: day(-10),
    closed_at: instant(-20 * DAY),
    tags: [],
    regions: ['apac', 'amer'],
    account: { industry: 'retail' },
  },
  {
    name: 'Initech',
    email: null,
    amount: null,
    quantity: null,
    probability: null,
    stage: null,
    active: null,
    close_date: null,
    closed_at: null,
    tags: null,
    regions: null,
    account: null,
  },
  {
    name: 'Umbrella acme',
    email: 'Buyer@Umbrella.example',
    amount: 1000,
    quantity: 10,
    probability: 99.5,
    stage: 'lost',
    active: true,
    close_date: day(40),
    closed_at: instant(5 * DAY),
    tags: ['VIP'],
    regions: ['emea', 'amer'],
    account: { industry: null },
  },
  {
    name: '',
    email: 'x@y.example',
    amount: -5,
    quantity: -1,
    probability: 10,
    stage: 'qualified',
    active: false,
    close_date: day(-1),
    closed_at: instant(-DAY),
    tags: ['churned'],
    regions: [],
    account: { industry: 'finance' },
  },
];

const v = (name: string) => ({ var: name });

const filters: JsonLogic[] = [
  true,
  false,
  { '==': [v('stage'), 'won'] },
  { '!=': [v('stage'), 'won'] },
  { '==': [v('stage'), null] },
  { '!=': [v('amount'), null] },
  { '==': [v('amount'), 0] },
  { '==': [v('quantity'), '3'] },
  { '===': [v('quantity'), 3] },
  { '!==': [v('stage'), 'won'] },
  { '<': [v('amount'), 1000] },
  { '<=': [v('amount'), 1000] },
  { '>': [v('amount'), 0] },
  { '>=': [v('quantity'), 0] },
  { '<': [0, v('amount')] },
  { '<=': [-10, v('quantity')] },
  { '<': [-10, v('amount'), 1000] },
  { '<=': [0, v('quantity'), 10] },
  { between: [v('amount'), 0, 1000] },
  { between: [v('probability'), 10, 99.5] },
  { '==': [v('active'), true] },
  { '!=': [v('active'), true] },
  { in: [v('stage'), ['won', 'lost']] },
  { in: [v('stage'), ['won', null]] },
  { in: [v('quantity'), [0, 10]] },
  { in: ['acme', v('name')] },
  { in: ['vip', v('tags')] },
  { in: ['amer', v('regions')] },
  { contains: [v('name'), 'ACME'] },
  { contains: [v('email'), 'umbrella'] },
  { starts_with: [v('email'), 'SALES'] },
  { starts_with: [v('name'), 'glo'] },
  { has: [v('tags'), ['vip', 'renewal']] },
  { has: [v('tags'), 'vip'] },
  { has: [v('regions'), 'emea'] },
  { is_empty: [v('tags')] },
  { is_empty: [v('regions')] },
  { is_empty: [v('name')] },
  { is_empty: [v('amount')] },
  { is_empty: [v('email')] },
  { '!': v('amount') },
  { '!': v('active') },
  { '!': v('name') },
  { '!': [v('regions')] },
  { '!!': [v('tags')] },
  { '!!': [v('quantity')] },
  { '!': { '<': [v('amount'), 1000] } },
  { '!': { in: ['acme', v('name')] } },
  { '!': { has: [v('tags'), 'vip'] } },
  { '==': [v('account.industry'), 'tech'] },
  { '!=': [v('account.industry'), 'tech'] },
  { in: [v('account.industry'), ['tech', 'finance']] },
  { '<': [v('close_date'), day(0)] },
  { '>=': [v('close_date'), day(-10)] },
  { between: [v('close_date'), day(-10), day(0)] },
  { '>': [v('closed_at'), `${day(-2)}T00:00:00.000Z`] },
  { date_in: [v('close_date'), 'today'] },
  { date_in: [v('close_date'), 'yesterday'] },
  { date_in: [v('close_date'), 'last_n_days', 7] },
  { date_in: [v('close_date'), 'last_n_days', 11] },
  { date_in: [v('close_date'), 'next_n_days', 60] },
  { date_in: [v('close_date'), 'this_year'] },
  { date_in: [v('closed_at'), 'last_n_days', 2] },
  { date_in: [v('closed_at'), 'this_month'] },
  {
    and: [
      { in: [v('stage'), ['won', 'lost', 'new']] },
      { or: [{ '>': [v('amount'), 100] }, { has: [v('regions'), 'apac'] }] },
      { '!': { is_empty: [v('email')] } },
    ],
  },
  { or: [{ '==': [v('name'), ''] }, { '!': { '>=': [v('quantity'), 0] } }] },
];

describe('in memory and compiled filters agree', () => {
  it.each(filters.map((f) => [JSON.stringify(f), f] as const))('%s', (_, filter) => {
    const node = compileFilter(filter, resolveDeals);
    const inMemory = rows.map((row) => truthy(evaluate(filter, row)));
    const compiled = rows.map((row) => matches(node, row));
    expect(compiled).toEqual(inMemory);
  });

  it('covers both outcomes for most filters', () => {
    // A filter that every row passes (or fails) proves little; keep the fixture rich.
    const decisive = filters.filter((f) => {
      const results = new Set(rows.map((row) => truthy(evaluate(f, row))));
      return results.size === 2;
    });
    expect(decisive.length).toBeGreaterThan(filters.length - 6);
  });

  it('has a reference interpreter that can tell filters apart', () => {
    const node = compileFilter({ '==': [v('stage'), 'won'] }, resolveDeals);
    expect(rows.map((row) => matches(node, row))).toEqual([true, false, false, false, false]);
  });
});

describe('in memory and compiled date periods agree in every time zone', () => {
  const zones = [
    'UTC',
    'Asia/Shanghai',
    'America/Los_Angeles',
    'Europe/Berlin',
    'Pacific/Kiritimati',
    'Pacific/Pago_Pago',
    'Asia/Kolkata',
  ];
  // Instants near a day's, a week's, a year's and a clock change's edges, somewhere on Earth.
  const nows = [
    '2026-11-23T15:30:00Z',
    '2026-11-29T23:59:00Z',
    '2026-12-31T12:00:00Z',
    '2026-03-29T00:30:00Z',
    '2026-11-01T08:59:00Z',
  ].map((s) => new Date(s));
  const periods: JsonLogic[] = [
    'today',
    'yesterday',
    'tomorrow',
    'this_week',
    'last_week',
    'this_month',
    'next_month',
    'this_quarter',
    'this_year',
  ];
  const filters = (field: string): JsonLogic[] => [
    ...periods.map((p) => ({ date_in: [v(field), p] })),
    { date_in: [v(field), 'last_n_days', 3] },
    { date_in: [v(field), 'next_n_days', 2] },
  ];

  it.each(zones)('%s', (timeZone) => {
    for (const now of nows) {
      // Every hour from two days before to two days after, as a date and as an instant.
      const sample: Row[] = [];
      for (let h = -50; h <= 50; h++) {
        const at = new Date(now.getTime() + h * 3_600_000);
        sample.push({ close_date: at.toISOString().slice(0, 10), closed_at: at.toISOString() });
      }
      for (const filter of [...filters('close_date'), ...filters('closed_at')]) {
        const node = compileFilter(filter, resolveDeals, { now, timeZone });
        const inMemory = sample.map((row) => truthy(evaluate(filter, row, { now, timeZone })));
        const compiled = sample.map((row) => matches(node, row));
        expect(compiled, `${JSON.stringify(filter)} at ${now.toISOString()}`).toEqual(inMemory);
      }
    }
  });

  it('reads the same instant as different days in different zones', () => {
    const now = new Date('2026-11-23T20:00:00Z');
    const row = { close_date: '2026-11-24', closed_at: '2026-11-23T09:00:00Z' };
    const today = { date_in: [v('close_date'), 'today'] };
    const todayAt = { date_in: [v('closed_at'), 'today'] };
    expect(truthy(evaluate(today, row, { now, timeZone: 'UTC' }))).toBe(false);
    expect(truthy(evaluate(today, row, { now, timeZone: 'Asia/Shanghai' }))).toBe(true);
    expect(truthy(evaluate(todayAt, row, { now, timeZone: 'UTC' }))).toBe(true);
    // 09:00Z is 17:00 on the 23rd in Shanghai, where it is already the 24th.
    expect(truthy(evaluate(todayAt, row, { now, timeZone: 'Asia/Shanghai' }))).toBe(false);
    expect(truthy(evaluate(todayAt, row, { now, timeZone: 'America/Los_Angeles' }))).toBe(true);
    expect(truthy(evaluate(todayAt, row, { now, timeZone: 'Pacific/Kiritimati' }))).toBe(false);
  });
});
