import { CURRENCY_CODE_SCHEMA } from './currency-codes.js';
import type { ModuleDoc } from './documents.js';
import { fieldValue } from './field-value.js';
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
    const value = fieldValue(f);
    if (value.computed) continue;
    properties[f.name] = value.input;
    if (f.required && mode === 'create' && value.default === undefined) required.push(f.name);
  }
  properties.owner_id = { type: 'string', format: 'uuid' };
  if (hasCurrency(module)) properties.currency_code = CURRENCY_CODE_SCHEMA;
  if (mode === 'patch') {
    properties.version = { type: 'integer', minimum: 1 };
    required.push('version');
  }
  return { type: 'object', properties, required, additionalProperties: false };
}

/** JSON Schema of a record as the API returns it (for the OpenAPI document). */
export function recordOutputSchema(module: ModuleDoc): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of [...systemFields(module), ...module.fields]) {
    const schema = f.name === 'id' ? { type: 'string', format: 'uuid' } : fieldValue(f).schema;
    properties[f.name] = f.name === 'id' || f.name === 'version' ? schema : nullable(schema);
  }
  return { type: 'object', properties, required: ['id', 'version'] };
}
