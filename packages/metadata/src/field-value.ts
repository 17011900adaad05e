import type { FieldDef } from './documents.js';
import { FIELD_TYPES, type ValueKind, valueSpec } from './field-types.js';
import { type JsonSchema, nullable } from './json-schema.js';

/**
 * Everything about the value one field holds, derived in ONE place: the record schemas, the
 * document checks (is a default valid?), the compiled defaults and the column spec all read it,
 * so "required", the column's range and the type's rules cannot drift apart.
 */
export interface FieldValue {
  /** JSON Schema of a non-null value, bounded by what the column holds. */
  schema: JsonSchema;
  /** What a client may write: `schema`, also null unless the field is required, never blank when required. */
  input: JsonSchema;
  /** Postgres column type. */
  column: string;
  kind: ValueKind;
  /** The engine computes the value (formula, autonumber): nothing may be written. */
  computed: boolean;
  /** The value a create starts from when the client sends none (validated against `input` at apply). */
  default: unknown;
}

/**
 * The value rules of `field`. An admin's `min`/`max` can narrow the column's range, never widen
 * it: a value the column cannot hold is refused as a value, not by Postgres.
 */
export function fieldValue(field: FieldDef): FieldValue {
  const spec = valueSpec(field);
  const schema = spec.valueSchema(field);
  return {
    schema,
    input: field.required ? nonBlank(schema, field) : nullable(schema),
    column: spec.columnType(field),
    kind: spec.valueKind,
    computed: FIELD_TYPES[field.type].computed,
    default: field.default,
  };
}

/** A required text must not be blank; a required list must not be empty. */
function nonBlank(schema: JsonSchema, f: FieldDef): JsonSchema {
  if (schema.type === 'string' && schema.enum === undefined && schema.format === undefined) {
    return { ...schema, minLength: Math.max(1, f.minLength ?? 1) };
  }
  if (schema.type === 'array') return { ...schema, minItems: 1 };
  return schema;
}
