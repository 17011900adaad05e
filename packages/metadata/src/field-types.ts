import type { FieldDef, FieldTypeName } from './documents.js';
import type { JsonSchema } from './json-schema.js';

/** Filter operators a field type offers; each is a JSON Logic operation (see logic/). */
export type FilterOperator =
  | 'eq'
  | 'ne'
  | 'lt'
  | 'le'
  | 'gt'
  | 'ge'
  | 'in'
  | 'between'
  | 'contains'
  | 'starts_with'
  | 'is_empty'
  | 'date_in'
  | 'has';

/** How a value is shown; the renderer formats with Intl. */
export type FormatHint =
  | { kind: 'text'; multiline?: boolean; link?: 'mailto' | 'tel' | 'url' }
  | { kind: 'number'; style: 'decimal' | 'currency' | 'percent'; scale: number }
  | { kind: 'boolean' }
  | { kind: 'date' }
  | { kind: 'datetime' }
  | { kind: 'option' }
  | { kind: 'options' }
  | { kind: 'reference' };

export type IndexKind = 'btree' | 'gin' | 'unique';

/** What a scalar value is, for coercion of filter values and formula results. */
export type ValueKind = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'datetime' | 'array';

/** One field type: defined once, read by the engine (storage, validation) and the renderer. */
export interface FieldTypeSpec {
  /** JSON Schema of a non-null value. */
  valueSchema(field: FieldDef): JsonSchema;
  /** Postgres column type. */
  columnType(field: FieldDef): string;
  /** Index the column gets without asking (lookups, multi-selects). */
  defaultIndex?: IndexKind;
  operators: readonly FilterOperator[];
  valueKind: ValueKind;
  format(field: FieldDef): FormatHint;
  widget: string;
  sortable: boolean;
  /** May take part in the `q` text search. */
  searchable: boolean;
  /** The engine computes the value; a client may not write it. */
  computed: boolean;
  /** Properties a field of this type must have. */
  requires: readonly (keyof FieldDef)[];
}

const EQ: FilterOperator[] = ['eq', 'ne', 'in', 'is_empty'];
const ORDERED: FilterOperator[] = [...EQ, 'lt', 'le', 'gt', 'ge', 'between'];
const TEXT_OPS: FilterOperator[] = [...ORDERED, 'contains', 'starts_with'];
const DATE_OPS: FilterOperator[] = [...ORDERED, 'date_in'];
const ARRAY_OPS: FilterOperator[] = ['has', 'is_empty'];

/** Most types sort, are not searched by `q`, are written by clients and need no property. */
function spec(
  entry: Omit<FieldTypeSpec, 'sortable' | 'searchable' | 'computed' | 'requires'> &
    Partial<Pick<FieldTypeSpec, 'sortable' | 'searchable' | 'computed' | 'requires'>>,
): FieldTypeSpec {
  return { sortable: true, searchable: false, computed: false, requires: [], ...entry };
}

function textSpec(
  widget: string,
  maxLength: number,
  extra: JsonSchema,
  link?: 'mailto' | 'tel' | 'url',
): FieldTypeSpec {
  return spec({
    valueSchema: (f) => ({
      type: 'string',
      maxLength: f.maxLength ?? maxLength,
      ...(f.minLength !== undefined && { minLength: f.minLength }),
      ...(f.pattern !== undefined && { pattern: f.pattern }),
      ...extra,
    }),
    columnType: () => 'text',
    operators: TEXT_OPS,
    valueKind: 'string',
    format: () => ({ kind: 'text', ...(link && { link }) }),
    widget,
    searchable: true,
  });
}

function numericSpec(
  widget: string,
  style: 'decimal' | 'currency' | 'percent',
  precision: number,
  scale: number,
): FieldTypeSpec {
  const digits = (f: FieldDef) => ({ p: f.precision ?? precision, s: f.scale ?? scale });
  return spec({
    valueSchema: (f) => {
      const { p, s } = digits(f);
      const limit = 10 ** (p - s);
      // numeric(p,s) holds less than 10^(p-s). `limit - 10^-s` rounds to `limit` as a double when
      // p is large (18,2 → 1e16 would pass and overflow the column), so fall back to an exclusive
      // bound whenever the inclusive one does not stay below the limit. An admin's min/max may
      // narrow that range, never widen it past what the column holds.
      const minimum = Math.max(f.min ?? Number.NEGATIVE_INFINITY, -limit + 10 ** -s);
      const maximum = Math.min(f.max ?? Number.POSITIVE_INFINITY, limit - 10 ** -s);
      return {
        type: 'number',
        ...(minimum > -limit ? { minimum } : { exclusiveMinimum: -limit }),
        ...(maximum < limit ? { maximum } : { exclusiveMaximum: limit }),
        decimalScale: s,
      };
    },
    columnType: (f) => {
      const { p, s } = digits(f);
      return `numeric(${p},${s})`;
    },
    operators: ORDERED,
    valueKind: 'number',
    format: (f) => ({ kind: 'number', style, scale: digits(f).s }),
    widget,
  });
}

const optionValues = (f: FieldDef) => (f.options ?? []).map((o) => o.value);

/**
 * The field-type registry: every field type, defined once. Adding a type is one entry here
 * plus a widget in the renderer.
 */
export const FIELD_TYPES: Record<FieldTypeName, FieldTypeSpec> = {
  text: textSpec('text', 255, {}),
  textarea: spec({
    ...textSpec('textarea', 32000, {}),
    format: () => ({ kind: 'text', multiline: true }),
  }),
  email: textSpec('email', 254, { format: 'email' }, 'mailto'),
  phone: textSpec('phone', 40, { pattern: '^\\+?[0-9][0-9 ()./-]{1,38}$' }, 'tel'),
  url: textSpec('url', 2048, { format: 'uri' }, 'url'),
  integer: spec({
    valueSchema: (f) => ({
      type: 'integer',
      // Whole numbers a JSON number holds exactly (the bigint column holds more).
      minimum: Math.max(f.min ?? Number.MIN_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
      maximum: Math.min(f.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    }),
    columnType: () => 'bigint',
    operators: ORDERED,
    valueKind: 'integer',
    format: () => ({ kind: 'number', style: 'decimal', scale: 0 }),
    widget: 'integer',
  }),
  decimal: numericSpec('decimal', 'decimal', 18, 2),
  currency: numericSpec('currency', 'currency', 18, 2),
  percent: numericSpec('percent', 'percent', 7, 2),
  boolean: spec({
    valueSchema: () => ({ type: 'boolean' }),
    columnType: () => 'boolean',
    operators: ['eq', 'ne', 'is_empty'],
    valueKind: 'boolean',
    format: () => ({ kind: 'boolean' }),
    widget: 'checkbox',
  }),
  date: spec({
    valueSchema: () => ({ type: 'string', format: 'date' }),
    columnType: () => 'date',
    operators: DATE_OPS,
    valueKind: 'date',
    format: () => ({ kind: 'date' }),
    widget: 'date',
  }),
  datetime: spec({
    valueSchema: () => ({ type: 'string', format: 'date-time' }),
    columnType: () => 'timestamptz(3)',
    operators: DATE_OPS,
    valueKind: 'datetime',
    format: () => ({ kind: 'datetime' }),
    widget: 'datetime',
  }),
  picklist: spec({
    valueSchema: (f) => ({ type: 'string', enum: optionValues(f) }),
    columnType: () => 'text',
    defaultIndex: 'btree',
    operators: EQ,
    valueKind: 'string',
    format: () => ({ kind: 'option' }),
    widget: 'select',
    requires: ['options'],
  }),
  multipicklist: spec({
    valueSchema: (f) => ({
      type: 'array',
      items: { type: 'string', enum: optionValues(f) },
      uniqueItems: true,
    }),
    columnType: () => 'text[]',
    defaultIndex: 'gin',
    operators: ARRAY_OPS,
    valueKind: 'array',
    format: () => ({ kind: 'options' }),
    widget: 'multiselect',
    sortable: false,
    requires: ['options'],
  }),
  lookup: spec({
    valueSchema: () => ({ type: 'string', format: 'uuid' }),
    columnType: () => 'uuid',
    defaultIndex: 'btree',
    operators: EQ,
    valueKind: 'string',
    format: () => ({ kind: 'reference' }),
    widget: 'lookup',
    sortable: false,
    requires: ['target'],
  }),
  user: spec({
    valueSchema: () => ({ type: 'string', format: 'uuid' }),
    columnType: () => 'uuid',
    defaultIndex: 'btree',
    operators: EQ,
    valueKind: 'string',
    format: () => ({ kind: 'reference' }),
    widget: 'user',
    sortable: false,
  }),
  autonumber: spec({
    valueSchema: () => ({ type: 'string', readOnly: true }),
    columnType: () => 'text',
    defaultIndex: 'unique',
    operators: TEXT_OPS,
    valueKind: 'string',
    format: () => ({ kind: 'text' }),
    widget: 'readonly',
    searchable: true,
    computed: true,
  }),
  formula: spec({
    valueSchema: (f) => ({ ...returnSpec(f).valueSchema(returnField(f)), readOnly: true }),
    columnType: (f) => returnSpec(f).columnType(returnField(f)),
    // Never read for filtering or values: valueSpec() answers with the returned type's spec.
    operators: ORDERED,
    valueKind: 'number',
    format: (f) => returnSpec(f).format(returnField(f)),
    widget: 'readonly',
    computed: true,
    requires: ['returns', 'expression'],
  }),
  tags: spec({
    valueSchema: () => ({
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 64 },
      uniqueItems: true,
      maxItems: 100,
    }),
    columnType: () => 'text[]',
    defaultIndex: 'gin',
    operators: ARRAY_OPS,
    valueKind: 'array',
    format: () => ({ kind: 'options' }),
    widget: 'tags',
    sortable: false,
  }),
};

function returnField(f: FieldDef): FieldDef {
  return { ...f, type: f.returns ?? 'text' };
}
function returnSpec(f: FieldDef): FieldTypeSpec {
  return FIELD_TYPES[f.returns ?? 'text'];
}

/**
 * The spec that governs a field's stored value: a formula behaves like the type it returns.
 * Throws on an unknown type, so a new type cannot be half-registered.
 */
export function valueSpec(field: FieldDef): FieldTypeSpec {
  const spec = FIELD_TYPES[field.type];
  if (!spec) throw new Error(`unknown field type "${field.type}"`);
  return field.type === 'formula' ? returnSpec(field) : spec;
}
