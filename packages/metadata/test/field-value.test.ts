import { describe, expect, it } from 'vitest';
import {
  CURRENCY_CODES,
  createAjv,
  fieldColumns,
  fieldValue,
  isCurrencyCode,
  recordInputSchema,
} from '../src/index.js';

const ajv = createAjv();
const valid = (schema: object, value: unknown) => ajv.compile(schema)(value);

describe('fieldValue: one derivation of a field value', () => {
  it('a required field takes no null and no blank; an optional one takes null', () => {
    const required = fieldValue({ name: 'n', type: 'text', required: true });
    expect(valid(required.input, null)).toBe(false);
    expect(valid(required.input, '')).toBe(false);
    expect(valid(required.input, 'x')).toBe(true);
    const optional = fieldValue({ name: 'n', type: 'text' });
    expect(valid(optional.input, null)).toBe(true);
  });

  it('bounds numbers by the column; min/max only narrow them', () => {
    const money = fieldValue({ name: 'a', type: 'currency', max: 1e30, min: -1e30 });
    expect(money.column).toBe('numeric(18,2)');
    expect(valid(money.schema, 9999999999999998)).toBe(true);
    expect(valid(money.schema, 1e16)).toBe(false);
    expect(valid(money.schema, -1e16)).toBe(false);
    const narrow = fieldValue({ name: 'a', type: 'decimal', precision: 6, scale: 2, max: 50 });
    expect(valid(narrow.schema, 50)).toBe(true);
    expect(valid(narrow.schema, 50.01)).toBe(false);
    const int = fieldValue({ name: 'i', type: 'integer', max: 2 ** 60 });
    expect(valid(int.schema, Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(valid(int.schema, 2 ** 60)).toBe(false);
  });

  it('is what the record schema and the column spec use', () => {
    const module = {
      kind: 'module' as const,
      name: 'm',
      fields: [
        { name: 'a', type: 'currency' as const, precision: 10, scale: 4 },
        { name: 'b', type: 'text' as const, required: true },
      ],
    };
    const input = recordInputSchema(module, 'create').properties ?? {};
    for (const f of module.fields) expect(input[f.name]).toEqual(fieldValue(f).input);
    const columns = fieldColumns(module);
    for (const f of module.fields)
      expect(columns.find((c) => c.name === f.name)?.type).toBe(fieldValue(f).column);
  });

  it('record currencies are active ISO 4217 codes', () => {
    expect(isCurrencyCode('CNY')).toBe(true);
    expect(isCurrencyCode('XXQ')).toBe(false);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(isCurrencyCode('HRK')).toBe(false);
    expect(new Set(CURRENCY_CODES).size).toBe(CURRENCY_CODES.length);
    for (const c of CURRENCY_CODES) expect(c).toMatch(/^[A-Z]{3}$/);
    const schema = recordInputSchema(
      { kind: 'module', name: 'm', fields: [{ name: 'a', type: 'currency' }] },
      'create',
    );
    expect(valid(schema, { currency_code: 'EUR' })).toBe(true);
    expect(valid(schema, { currency_code: 'XXQ' })).toBe(false);
  });
});
