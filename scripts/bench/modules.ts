import type { FieldDef, ModuleDoc } from '@atrium/metadata';

/** The picklist values of `bench_deals.stage`; the seed spreads rows evenly over them. */
export const STAGES = ['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost'] as const;
export const SOURCES = ['web', 'referral', 'partner', 'event'] as const;
export const PRODUCTS = ['crm', 'support', 'marketing', 'analytics'] as const;

const options = (values: readonly string[]) => values.map((value) => ({ value }));

/** A small module the deals point to, so a lookup (with its foreign key) takes part. */
export const accountsModule: ModuleDoc = {
  kind: 'module',
  name: 'bench_accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'picklist', options: options(['software', 'retail', 'finance']) },
  ],
};

const dealFields: FieldDef[] = [
  { name: 'name', type: 'text', required: true },
  { name: 'contact_email', type: 'email' },
  { name: 'contact_phone', type: 'phone' },
  { name: 'stage', type: 'picklist', required: true, default: 'lead', options: options(STAGES) },
  { name: 'amount', type: 'currency', indexed: true },
  { name: 'quantity', type: 'integer', min: 0 },
  { name: 'discount', type: 'decimal', precision: 10, scale: 2 },
  { name: 'probability', type: 'percent' },
  { name: 'is_priority', type: 'boolean' },
  { name: 'close_date', type: 'date' },
  { name: 'next_call_at', type: 'datetime' },
  { name: 'products', type: 'multipicklist', options: options(PRODUCTS) },
  { name: 'labels', type: 'tags' },
  { name: 'description', type: 'textarea' },
  { name: 'website', type: 'url' },
  { name: 'account', type: 'lookup', target: 'bench_accounts' },
  {
    name: 'weighted_amount',
    type: 'formula',
    returns: 'currency',
    expression: { '*': [{ var: 'amount' }, { '/': [{ var: 'probability' }, 100] }] },
  },
  { name: 'source', type: 'picklist', options: options(SOURCES) },
  { name: 'region', type: 'text', maxLength: 40 },
  { name: 'score', type: 'integer', min: 0, max: 100 },
  { name: 'competitor', type: 'text' },
  { name: 'notes', type: 'text' },
];

/** 22 fields of 16 types (plus `currency_code` for the money fields) and one validation rule. */
export const dealsModule: ModuleDoc = {
  kind: 'module',
  name: 'bench_deals',
  recordName: 'name',
  defaultCurrency: 'USD',
  fields: dealFields,
  validationRules: [
    {
      name: 'amount_not_negative',
      when: { '<': [{ var: 'amount' }, 0] },
      message: { en: 'The amount cannot be negative', 'zh-CN': '金额不能为负数' },
      field: 'amount',
    },
  ],
};

/** The deals module with one more field, for the add-field timing. */
export function withField(field: FieldDef, base: ModuleDoc = dealsModule): ModuleDoc {
  return { ...base, fields: [...base.fields, field] };
}

/** The list screen of the deals: the view the web app opens, with the columns it shows. */
export const dealsView = {
  kind: 'view',
  module: 'bench_deals',
  name: 'bench_pipeline',
  label: { en: 'Pipeline', 'zh-CN': '销售管道' },
  type: 'table',
  columns: ['name', 'stage', 'amount', 'close_date', 'account', 'owner_id'],
};
