import { aggregateMsg } from './aggregate-messages.js';
import type { JsonLogic } from './documents.js';
import { valueSpec } from './field-types.js';
import type { Message } from './messages.js';
import type { FieldRef, FieldResolver } from './module-fields.js';

/**
 * How reports name what they group by and what they count: `stage`, `close_date:month`;
 * `count`, `sum:amount`. Parsed once here for the aggregate route (engine) and for report
 * documents checked at apply, so both accept and refuse exactly the same.
 */

export const BUCKETS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Bucket = (typeof BUCKETS)[number];
export const MAX_GROUPS = 2;
export const MAX_MEASURES = 10;

/** A group of an aggregate: an own field of the module, a date one in buckets. */
export interface GroupSpec {
  /** The key rows carry it under: `stage`, `close_date:month`. */
  key: string;
  ref: FieldRef;
  bucket?: Bucket;
}

export type MeasureFn = 'count' | 'sum' | 'avg' | 'min' | 'max';

/** A figure per group. Reports add their own (`key`, a condition, a weight). */
export interface MeasureSpec {
  key: string;
  fn: MeasureFn;
  field?: FieldRef;
  /** A percent field the value is multiplied by (÷ 100): amount × probability. */
  weight?: FieldRef;
  /** Only records meeting this JSON Logic condition count (compiled like the filter). */
  where?: JsonLogic;
}

/** A name the caller cannot use, with why (`said`: the reason, to render in the caller's language). */
export class SpecError extends Error {
  constructor(readonly said: Message) {
    super(said.message);
    this.name = 'SpecError';
  }
}

const GROUPABLE = new Set(['picklist', 'lookup', 'user', 'boolean', 'date', 'datetime']);
const NUMERIC_KINDS = new Set(['integer', 'number']);

/** The type a field's stored value has (a formula's is what it returns). */
export function storedType(ref: FieldRef): string {
  return ref.field.type === 'formula' ? (ref.field.returns ?? 'text') : ref.field.type;
}

/** `close_date:month` → a group; throws SpecError naming the problem. */
export function groupSpec(resolve: FieldResolver, module: string, part: string): GroupSpec {
  const [name = '', bucket, ...rest] = part.split(':');
  const ref = name.includes('.') || name === 'id' ? undefined : resolve(name);
  if (!ref || rest.length > 0) throw new SpecError(aggregateMsg('notAField', { name, module }));
  const type = storedType(ref);
  const isDate = type === 'date' || type === 'datetime';
  if (!GROUPABLE.has(type))
    throw new SpecError(aggregateMsg('cannotGroup', { name, type: ref.field.type }));
  if (isDate && bucket === undefined)
    throw new SpecError(aggregateMsg('dateNeedsBucket', { name, buckets: BUCKETS.join('|') }));
  if (!isDate && bucket !== undefined)
    throw new SpecError(aggregateMsg('onlyDatesBucket', { part }));
  if (bucket !== undefined && !(BUCKETS as readonly string[]).includes(bucket))
    throw new SpecError(aggregateMsg('notABucket', { bucket, buckets: BUCKETS }));
  return bucket === undefined
    ? { key: name, ref }
    : { key: `${name}:${bucket}`, ref, bucket: bucket as Bucket };
}

/** `sum:amount` → a measure; throws SpecError naming the problem. */
export function measureSpec(resolve: FieldResolver, module: string, part: string): MeasureSpec {
  if (part === 'count') return { key: 'count', fn: 'count' };
  const [fn = '', name = '', ...rest] = part.split(':');
  if (!['sum', 'avg', 'min', 'max'].includes(fn) || rest.length > 0)
    throw new SpecError(aggregateMsg('notAMeasure', { part }));
  return { key: part, fn: fn as MeasureFn, field: numericRef(resolve, module, name) };
}

/** An own numeric or currency field, or SpecError. */
export function numericRef(resolve: FieldResolver, module: string, name: string): FieldRef {
  const ref = name.includes('.') ? undefined : resolve(name);
  if (!ref) throw new SpecError(aggregateMsg('notAField', { name, module }));
  if (!NUMERIC_KINDS.has(valueSpec(ref.field).valueKind) || ref.field.name === 'version')
    throw new SpecError(aggregateMsg('notNumeric', { name }));
  return ref;
}

/** True for a money field: its values are in the record's currency. */
export function isMoney(ref: FieldRef | undefined): boolean {
  return ref !== undefined && storedType(ref) === 'currency';
}

/** A group list (at most two, no repeats); throws SpecError. */
export function groupSpecs(resolve: FieldResolver, module: string, parts: string[]): GroupSpec[] {
  if (parts.length > MAX_GROUPS)
    throw new SpecError(aggregateMsg('tooManyGroups', { max: MAX_GROUPS }));
  const groups = parts.map((p) => groupSpec(resolve, module, p));
  if (new Set(groups.map((g) => g.key)).size !== groups.length)
    throw new SpecError(aggregateMsg('groupTwice'));
  return groups;
}

/** A measure list (at least one, at most ten; repeats dropped); throws SpecError. */
export function measureSpecs(
  resolve: FieldResolver,
  module: string,
  parts: string[],
): MeasureSpec[] {
  if (parts.length > MAX_MEASURES)
    throw new SpecError(aggregateMsg('tooManyMeasures', { max: MAX_MEASURES }));
  const out: MeasureSpec[] = [];
  for (const p of parts.length === 0 ? ['count'] : parts)
    if (!out.some((x) => x.key === p)) out.push(measureSpec(resolve, module, p));
  return out;
}
