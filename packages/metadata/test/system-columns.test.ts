import { describe, expect, it } from 'vitest';
import {
  fieldColumns,
  type ModuleDoc,
  nameProblem,
  SYSTEM_COLUMN_SPECS,
  SYSTEM_COLUMNS,
  systemFields,
  UNTRACKED_SYSTEM_COLUMNS,
} from '../src/index.js';

const plain: ModuleDoc = {
  kind: 'module',
  name: 'notes',
  fields: [{ name: 'title', type: 'text' }],
};
const money: ModuleDoc = {
  ...plain,
  name: 'deals',
  fields: [{ name: 'amount', type: 'currency' }],
};

describe('system columns, written once', () => {
  it('gives tables, fields and reserved names the same columns', () => {
    const stored = (m: ModuleDoc) =>
      [...SYSTEM_COLUMN_SPECS, ...fieldColumns(m)]
        .map((c) => c.name)
        .filter((n) => n !== 'title' && n !== 'amount');
    expect(stored(money)).toEqual([...SYSTEM_COLUMNS]);
    expect(systemFields(money).map((f) => f.name)).toEqual([...SYSTEM_COLUMNS]);
    expect(stored(plain)).toEqual(SYSTEM_COLUMNS.filter((c) => c !== 'currency_code'));
    expect(systemFields(plain).map((f) => f.name)).toEqual(stored(plain));
    for (const name of SYSTEM_COLUMNS) expect(nameProblem(name, 'field')).toMatch(/system column/);
  });

  it('makes id a lookup to its own module, and keeps bookkeeping out of history', () => {
    expect(systemFields(money)[0]).toMatchObject({ name: 'id', type: 'lookup', target: 'deals' });
    expect(UNTRACKED_SYSTEM_COLUMNS.has('version')).toBe(true);
    expect(UNTRACKED_SYSTEM_COLUMNS.has('owner_id')).toBe(false);
    expect(UNTRACKED_SYSTEM_COLUMNS.has('currency_code')).toBe(false);
  });
});
