import { PROFILE_SCHEMA, ROLE_SCHEMA, SHARING_SCHEMA } from './access-documents.js';
import { FIELD_TYPES, FORMULA_RETURN_TYPES } from './field-types.js';
import type { JsonSchema } from './json-schema.js';
import { LOCALES } from './label.js';

/** JSON Schemas of the metadata documents. Cross-document checks live in check-documents.ts. */

const label: JsonSchema = {
  type: 'object',
  properties: Object.fromEntries(
    LOCALES.map((l) => [l, { type: 'string', minLength: 1, maxLength: 500 }]),
  ),
  additionalProperties: false,
  minProperties: 1,
};
const name: JsonSchema = { type: 'string', minLength: 1, maxLength: 63 };
/** Any JSON within bounds (see createAjv): JSON Logic is checked by compiling it, not by shape. */
const logic: JsonSchema = { jsonLogic: true };
const names: JsonSchema = { type: 'array', items: name, uniqueItems: true };

const field: JsonSchema = {
  type: 'object',
  required: ['name', 'type'],
  additionalProperties: false,
  properties: {
    name,
    renamedFrom: name,
    type: { type: 'string', enum: Object.keys(FIELD_TYPES) },
    label,
    help: label,
    required: { type: 'boolean' },
    unique: { type: 'boolean' },
    indexed: { type: 'boolean' },
    searchable: { type: 'boolean' },
    default: {},
    minLength: { type: 'integer', minimum: 0 },
    maxLength: { type: 'integer', minimum: 1, maximum: 1000000 },
    pattern: { type: 'string', format: 'regex' },
    min: { type: 'number' },
    max: { type: 'number' },
    precision: { type: 'integer', minimum: 1, maximum: 38 },
    scale: { type: 'integer', minimum: 0, maximum: 18 },
    options: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: {
        type: 'object',
        required: ['value'],
        additionalProperties: false,
        properties: {
          value: { type: 'string', minLength: 1, maxLength: 100 },
          label,
          color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$' },
        },
      },
    },
    target: name,
    onDelete: { type: 'string', enum: ['set_null', 'restrict', 'cascade'] },
    prefix: { type: 'string', maxLength: 20 },
    digits: { type: 'integer', minimum: 1, maximum: 18 },
    returns: { type: 'string', enum: [...FORMULA_RETURN_TYPES] },
    expression: logic,
  },
};

export const MODULE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'name', 'fields'],
  additionalProperties: false,
  properties: {
    kind: { const: 'module' },
    name,
    label,
    pluralLabel: label,
    recordName: name,
    defaultCurrency: { type: 'string', pattern: '^[A-Z]{3}$' },
    fields: { type: 'array', items: field, maxItems: 500 },
    validationRules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'when', 'message'],
        additionalProperties: false,
        properties: { name, when: logic, message: label, field: name },
      },
    },
  },
};

export const LAYOUT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'module', 'name', 'sections'],
  additionalProperties: false,
  properties: {
    kind: { const: 'layout' },
    module: name,
    name,
    label,
    profiles: { type: 'array', items: { type: 'string' } },
    sections: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fields'],
        additionalProperties: false,
        properties: { label, columns: { type: 'integer', minimum: 1, maximum: 4 }, fields: names },
      },
    },
    rules: {
      type: 'array',
      items: {
        type: 'object',
        required: ['when'],
        additionalProperties: false,
        properties: { when: logic, show: names, hide: names, require: names },
      },
    },
  },
};

export const VIEW_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'module', 'name', 'type', 'columns'],
  additionalProperties: false,
  properties: {
    kind: { const: 'view' },
    module: name,
    name,
    label,
    type: { type: 'string', enum: ['table', 'kanban'] },
    groupBy: name,
    columns: names,
    filter: logic,
    sort: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'dir'],
        additionalProperties: false,
        properties: { field: { type: 'string' }, dir: { type: 'string', enum: ['asc', 'desc'] } },
      },
    },
  },
};

const action: JsonSchema = {
  type: 'object',
  required: ['type'],
  properties: {
    type: {
      type: 'string',
      enum: ['assign', 'update_fields', 'create_record', 'send_email', 'webhook', 'notify'],
    },
  },
};

export const BLUEPRINT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'module', 'name', 'field', 'transitions'],
  additionalProperties: false,
  properties: {
    kind: { const: 'blueprint' },
    module: name,
    name,
    field: name,
    transitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'from', 'to'],
        additionalProperties: false,
        properties: {
          name,
          label,
          from: { type: 'array', items: { type: 'string' }, minItems: 1 },
          to: { type: 'string' },
          who: {
            type: 'object',
            additionalProperties: false,
            properties: {
              profiles: { type: 'array', items: { type: 'string' } },
              owner: { type: 'boolean' },
            },
          },
          when: logic,
          require: names,
          after: { type: 'array', items: action },
        },
      },
    },
  },
};

export const AUTOMATION_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'module', 'name', 'trigger', 'actions'],
  additionalProperties: false,
  properties: {
    kind: { const: 'automation' },
    module: name,
    name,
    label,
    active: { type: 'boolean' },
    trigger: {
      type: 'object',
      required: ['on'],
      additionalProperties: false,
      properties: {
        on: {
          type: 'string',
          enum: ['create', 'update', 'field_change', 'delete', 'date', 'schedule'],
        },
        fields: names,
        field: name,
        offset: { type: 'string', pattern: '^[+-]?\\d+[mhdw]$' },
        cron: { type: 'string' },
      },
    },
    when: logic,
    actions: { type: 'array', items: action, minItems: 1 },
  },
};

export const DOCUMENT_SCHEMAS = {
  module: MODULE_SCHEMA,
  layout: LAYOUT_SCHEMA,
  view: VIEW_SCHEMA,
  blueprint: BLUEPRINT_SCHEMA,
  automation: AUTOMATION_SCHEMA,
  role: ROLE_SCHEMA,
  profile: PROFILE_SCHEMA,
  sharing: SHARING_SCHEMA,
} as const;
