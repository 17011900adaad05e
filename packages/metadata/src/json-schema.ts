/** The subset of JSON Schema (draft 2020-12 / Ajv) that metadata produces. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  /** Custom keyword (see createAjv): at most this many digits after the decimal point. */
  decimalScale?: number;
  items?: JsonSchema;
  uniqueItems?: boolean;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  readOnly?: boolean;
  description?: string;
  title?: string;
  [keyword: string]: unknown;
}

/** Lets `schema` also accept null (used for every field that is not required). */
export function nullable(schema: JsonSchema): JsonSchema {
  const types = schema.type === undefined ? [] : [schema.type].flat();
  const out: JsonSchema = { ...schema, type: [...types, 'null'] };
  if (schema.enum) out.enum = [...schema.enum, null];
  return out;
}
