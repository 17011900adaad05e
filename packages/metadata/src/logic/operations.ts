import jsonLogic from 'json-logic-js';
import { type DatePeriod, dateRange, isDatePeriod, periodDates } from './date-range.js';

/** What an evaluation is relative to: the caller's time zone (IANA, default UTC) and "now". */
export interface EvaluationContext {
  timeZone?: string;
  now?: Date;
}

// Operations get only their arguments, so the context of the (synchronous) evaluation in
// progress is kept here for its length; see withEvaluationContext.
let evaluation: EvaluationContext = {};

/** Runs `fn` (a synchronous JSON Logic evaluation) with `context` in force. */
export function withEvaluationContext<T>(context: EvaluationContext, fn: () => T): T {
  const outer = evaluation;
  evaluation = context;
  try {
    return fn();
  } finally {
    evaluation = outer;
  }
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Atrium's own JSON Logic operations, registered once for every evaluation (server and browser).
 * Each has a SQL twin in compile-filter.ts; the two must agree on every value, nulls included.
 * The other way round, `entered` (field history) has no twin here: see list-only.ts.
 */
const isNull = (v: unknown) => v === null || v === undefined;
/** Ordering with a null on either side is false, as in SQL (json-logic-js would read null as 0). */
const ordered =
  (test: (a: never, b: never) => boolean) =>
  (...args: unknown[]) => {
    if (args.some(isNull)) return false;
    for (let i = 1; i < args.length; i++)
      if (!test(args[i - 1] as never, args[i] as never)) return false;
    return true;
  };

export const CUSTOM_OPERATIONS = {
  '<': ordered((a, b) => a < b),
  '<=': ordered((a, b) => a <= b),
  '>': ordered((a, b) => a > b),
  '>=': ordered((a, b) => a >= b),
  /**
   * A value in a list (strict equality, as json-logic-js), or a part of a text. The text case
   * ignores case like `contains`, which is what the filter compiler turns it into (json-logic-js
   * itself would be case-sensitive, and SQL would then select other rows than memory).
   */
  in: (needle: unknown, hay: unknown) => {
    if (Array.isArray(hay)) return hay.includes(needle);
    if (typeof hay !== 'string' || (typeof needle !== 'string' && typeof needle !== 'number'))
      return false;
    return hay.toLowerCase().includes(String(needle).toLowerCase());
  },
  /** Text contains a substring, case-insensitive. */
  contains: (value: unknown, part: unknown) =>
    typeof value === 'string' && value.toLowerCase().includes(String(part ?? '').toLowerCase()),
  /** Text starts with a prefix, case-insensitive. */
  starts_with: (value: unknown, prefix: unknown) =>
    typeof value === 'string' && value.toLowerCase().startsWith(String(prefix ?? '').toLowerCase()),
  /** Null, empty text or an empty list. */
  is_empty: (value: unknown) =>
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0),
  /** A list (multi-select, tags) holds the value, or every value of a list. */
  has: (list: unknown, wanted: unknown) =>
    Array.isArray(list) && [wanted].flat().every((w) => list.includes(w)),
  /** low ≤ value ≤ high; false when any is null. */
  between: (value: unknown, low: unknown, high: unknown) =>
    value !== null &&
    value !== undefined &&
    low !== null &&
    high !== null &&
    (low as number) <= (value as number) &&
    (value as number) <= (high as number),
  /**
   * A date or datetime lies in a relative period: `{"date_in": [{"var": "close_date"}, "this_month"]}`,
   * on the calendar of the evaluation's time zone. A date (`YYYY-MM-DD`) is compared as a
   * calendar date, a datetime as an instant — as the SQL twin compares the two column types.
   */
  date_in: (value: unknown, period: unknown, n?: unknown) => {
    if (value === null || value === undefined || value === '' || !isDatePeriod(period))
      return false;
    const text = String(value);
    const at = Date.parse(text);
    if (Number.isNaN(at)) return false;
    const args = [
      period as DatePeriod,
      evaluation.now ?? new Date(),
      Number(n ?? 1),
      evaluation.timeZone ?? 'UTC',
    ] as const;
    if (DATE_ONLY.test(text)) {
      const { from, to } = periodDates(...args);
      return text >= from && text < to;
    }
    const { from, to } = dateRange(...args);
    return at >= from.getTime() && at < to.getTime();
  },
  /**
   * A date or instant moved by `n` units (`day` by default; `week`, `month`, and for instants
   * `minute`, `hour`): `{"date_add": ["today", 3]}` is the date three days from today on the
   * evaluation's calendar, `{"date_add": [{"var": "end_date"}, -30]}` a month before a date
   * field, `"now"` the current instant. Computes values (an automation's), so it has no SQL twin:
   * a filter using it is refused.
   */
  date_add: (value: unknown, n: unknown, unit: unknown = 'day') => {
    const now = evaluation.now ?? new Date();
    const text =
      value === 'today'
        ? periodDates('today', now, 1, evaluation.timeZone ?? 'UTC').from
        : value === 'now'
          ? now.toISOString()
          : value;
    const amount = Number(n ?? 0);
    if (typeof text !== 'string' || !Number.isFinite(amount)) return null;
    const at = new Date(DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
    if (Number.isNaN(at.getTime())) return null;
    if (unit === 'month') at.setUTCMonth(at.getUTCMonth() + amount);
    else {
      const ms = { minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000 }[
        String(unit)
      ];
      if (ms === undefined) return null;
      at.setTime(at.getTime() + amount * ms);
    }
    return DATE_ONLY.test(text) ? at.toISOString().slice(0, 10) : at.toISOString();
  },
} as const;

/** Every operation name a JSON Logic expression may use. */
export const LOGIC_OPERATIONS = new Set<string>([
  ...Object.keys(CUSTOM_OPERATIONS),
  // json-logic-js built-ins we accept in memory
  'var',
  'missing',
  'missing_some',
  'if',
  '?:',
  '==',
  '===',
  '!=',
  '!==',
  '!',
  '!!',
  'or',
  'and',
  'max',
  'min',
  '+',
  '-',
  '*',
  '/',
  '%',
  'map',
  'reduce',
  'filter',
  'all',
  'none',
  'some',
  'merge',
  'in',
  'cat',
  'substr',
  'log',
]);

let registered = false;

/** Registers the custom operations with json-logic-js; safe to call many times. */
export function registerOperations(): typeof jsonLogic {
  if (!registered) {
    for (const [name, fn] of Object.entries(CUSTOM_OPERATIONS)) {
      jsonLogic.add_operation(name, fn as (...args: unknown[]) => unknown);
    }
    registered = true;
  }
  return jsonLogic;
}
