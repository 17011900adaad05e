import type { FieldDef, ModuleDoc } from '../src/index.js';
import { fieldResolver } from '../src/index.js';

/** A module that uses every field type once. */
export const accounts: ModuleDoc = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    {
      name: 'industry',
      type: 'picklist',
      options: [{ value: 'tech' }, { value: 'retail' }, { value: 'finance' }],
    },
    { name: 'employees', type: 'integer' },
  ],
};

export const allTypeFields: FieldDef[] = [
  { name: 'name', type: 'text', required: true, maxLength: 200 },
  { name: 'notes', type: 'textarea' },
  { name: 'email', type: 'email' },
  { name: 'phone', type: 'phone' },
  { name: 'website', type: 'url' },
  { name: 'quantity', type: 'integer', min: 0 },
  { name: 'ratio', type: 'decimal', precision: 10, scale: 3 },
  { name: 'amount', type: 'currency' },
  { name: 'probability', type: 'percent' },
  { name: 'active', type: 'boolean', default: true },
  { name: 'close_date', type: 'date' },
  { name: 'closed_at', type: 'datetime' },
  {
    name: 'stage',
    type: 'picklist',
    default: 'new',
    options: [{ value: 'new' }, { value: 'qualified' }, { value: 'won' }, { value: 'lost' }],
  },
  {
    name: 'regions',
    type: 'multipicklist',
    options: [{ value: 'emea' }, { value: 'apac' }, { value: 'amer' }],
  },
  { name: 'account', type: 'lookup', target: 'accounts', onDelete: 'set_null' },
  { name: 'manager', type: 'user' },
  { name: 'number', type: 'autonumber', prefix: 'D-', digits: 5 },
  {
    name: 'expected',
    type: 'formula',
    returns: 'currency',
    expression: { '*': [{ var: 'amount' }, { '/': [{ var: 'probability' }, 100] }] },
  },
  { name: 'tags', type: 'tags' },
];

export const deals: ModuleDoc = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: allTypeFields,
};

export const modules: ReadonlyMap<string, ModuleDoc> = new Map([
  ['accounts', accounts],
  ['deals', deals],
]);

export const resolveDeals = fieldResolver(deals, modules);

export const UUID_A = '0190f3a4-7b1c-7d2e-8f90-123456789abc';
export const UUID_B = '0190f3a4-7b1c-7d2e-8f90-cba987654321';

/** A deep copy, so a test may change a document without touching the others. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}
