import { type FieldRef, type JsonSchema, valueSpec } from '@atrium/metadata';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { LIST_QUERY_SCHEMA } from '../records/list-query.js';

/** Parameters of `GET /api/records/:module/aggregate`, once parsed by strictQuery. */
export interface AggregateQuery {
  /** `stage`, `stage,owner_id`, `close_date:month` (at most two). */
  groupBy?: string;
  /** `count,sum:amount,avg:amount` (default `count`). */
  measures?: string;
  /** JSON Logic, as on the list route. */
  filter?: string;
  /** `YYYY-MM-DD`: the day whose exchange rates convert money (default: today). */
  asOf?: string;
  /** `-sum:amount`: order rows by a measure or group (default: the groups' own order). */
  sort?: string;
  limit?: number;
  /** true to add the row over all records (`totals`). */
  totals?: boolean;
}

export const MAX_GROUP_ROWS = 5000;
export const DEFAULT_GROUP_ROWS = 1000;
export const MAX_GROUPS = 2;
export const MAX_MEASURES = 10;

const text = (description: string, maxLength: number): JsonSchema => ({
  type: 'string',
  maxLength,
  description,
});

/** The aggregate contract, declared once: the route compiles it, OpenAPI publishes it. */
export const AGGREGATE_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    groupBy: text(
      'Up to two comma-separated fields: picklists, lookups, users, booleans, or dates bucketed as field:day|week|month|quarter|year',
      200,
    ),
    measures: text(
      'Comma-separated measures: count, sum:<field>, avg:<field>, min:<field>, max:<field> on numeric and currency fields (default count)',
      500,
    ),
    filter: LIST_QUERY_SCHEMA.properties?.filter as JsonSchema,
    asOf: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description:
        'The date whose exchange rates convert money to the home currency (default today)',
    },
    sort: text('A measure or group key, - for descending (default: the groups in order)', 200),
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_GROUP_ROWS,
      description: `Most groups to answer, 1 to ${MAX_GROUP_ROWS} (default ${DEFAULT_GROUP_ROWS})`,
    },
    totals: { type: 'boolean', description: 'true to add the figures over all matching records' },
  },
};

export const BUCKETS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type Bucket = (typeof BUCKETS)[number];

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
  where?: import('@atrium/metadata').JsonLogic;
}

const GROUPABLE = new Set(['picklist', 'lookup', 'user', 'boolean', 'date', 'datetime']);
const NUMERIC_KINDS = new Set(['integer', 'number']);

function refuse(path: string, message: string): never {
  throw new AtriumError('INVALID_QUERY', [{ path, message }]);
}

/** `stage,close_date:month` → group specs, each field known to the caller (hidden = unknown). */
export function parseGroups(
  m: CompiledModule,
  raw: string | undefined,
  path = 'groupBy',
): GroupSpec[] {
  const parts = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length > MAX_GROUPS) refuse(path, `group by at most ${MAX_GROUPS} fields`);
  const groups = parts.map((part) => parseGroup(m, part, path));
  if (new Set(groups.map((g) => g.key)).size !== groups.length)
    refuse(path, 'the same group is named twice');
  return groups;
}

export function parseGroup(m: CompiledModule, part: string, path: string): GroupSpec {
  const [name = '', bucket, ...rest] = part.split(':');
  const ref = name.includes('.') ? undefined : m.resolve(name);
  if (!ref || rest.length > 0 || name === 'id')
    refuse(path, `"${name}" is not a field of ${m.doc.name}`);
  const type = ref.field.type === 'formula' ? ref.field.returns : ref.field.type;
  const isDate = type === 'date' || type === 'datetime';
  if (!type || !GROUPABLE.has(type))
    refuse(path, `cannot group by "${name}" (a ${ref.field.type} field)`);
  if (isDate && bucket === undefined)
    refuse(path, `a date groups by a bucket: ${name}:${BUCKETS.join('|')}`);
  if (!isDate && bucket !== undefined) refuse(path, `only dates group by a bucket ("${part}")`);
  if (bucket !== undefined && !(BUCKETS as readonly string[]).includes(bucket))
    refuse(path, `"${bucket}" is not a bucket; use one of ${BUCKETS.join(', ')}`);
  return bucket === undefined
    ? { key: name, ref }
    : { key: `${name}:${bucket}`, ref, bucket: bucket as Bucket };
}

/** `count,sum:amount` → measure specs on numeric and currency fields the caller may read. */
export function parseMeasures(
  m: CompiledModule,
  raw: string | undefined,
  path = 'measures',
): MeasureSpec[] {
  const parts = (raw ?? 'count')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (parts.length === 0) parts.push('count');
  if (parts.length > MAX_MEASURES) refuse(path, `at most ${MAX_MEASURES} measures`);
  const out: MeasureSpec[] = [];
  for (const part of parts) {
    if (out.some((x) => x.key === part)) continue;
    out.push(parseMeasure(m, part, path));
  }
  return out;
}

export function parseMeasure(m: CompiledModule, part: string, path: string): MeasureSpec {
  if (part === 'count') return { key: 'count', fn: 'count' };
  const [fn = '', name = '', ...rest] = part.split(':');
  if (!['sum', 'avg', 'min', 'max'].includes(fn) || rest.length > 0)
    refuse(path, `"${part}" is not a measure; use count, sum:<field>, avg:, min: or max:`);
  const ref = name.includes('.') ? undefined : m.resolve(name);
  if (!ref) refuse(path, `"${name}" is not a field of ${m.doc.name}`);
  numericField(ref, path);
  return { key: part, fn: fn as MeasureFn, field: ref };
}

export function numericField(ref: FieldRef, path: string): void {
  if (!NUMERIC_KINDS.has(valueSpec(ref.field).valueKind) || ref.field.name === 'version')
    refuse(path, `"${ref.path.join('.')}" is not a numeric or currency field`);
}

/** True for a money field: its values are in the record's currency. */
export function isMoney(ref: FieldRef | undefined): boolean {
  if (!ref) return false;
  return (
    ref.field.type === 'currency' ||
    (ref.field.type === 'formula' && ref.field.returns === 'currency')
  );
}
