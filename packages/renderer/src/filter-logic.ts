import type { FieldDef, FilterOperator, JsonLogic } from '@atrium/metadata';
import { toApiValue } from './form-values.js';

/** One row of the filter builder: a field, an operator its type allows, and a value. */
export interface FilterCondition {
  field: string;
  op: FilterOperator;
  /** In the form's shape (see form-values.ts); `between` holds [low, high]. */
  value: unknown;
}

/** The relative periods the builder offers for `date_in` (the server knows more). */
export const FILTER_PERIODS = [
  'today',
  'this_week',
  'this_month',
  'last_7_days',
  'last_30_days',
  'next_30_days',
] as const;

function period(value: unknown): JsonLogic[] {
  const match = /^(last|next)_(\d+)_days$/.exec(String(value));
  return match ? [`${match[1]}_n_days`, Number(match[2])] : [String(value || 'today')];
}

/**
 * The JSON Logic of one condition (the same the server compiles to SQL), or undefined while the
 * user has not given a value yet.
 */
export function conditionLogic(field: FieldDef, c: FilterCondition): JsonLogic | undefined {
  const ref = { var: c.field };
  if (c.op === 'is_empty') return { is_empty: [ref] };
  if (c.op === 'date_in') return { date_in: [ref, ...period(c.value)] };
  const scalar =
    field.type === 'multipicklist' || field.type === 'tags'
      ? { ...field, type: 'text' as const }
      : field;
  if (c.op === 'between') {
    const [low, high] = Array.isArray(c.value) ? c.value : [];
    const a = toApiValue(scalar, low) as JsonLogic;
    const b = toApiValue(scalar, high) as JsonLogic;
    return a === null || b === null ? undefined : { between: [ref, a, b] };
  }
  if (c.op === 'in') {
    const list = (Array.isArray(c.value) ? c.value : [c.value])
      .map((v) => toApiValue(scalar, v))
      .filter((v) => v !== null);
    return list.length === 0 ? undefined : { in: [ref, list as JsonLogic[]] };
  }
  const value =
    field.type === 'boolean'
      ? c.value === true || c.value === 'true'
      : (toApiValue(scalar, c.value) as JsonLogic);
  if (value === null) return undefined;
  const ops: Partial<Record<FilterOperator, string>> = {
    eq: '==',
    ne: '!=',
    lt: '<',
    le: '<=',
    gt: '>',
    ge: '>=',
    contains: 'contains',
    starts_with: 'starts_with',
    has: 'has',
  };
  const op = ops[c.op];
  return op ? { [op]: [ref, value] } : undefined;
}

/** All complete conditions ANDed; undefined when there is none. */
export function filterLogic(
  fields: Map<string, FieldDef>,
  conditions: FilterCondition[],
): JsonLogic | undefined {
  const parts = conditions.flatMap((c) => {
    const field = fields.get(c.field);
    const logic = field && conditionLogic(field, c);
    return logic === undefined ? [] : [logic];
  });
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? (parts[0] as JsonLogic) : { and: parts };
}
