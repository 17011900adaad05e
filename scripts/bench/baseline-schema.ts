/** The stages a deal can be in (the picklist of `bench_deals.stage`). */
export const STAGES = new Set(['lead', 'qualified', 'proposal', 'negotiation', 'won', 'lost']);

const str = (maxLength: number, extra: Record<string, unknown> = {}) => ({
  type: ['string', 'null'],
  maxLength,
  ...extra,
});
const money = (bounds: Record<string, number>) => ({
  type: ['number', 'null'],
  ...bounds,
  decimalScale: 2,
});
const options = (values: string[]) => ({ type: ['string', 'null'], enum: [...values, null] });

/**
 * The body of POST /bench/deals, written out by hand: what the engine derives from the
 * `bench_deals` metadata (recordInputSchema), so both sides validate the same things.
 */
export const dealCreateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 255, minLength: 1 },
    contact_email: str(254, { format: 'email' }),
    contact_phone: str(40, { pattern: '^\\+?[0-9][0-9 ()./-]{1,38}$' }),
    stage: { type: 'string', enum: [...STAGES] },
    // numeric(18,2): ±(1e16 - 0.01) is 1e16 as a double, so the bound is exclusive.
    amount: money({ exclusiveMinimum: -1e16, exclusiveMaximum: 1e16 }),
    quantity: { type: ['integer', 'null'], minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    discount: money({ minimum: -99999999.99, maximum: 99999999.99 }),
    probability: money({ minimum: -99999.99, maximum: 99999.99 }),
    is_priority: { type: ['boolean', 'null'] },
    close_date: { type: ['string', 'null'], format: 'date' },
    next_call_at: { type: ['string', 'null'], format: 'date-time' },
    products: {
      type: ['array', 'null'],
      items: { type: 'string', enum: ['crm', 'support', 'marketing', 'analytics'] },
      uniqueItems: true,
    },
    labels: {
      type: ['array', 'null'],
      items: { type: 'string', minLength: 1, maxLength: 64 },
      uniqueItems: true,
      maxItems: 100,
    },
    description: str(32000),
    website: str(2048, { format: 'uri' }),
    account: { type: ['string', 'null'], format: 'uuid' },
    source: options(['web', 'referral', 'partner', 'event']),
    region: str(40),
    score: { type: ['integer', 'null'], minimum: 0, maximum: 100 },
    competitor: str(255),
    notes: str(255),
    owner_id: { type: 'string', format: 'uuid' },
    currency_code: { type: 'string', pattern: '^[A-Z]{3}$' },
  },
};
