import type { FieldDef, ModuleDoc } from './documents.js';
import { FIELD_TYPES, valueSpec } from './field-types.js';
import { type JsonSchema, nullable } from './json-schema.js';
import { hasCurrency, systemFields } from './module-fields.js';

/**
 * JSON Schema of the body a client sends to create (`mode: 'create'`, required fields required)
 * or update (`mode: 'patch'`, every field optional, `version` required) a record. Computed fields
 * and system columns are not writable, and unknown properties are refused.
 */
export function recordInputSchema(module: ModuleDoc, mode: 'create' | 'patch'): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const f of module.fields) {
    if (FIELD_TYPES[f.type].computed) continue;
    const schema = valueSpec(f).valueSchema(f);
    properties[f.name] = f.required ? withMin(schema, f) : nullable(schema);
    if (f.required && mode === 'create' && f.default === undefined) required.push(f.name);
  }
  properties.owner_id = { type: 'string', format: 'uuid' };
  if (hasCurrency(module)) properties.currency_code = { type: 'string', pattern: '^[A-Z]{3}$' };
  if (mode === 'patch') {
    properties.version = { type: 'integer', minimum: 1 };
    required.push('version');
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** A required text must not be blank; a required list must not be empty. */
function withMin(schema: JsonSchema, f: FieldDef): JsonSchema {
  if (schema.type === 'string' && schema.enum === undefined && schema.format === undefined) {
    return { ...schema, minLength: Math.max(1, f.minLength ?? 1) };
  }
  if (schema.type === 'array') return { ...schema, minItems: 1 };
  return schema;
}

/** JSON Schema of a record as the API returns it (for the OpenAPI document). */
export function recordOutputSchema(module: ModuleDoc): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of [...systemFields(module), ...module.fields]) {
    const spec = valueSpec(f);
    const schema = f.name === 'id' ? { type: 'string', format: 'uuid' } : spec.valueSchema(f);
    properties[f.name] = f.name === 'id' || f.name === 'version' ? schema : nullable(schema);
  }
  return { type: 'object', properties, required: ['id', 'version'] };
}
