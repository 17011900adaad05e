import type { JsonLogic } from '../documents.js';
import { type FilterOperator, valueSpec } from '../field-types.js';
import type { Message, Problem } from '../messages.js';
import type { FieldRef, FieldResolver } from '../module-fields.js';
import { dateRange, isDatePeriod, periodDates } from './date-range.js';
import type { FilterNode, FilterValue } from './filter-ast.js';
import { filterMsg } from './filter-messages.js';
import { logicBoundsAt } from './logic-bounds.js';

/**
 * A filter that cannot be compiled to SQL: the API answers 400 with `path` and the message
 * (`problem` keeps its key, so the caller reads it in their language).
 */
export class FilterError extends Error {
  readonly problem: Problem;
  constructor(
    readonly path: string,
    said: Message,
  ) {
    super(said.message);
    this.name = 'FilterError';
    this.problem = { ...said, path };
  }
}

export interface CompileOptions {
  /** The instant relative dates are measured from (defaults to now). */
  now?: Date;
  /** The IANA time zone whose calendar relative dates are read on (the caller's; default UTC). */
  timeZone?: string;
  /** Prefix of error paths, e.g. "filter". */
  path?: string;
  /**
   * Values of the caller's variables (`$user.id`, `$user.email`), which stand in the filter as
   * `{"var": "$user.id"}`. Without them (checking a view document) each is replaced by a
   * placeholder of its type, so the filter is checked as it will run.
   */
  vars?: Readonly<Record<string, FilterValue>>;
  /**
   * The filter selects records of its module in a list query (a list, a view, a report), so it
   * may read the field history (`entered`). Without it (a sharing rule, an automation's
   * condition: anything also evaluated on one record) `entered` is refused.
   */
  history?: boolean;
}

/**
 * The caller's variables a filter may name, with the placeholder used when checking a
 * document: "my open deals" is `{"==": [{"var": "owner_id"}, {"var": "$user.id"}]}`.
 */
export const CALLER_VARS: Readonly<Record<string, FilterValue>> = {
  '$user.id': '00000000-0000-0000-0000-000000000000',
  '$user.email': 'user@example.invalid',
};

const COMPARISONS: Record<
  string,
  { cmp: '=' | '<>' | '<' | '<=' | '>' | '>='; op: FilterOperator }
> = {
  '==': { cmp: '=', op: 'eq' },
  '===': { cmp: '=', op: 'eq' },
  '!=': { cmp: '<>', op: 'ne' },
  '!==': { cmp: '<>', op: 'ne' },
  '<': { cmp: '<', op: 'lt' },
  '<=': { cmp: '<=', op: 'le' },
  '>': { cmp: '>', op: 'gt' },
  '>=': { cmp: '>=', op: 'ge' },
};
const FLIPPED = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/**
 * Compiles the filter subset of JSON Logic to a FilterNode tree, checking every field and
 * value against metadata. Anything outside the subset throws FilterError naming the operator:
 * a filter is never silently evaluated differently in SQL than in memory.
 *
 * @example
 * compileFilter({ and: [{ '>': [{ var: 'amount' }, 1000] }, { date_in: [{ var: 'close_date' }, 'this_month'] }] }, resolve)
 */
export function compileFilter(
  expression: JsonLogic,
  resolve: FieldResolver,
  options: CompileOptions = {},
): FilterNode {
  const now = options.now ?? new Date();
  const path = options.path ?? 'filter';
  const tooLarge = logicBoundsAt(expression);
  if (tooLarge) throw new FilterError(`${path}${tooLarge.path}`, tooLarge);
  const bound = withCallerVars(expression, options.vars ?? CALLER_VARS, path);
  const compiler = new Compiler(resolve, now, options.timeZone ?? 'UTC', options.history === true);
  return compiler.node(bound, path);
}

const MAX_DEPTH = 100;

/** Replaces each `{"var": "$…"}` with the caller's value; an unknown `$` name is refused. */
function withCallerVars(
  expr: JsonLogic,
  vars: Readonly<Record<string, FilterValue>>,
  at: string,
  depth = 0,
): JsonLogic {
  // Bounded, so a hostile filter nested thousands deep is a 400, not a stack overflow.
  if (depth > MAX_DEPTH) throw new FilterError(at, filterMsg('nestsAtMost', { max: MAX_DEPTH }));
  const next = depth + 1;
  if (Array.isArray(expr)) return expr.map((e, i) => withCallerVars(e, vars, `${at}[${i}]`, next));
  if (expr === null || typeof expr !== 'object') return expr;
  if (isVar(expr) && typeof expr.var === 'string' && expr.var.startsWith('$')) {
    if (!Object.hasOwn(CALLER_VARS, expr.var)) {
      throw new FilterError(
        at,
        filterMsg('unknownVariable', {
          name: JSON.stringify(expr.var),
          known: Object.keys(CALLER_VARS),
        }),
      );
    }
    return vars[expr.var] ?? null;
  }
  const out: Record<string, JsonLogic> = {};
  for (const [op, args] of Object.entries(expr)) {
    out[op] = Array.isArray(args)
      ? args.map((a, i) => withCallerVars(a, vars, `${at}.${op}[${i}]`, next))
      : withCallerVars(args, vars, `${at}.${op}[0]`, next);
  }
  return out;
}

class Compiler {
  constructor(
    private readonly resolve: FieldResolver,
    private readonly now: Date,
    private readonly timeZone: string,
    private readonly history: boolean,
  ) {}

  node(expr: JsonLogic, path: string): FilterNode {
    if (typeof expr === 'boolean') return { op: 'const', value: expr };
    if (expr === null || typeof expr !== 'object' || Array.isArray(expr)) {
      throw new FilterError(path, filterMsg('notAnObject'));
    }
    const ops = Object.keys(expr);
    if (ops.length !== 1) throw new FilterError(path, filterMsg('oneOperator'));
    const op = ops[0] as string;
    const args = argList(expr[op] as JsonLogic);
    const at = `${path}.${op}`;
    switch (op) {
      case 'and':
      case 'or':
        if (args.length === 0) throw new FilterError(at, filterMsg('needsCondition', { op }));
        return { op, args: args.map((a, i) => this.node(a, `${at}[${i}]`)) };
      case '!':
        return this.negate(args, at);
      case '!!':
        if (args.length !== 1 || !isVar(args[0]))
          throw new FilterError(at, filterMsg('takesOneField', { op }));
        return { op: 'not', arg: this.falsy(args[0], at) };
      case 'is_empty':
        return this.empty(args, at);
      case 'in':
        return this.in(args, at);
      case 'between':
        return this.between(args[0], args[1], args[2], at, args.length, false, [0, 1, 2]);
      case 'contains':
      case 'starts_with':
        return this.match(op, args, at);
      case 'has':
        return this.has(args, at);
      case 'date_in':
        return this.dateIn(args, at);
      case 'entered':
        return this.entered(args, at);
      default:
        if (op in COMPARISONS) return this.compare(op, args, at);
        throw new FilterError(at, filterMsg('unknownOperator', { op }));
    }
  }

  private negate(args: JsonLogic[], at: string): FilterNode {
    const [arg] = args;
    if (args.length !== 1 || arg === undefined)
      throw new FilterError(at, filterMsg('takesOneArgument', { op: '!' }));
    // {"!": {"var": "x"}} is the JSON Logic idiom for "x is empty".
    if (isVar(arg)) return this.falsy(arg, at);
    return { op: 'not', arg: this.node(arg, `${at}[0]`) };
  }

  /** JSON Logic falsiness of a field: empty, and also 0 for numbers and false for booleans. */
  private falsy(ref: { var: JsonLogic }, at: string): FilterNode {
    const field = this.field(ref, `${at}[0]`, 'is_empty');
    const kind = valueSpec(field.field).valueKind;
    const empty: FilterNode = { op: 'empty', field };
    if (kind === 'number' || kind === 'integer') {
      return { op: 'or', args: [empty, { op: 'cmp', cmp: '=', field, value: 0 }] };
    }
    if (kind === 'boolean')
      return { op: 'or', args: [empty, { op: 'cmp', cmp: '=', field, value: false }] };
    return empty;
  }

  private compare(op: string, args: JsonLogic[], at: string): FilterNode {
    const { cmp, op: operator } = COMPARISONS[op] as (typeof COMPARISONS)[string];
    // {"<": [a, x, b]} is JSON Logic's between (exclusive).
    if (args.length === 3 && (op === '<' || op === '<=')) {
      return this.between(args[1], args[0], args[2], at, 3, op === '<', [1, 0, 2]);
    }
    if (args.length !== 2) throw new FilterError(at, filterMsg('takesTwoArguments', { op }));
    const [a, b] = args as [JsonLogic, JsonLogic];
    const [ref, literal, flipped] = isVar(a) ? [a, b, false] : isVar(b) ? [b, a, true] : [];
    if (!ref) throw new FilterError(at, filterMsg('compareFieldWithValue', { op }));
    if (isVar(literal as JsonLogic)) throw new FilterError(at, filterMsg('twoFields'));
    const field = this.field(ref, `${at}[${flipped ? 1 : 0}]`, operator);
    const valueAt = `${at}[${flipped ? 0 : 1}]`;
    // === and !== do not coerce in memory, so the literal must already have the field's type.
    const value =
      op === '===' || op === '!=='
        ? this.exact(field, literal as JsonLogic, valueAt, `"${op}"`)
        : this.value(field, literal as JsonLogic, valueAt);
    if (value === null) {
      if (cmp === '=' || cmp === '<>') return { op: 'cmp', cmp, field, value: null };
      throw new FilterError(at, filterMsg('noNull', { op }));
    }
    return { op: 'cmp', cmp: flipped ? FLIPPED[cmp] : cmp, field, value };
  }

  private between(
    x: JsonLogic | undefined,
    low: JsonLogic | undefined,
    high: JsonLogic | undefined,
    at: string,
    count: number,
    exclusive: boolean,
    /** Where x, low and high stand in the arguments, for error paths. */
    [xAt, lowAt, highAt]: [number, number, number],
  ): FilterNode {
    if (count !== 3 || x === undefined || !isVar(x)) {
      throw new FilterError(at, filterMsg('betweenArgs'));
    }
    const field = this.field(x, `${at}[${xAt}]`, 'between');
    const from = this.value(field, low as JsonLogic, `${at}[${lowAt}]`);
    const to = this.value(field, high as JsonLogic, `${at}[${highAt}]`);
    if (from === null || to === null) throw new FilterError(at, filterMsg('betweenBounds'));
    const inclusive: FilterNode = { op: 'range', field, from, to, toExclusive: false };
    if (!exclusive) return inclusive;
    return {
      op: 'and',
      args: [
        { op: 'cmp', cmp: '>', field, value: from },
        { op: 'cmp', cmp: '<', field, value: to },
      ],
    };
  }

  private in(args: JsonLogic[], at: string): FilterNode {
    const [needle, hay] = args;
    if (args.length !== 2) throw new FilterError(at, filterMsg('takesTwoArguments', { op: 'in' }));
    if (isVar(needle) && Array.isArray(hay)) {
      const field = this.field(needle, `${at}[0]`, 'in');
      const values = hay.map((v, i) => this.exact(field, v, `${at}[1][${i}]`, '"in"'));
      if (values.length === 0) return { op: 'const', value: false };
      // In memory a null in the list matches an empty field; SQL's IN never matches NULL.
      const present = values.filter((v) => v !== null);
      if (present.length === values.length) return { op: 'in', field, values };
      const isNull: FilterNode = { op: 'cmp', cmp: '=', field, value: null };
      if (present.length === 0) return isNull;
      return { op: 'or', args: [{ op: 'in', field, values: present }, isNull] };
    }
    if (isVar(hay) && !isVar(needle)) {
      const field = this.resolveVar(hay, `${at}[1]`);
      if (valueSpec(field.field).valueKind === 'array')
        return this.has([hay, needle as JsonLogic], at);
      return this.match('contains', [hay, needle as JsonLogic], at);
    }
    throw new FilterError(at, filterMsg('inShape'));
  }

  private match(op: 'contains' | 'starts_with', args: JsonLogic[], at: string): FilterNode {
    const [ref, text] = args;
    if (args.length !== 2 || !isVar(ref))
      throw new FilterError(at, filterMsg('fieldAndText', { op }));
    const field = this.field(ref, `${at}[0]`, op);
    if (typeof text !== 'string' && typeof text !== 'number') {
      throw new FilterError(`${at}[1]`, filterMsg('needsText', { op }));
    }
    if (String(text).includes('\u0000')) throw new FilterError(`${at}[1]`, filterMsg('textNul'));
    return { op: 'match', field, text: String(text), mode: op };
  }

  private has(args: JsonLogic[], at: string): FilterNode {
    const [ref, wanted] = args;
    if (args.length !== 2 || !isVar(ref)) throw new FilterError(at, filterMsg('hasArgs'));
    const field = this.field(ref, `${at}[0]`, 'has');
    const spec = valueSpec(field.field);
    const itemField = { ...field, field: { ...field.field, type: 'text' as const } };
    const values = [wanted ?? null].flat().map((v, i) => {
      if (v === null) throw new FilterError(`${at}[1][${i}]`, filterMsg('hasValue'));
      return this.exact(itemField, v, `${at}[1][${i}]`, '"has"');
    });
    if (spec.valueKind === 'array' && field.field.options) {
      const allowed = new Set(field.field.options.map((o) => o.value));
      values.forEach((v, i) => {
        if (!allowed.has(String(v)))
          throw new FilterError(
            `${at}[1][${i}]`,
            filterMsg('notOption', { value: String(v), field: field.path.join('.') }),
          );
      });
    }
    return { op: 'has', field, values };
  }

  private dateIn(args: JsonLogic[], at: string): FilterNode {
    const [ref, period, n] = args;
    if (!isVar(ref)) throw new FilterError(at, filterMsg('dateInArgs'));
    const field = this.field(ref, `${at}[0]`, 'date_in');
    if (!isDatePeriod(period))
      throw new FilterError(
        `${at}[1]`,
        filterMsg('unknownPeriod', { period: JSON.stringify(period) }),
      );
    const count = n === undefined ? 1 : Number(n);
    if (!Number.isInteger(count) || count < 1 || count > 36500) {
      throw new FilterError(`${at}[2]`, filterMsg('days'));
    }
    // A date compares with calendar dates, a datetime with the instants the days start at.
    const range =
      valueSpec(field.field).valueKind === 'date'
        ? periodDates(period, this.now, count, this.timeZone)
        : mapRange(dateRange(period, this.now, count, this.timeZone), (d) => d.toISOString());
    return { op: 'range', field, ...range, toExclusive: true };
  }

  /**
   * `{"entered": [{"var": "stage"}, "qualification", from, to, next?]}`: the record entered
   * that option of a picklist of its own in [from, to) (ISO instants, null for an open end) and,
   * with `next`, entered `next` after such an entry.
   */
  private entered(args: JsonLogic[], at: string): FilterNode {
    if (!this.history)
      throw new FilterError(at, filterMsg('historyOnlyInLists', { op: 'entered' }));
    const [ref, value, from, to, next] = args;
    if (args.length < 4 || args.length > 5 || !isVar(ref))
      throw new FilterError(at, filterMsg('enteredArgs'));
    const field = this.resolveVar(ref, `${at}[0]`);
    if (field.field.type !== 'picklist' || field.via)
      throw new FilterError(`${at}[0]`, filterMsg('enteredField', { field: field.path.join('.') }));
    const option = (literal: JsonLogic | undefined, i: number): string => {
      if (typeof literal !== 'string')
        throw new FilterError(`${at}[${i}]`, filterMsg('enteredArgs'));
      return this.value(field, literal, `${at}[${i}]`) as string;
    };
    const node: FilterNode = {
      op: 'entered',
      field,
      value: option(value, 1),
      from: instant(from, `${at}[2]`),
      to: instant(to, `${at}[3]`),
    };
    return args.length === 5 ? { ...node, next: option(next, 4) } : node;
  }

  private empty(args: JsonLogic[], at: string): FilterNode {
    const [ref] = args;
    if (args.length !== 1 || !isVar(ref)) throw new FilterError(at, filterMsg('isEmptyArgs'));
    return { op: 'empty', field: this.field(ref, `${at}[0]`, 'is_empty') };
  }

  private resolveVar(ref: { var: JsonLogic }, at: string): FieldRef {
    const name = Array.isArray(ref.var) ? ref.var[0] : ref.var;
    // In memory {"var": [f, d]} reads d where f is missing (a lookup's field of an empty lookup);
    // SQL would read null there, so a default is refused rather than silently ignored.
    if (Array.isArray(ref.var) && ref.var.length > 1) {
      throw new FilterError(at, filterMsg('defaultInVar', { name: JSON.stringify(ref.var) }));
    }
    const field = typeof name === 'string' ? this.resolve(name) : undefined;
    if (!field)
      throw new FilterError(at, filterMsg('unknownField', { name: JSON.stringify(name) }));
    return field;
  }

  private field(ref: { var: JsonLogic }, at: string, operator: FilterOperator): FieldRef {
    const field = this.resolveVar(ref, at);
    const spec = valueSpec(field.field);
    if (!spec.operators.includes(operator)) {
      throw new FilterError(
        at,
        filterMsg('operatorNotFor', {
          operator,
          type: field.field.type,
          field: field.path.join('.'),
        }),
      );
    }
    return field;
  }

  /**
   * A value for an operation that compares exactly in memory (`in` and `has` use strict
   * equality there): it must already be written the way it is stored, or SQL (which coerces)
   * and memory (which does not) would disagree.
   */
  private exact(ref: FieldRef, literal: JsonLogic, at: string, op: string): FilterValue {
    const value = this.value(ref, literal, at);
    if (value !== literal) {
      throw new FilterError(
        at,
        filterMsg('comparesExactly', {
          op,
          literal: JSON.stringify(literal),
          value: JSON.stringify(value),
        }),
      );
    }
    return value;
  }

  /** Checks and coerces a literal to the field's kind, so SQL and memory see the same value. */
  private value(ref: FieldRef, literal: JsonLogic, at: string): FilterValue {
    if (literal === null || literal === undefined) return null;
    if (typeof literal === 'object') throw new FilterError(at, filterMsg('plainValue'));
    const kind = valueSpec(ref.field).valueKind;
    const bad = (what: Message) =>
      new FilterError(
        at,
        filterMsg('notA', { literal: JSON.stringify(literal), what, field: ref.path.join('.') }),
      );
    switch (kind) {
      case 'integer': {
        const n = Number(literal);
        if (literal === '' || !Number.isSafeInteger(n)) throw bad(filterMsg('aWholeNumber'));
        return n;
      }
      case 'number': {
        const n = Number(literal);
        if (literal === '' || !Number.isFinite(n)) throw bad(filterMsg('aNumber'));
        return n;
      }
      case 'boolean':
        if (typeof literal !== 'boolean') throw bad(filterMsg('aBoolean'));
        return literal;
      case 'date':
        // Date.parse rolls 2026-02-30 over to March; Postgres refuses it, so must we.
        if (
          typeof literal !== 'string' ||
          !/^\d{4}-\d{2}-\d{2}$/.test(literal) ||
          Number.isNaN(Date.parse(literal)) ||
          new Date(literal).toISOString().slice(0, 10) !== literal
        ) {
          throw bad(filterMsg('aDate'));
        }
        return literal;
      case 'datetime':
        if (typeof literal !== 'string' || Number.isNaN(Date.parse(literal)))
          throw bad(filterMsg('aDateTime'));
        return new Date(literal).toISOString();
      default: {
        // Memory compares a number with a text numerically ("5.0" == 5), SQL as text: refuse.
        if (typeof literal !== 'string') throw bad(filterMsg('aText'));
        const text = literal;
        // Postgres text cannot hold NUL: refused here rather than failing in the database.
        if (text.includes('\u0000')) throw bad(filterMsg('aTextWithoutNul'));
        const type = ref.field.type;
        if ((type === 'lookup' || type === 'user') && !UUID.test(text))
          throw bad(filterMsg('anId'));
        if (
          type === 'picklist' &&
          ref.field.options &&
          !ref.field.options.some((o) => o.value === text)
        ) {
          throw bad(filterMsg('anOptionOf', { field: ref.path.join('.') }));
        }
        return text;
      }
    }
  }
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An ISO instant with its offset (a date alone would depend on a zone), or null. */
function instant(literal: JsonLogic | undefined, at: string): string | null {
  if (literal === null) return null;
  const text = typeof literal === 'string' && INSTANT.test(literal) ? literal : undefined;
  const ms = text === undefined ? Number.NaN : Date.parse(text);
  // Date.parse rolls 2026-02-30 over to March; Postgres refuses it, so must we.
  const day = text?.slice(0, 10) ?? '';
  if (Number.isNaN(ms) || new Date(Date.parse(day)).toISOString().slice(0, 10) !== day)
    throw new FilterError(at, filterMsg('anInstant', { literal: JSON.stringify(literal ?? null) }));
  return new Date(ms).toISOString();
}

function mapRange<T, U>(r: { from: T; to: T }, f: (v: T) => U): { from: U; to: U } {
  return { from: f(r.from), to: f(r.to) };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isVar(node: JsonLogic | undefined): node is { var: JsonLogic } {
  return (
    typeof node === 'object' &&
    node !== null &&
    !Array.isArray(node) &&
    'var' in node &&
    Object.keys(node).length === 1
  );
}

function argList(args: JsonLogic): JsonLogic[] {
  return Array.isArray(args) ? args : [args];
}
