import { describe, expect, it } from 'vitest';
import type { ModuleDoc, Problem } from '../src/index.js';
import {
  ajvProblems,
  createAjv,
  decimalPlaces,
  pointerToPath,
  recordInputSchema,
  recordOutputSchema,
} from '../src/index.js';
import { deals, UUID_A } from './fixtures.js';

const ajv = createAjv();
const createDeal = ajv.compile(recordInputSchema(deals, 'create'));
const patchDeal = ajv.compile(recordInputSchema(deals, 'patch'));

function createProblems(body: Record<string, unknown>): Problem[] {
  return createDeal(body) ? [] : ajvProblems(createDeal.errors);
}
function patchProblems(body: Record<string, unknown>): Problem[] {
  return patchDeal(body) ? [] : ajvProblems(patchDeal.errors);
}
const minimal = { name: 'Big deal' };

/** The single problem of creating a deal with `values` added to a minimal body. */
function oneProblem(values: Record<string, unknown>): Problem | undefined {
  const problems = createProblems({ ...minimal, ...values });
  expect(problems).toHaveLength(1);
  return problems[0];
}

describe('recordInputSchema: create', () => {
  it('accepts a minimal body and a full one', () => {
    expect(createProblems(minimal)).toEqual([]);
    expect(
      createProblems({
        name: 'Big deal',
        notes: 'line one\nline two',
        email: 'buyer@example.com',
        phone: '+1 (555) 123-4567',
        website: 'https://example.com/path?q=1',
        quantity: 3,
        ratio: 0.125,
        amount: 1234.5,
        probability: 12.5,
        active: false,
        close_date: '2024-02-29',
        closed_at: '2026-03-05T10:15:00+02:00',
        stage: 'won',
        regions: ['emea', 'apac'],
        account: UUID_A,
        manager: UUID_A,
        tags: ['vip', 'renewal'],
        owner_id: UUID_A,
        currency_code: 'EUR',
      }),
    ).toEqual([]);
  });

  it('requires required fields, naming them', () => {
    expect(createProblems({})).toMatchObject([{ path: 'name', message: 'is required' }]);
  });

  it('does not require a required field that has a default', () => {
    const mod: ModuleDoc = {
      kind: 'module',
      name: 'things',
      fields: [
        {
          name: 'status',
          type: 'picklist',
          required: true,
          default: 'a',
          options: [{ value: 'a' }],
        },
      ],
    };
    const validate = createAjv().compile(recordInputSchema(mod, 'create'));
    expect(validate({})).toBe(true);
    expect(validate({ status: null })).toBe(false);
  });

  it('refuses null and blank text for a required field', () => {
    expect(oneProblem({ name: null })?.path).toBe('name');
    expect(oneProblem({ name: '' })?.path).toBe('name');
  });

  it('refuses an empty list for a required multi-select', () => {
    const mod: ModuleDoc = {
      kind: 'module',
      name: 'things',
      fields: [
        { name: 'regions', type: 'multipicklist', required: true, options: [{ value: 'a' }] },
      ],
    };
    const validate = createAjv().compile(recordInputSchema(mod, 'create'));
    expect(validate({ regions: ['a'] })).toBe(true);
    expect(validate({ regions: [] })).toBe(false);
  });

  it('allows null for every optional field', () => {
    const nulls = Object.fromEntries(
      deals.fields
        .filter((f) => !f.required && f.type !== 'formula' && f.type !== 'autonumber')
        .map((f) => [f.name, null]),
    );
    expect(Object.keys(nulls)).toContain('regions');
    expect(createProblems({ ...minimal, ...nulls })).toEqual([]);
  });

  it('refuses unknown properties, naming them', () => {
    expect(createProblems({ ...minimal, colour: 'red', size: 3 })).toMatchObject([
      { path: 'colour', message: 'is not a known field' },
      { path: 'size', message: 'is not a known field' },
    ]);
  });

  it('refuses computed fields (formula, autonumber) and system columns on input', () => {
    expect(
      createProblems({ ...minimal, expected: 10, number: 'D-00001', id: UUID_A, version: 1 }).map(
        (p) => p.path,
      ),
    ).toEqual(['expected', 'number', 'id', 'version']);
  });

  it('enforces decimal scale', () => {
    expect(oneProblem({ amount: 1.234 })).toMatchObject({
      path: 'amount',
      message: 'has too many decimal places',
    });
    expect(createProblems({ ...minimal, amount: 1.23 })).toEqual([]);
    expect(createProblems({ ...minimal, amount: 12 })).toEqual([]);
    expect(oneProblem({ amount: 1e-7 })?.path).toBe('amount');
    expect(oneProblem({ probability: 0.001 })?.path).toBe('probability');
    // `ratio` has scale 3
    expect(createProblems({ ...minimal, ratio: 1.234 })).toEqual([]);
    expect(oneProblem({ ratio: 1.2345 })?.path).toBe('ratio');
  });

  it('enforces the range that precision allows', () => {
    expect(createProblems({ ...minimal, amount: 12345678901234.56 })).toEqual([]);
    expect(createProblems({ ...minimal, amount: -12345678901234.56 })).toEqual([]);
    // numeric(18,2) holds less than 1e16; 1e16 - 0.01 is not a double, so the bound must be exclusive
    expect(oneProblem({ amount: -1e16 })?.path).toBe('amount');
    expect(oneProblem({ amount: 1e16 })?.path).toBe('amount');
    expect(createProblems({ ...minimal, probability: 99999.99 })).toEqual([]);
    expect(oneProblem({ probability: 100000 })?.path).toBe('probability');
    expect(oneProblem({ ratio: 1e7 })?.path).toBe('ratio');
    expect(oneProblem({ amount: '12.50' })?.path).toBe('amount');
  });

  it('enforces integers and their minimum', () => {
    expect(oneProblem({ quantity: 1.5 })?.path).toBe('quantity');
    expect(oneProblem({ quantity: -1 })?.path).toBe('quantity');
    expect(oneProblem({ quantity: '3' })?.path).toBe('quantity');
    expect(createProblems({ ...minimal, quantity: 0 })).toEqual([]);
  });

  it.each([
    ['email', 'not-an-email'],
    ['email', 'a@'],
    ['website', 'example.com'],
    ['website', 'not a url'],
    ['phone', 'call me'],
    ['phone', '1'],
    ['close_date', '2026-02-30'],
    ['close_date', '05/03/2026'],
    ['close_date', '2026-03-05T10:00:00Z'],
    ['closed_at', '2026-03-05'],
    ['closed_at', '2026-03-05 noon'],
    ['active', 'yes'],
    ['account', 'acme'],
    ['manager', '12345'],
    ['name', 'x'.repeat(201)],
  ])('refuses %s = %j', (field, value) => {
    expect(oneProblem({ [field]: value })?.path).toBe(field);
  });

  it.each([
    ['email', 'first.last+crm@example.co.uk'],
    ['website', 'http://localhost:3000'],
    ['phone', '+86 10 1234 5678'],
    ['phone', '030/123-456'],
    ['close_date', '2026-12-31'],
    ['closed_at', '2026-03-05T10:00:00.123Z'],
    ['name', 'x'.repeat(200)],
    ['notes', 'x'.repeat(5000)],
  ])('accepts %s = %j', (field, value) => {
    expect(createProblems({ ...minimal, [field]: value })).toEqual([]);
  });

  it('refuses a picklist value that is not an option, listing the options', () => {
    expect(oneProblem({ stage: 'maybe' })).toMatchObject({
      path: 'stage',
      message: 'must be one of ["new","qualified","won","lost"]',
    });
  });

  it('checks each multi-select value and tag, naming its position', () => {
    expect(oneProblem({ regions: ['emea', 'mars'] })?.path).toBe('regions[1]');
    expect(oneProblem({ regions: ['emea', 'emea'] })?.path).toBe('regions');
    expect(oneProblem({ regions: 'emea' })?.path).toBe('regions');
    expect(oneProblem({ tags: ['vip', ''] })?.path).toBe('tags[1]');
    expect(oneProblem({ tags: ['vip', 'x'.repeat(65)] })?.path).toBe('tags[1]');
    expect(oneProblem({ tags: ['vip', 3] })?.path).toBe('tags[1]');
    expect(oneProblem({ tags: Array.from({ length: 101 }, (_, i) => `t${i}`) })?.path).toBe('tags');
    expect(
      createProblems({ ...minimal, tags: Array.from({ length: 100 }, (_, i) => `t${i}`) }),
    ).toEqual([]);
  });

  it('reports every problem at once', () => {
    expect(
      createProblems({ name: '', amount: 1.001, stage: 'x', tags: ['a', ''], colour: 1 })
        .map((p) => p.path)
        .sort(),
    ).toEqual(['amount', 'colour', 'name', 'stage', 'tags[1]']);
  });

  it('offers currency_code only on modules with money', () => {
    const mod: ModuleDoc = {
      kind: 'module',
      name: 'notes',
      fields: [{ name: 'body', type: 'text' }],
    };
    const validate = createAjv().compile(recordInputSchema(mod, 'create'));
    expect(validate({ body: 'x', currency_code: 'EUR' })).toBe(false);
    expect(oneProblem({ currency_code: 'eur' })?.path).toBe('currency_code');
  });
});

describe('recordInputSchema: patch', () => {
  it('requires version but no field', () => {
    expect(patchProblems({ version: 3 })).toEqual([]);
    expect(patchProblems({ amount: 5 })).toMatchObject([
      { path: 'version', message: 'is required' },
    ]);
    expect(patchProblems({ version: 0 }).map((p) => p.path)).toEqual(['version']);
  });

  it('still refuses a blank required field and computed fields', () => {
    expect(patchProblems({ version: 1, name: '' }).map((p) => p.path)).toEqual(['name']);
    expect(patchProblems({ version: 1, expected: 3 }).map((p) => p.path)).toEqual(['expected']);
  });
});

describe('recordOutputSchema', () => {
  it('describes system columns and computed fields as the API returns them', () => {
    const schema = recordOutputSchema(deals);
    expect(schema.required).toEqual(['id', 'version']);
    const validate = createAjv().compile(schema);
    const row = {
      id: UUID_A,
      version: 1,
      created_at: '2026-03-05T10:00:00.000Z',
      owner_id: UUID_A,
      deleted_at: null,
      name: 'x',
      number: 'D-00001',
      expected: 12.5,
      currency_code: 'EUR',
    };
    expect(validate(row)).toBe(true);
    expect(validate({ ...row, id: null })).toBe(false);
  });
});

describe('ajv helpers', () => {
  it('turns JSON pointers into API paths', () => {
    expect(pointerToPath('/fields/2/name')).toBe('fields[2].name');
    expect(pointerToPath('/fields/2/name', 'documents[0]')).toBe('documents[0].fields[2].name');
    expect(pointerToPath('/a~1b/c~0d')).toBe('a/b.c~d');
    expect(pointerToPath('')).toBe('');
  });

  it('counts decimal places as written', () => {
    expect(decimalPlaces(1)).toBe(0);
    expect(decimalPlaces(1.23)).toBe(2);
    expect(decimalPlaces(1e-7)).toBe(7);
    expect(decimalPlaces(1.5e-7)).toBe(8);
    expect(decimalPlaces(1e21)).toBe(0);
    expect(decimalPlaces(-0.5)).toBe(1);
  });

  it('names a root problem (root)', () => {
    const validate = createAjv().compile({ type: 'object' });
    expect(validate(3)).toBe(false);
    expect(ajvProblems(validate.errors)).toMatchObject([
      { path: '(root)', message: 'must be object' },
    ]);
    expect(ajvProblems(null)).toEqual([]);
  });
});
