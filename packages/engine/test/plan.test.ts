import type { FieldDef, LayoutDoc, MetadataDoc, ModuleDoc, ViewDoc } from '@atrium/metadata';
import { describe, expect, it } from 'vitest';
import { isWidening, type Plan, type PlannedStep, plan, type Step } from '../src/meta/plan.js';

const ON = { trigram: true };
const OFF = { trigram: false };

const accounts: ModuleDoc = {
  kind: 'module',
  name: 'accounts',
  label: { en: 'Accounts' },
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'industry', type: 'picklist', options: [{ value: 'tech' }, { value: 'retail' }] },
    { name: 'employees', type: 'integer' },
  ],
};

const deals: ModuleDoc = {
  kind: 'module',
  name: 'deals',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text' },
    { name: 'amount', type: 'currency' },
    { name: 'account', type: 'lookup', target: 'accounts', onDelete: 'cascade' },
    { name: 'manager', type: 'user' },
    { name: 'tags', type: 'tags' },
    { name: 'code', type: 'text', unique: true },
    { name: 'number', type: 'autonumber', prefix: 'D-', digits: 4 },
  ],
};

const dealsTable: ViewDoc = {
  kind: 'view',
  module: 'deals',
  name: 'all',
  type: 'table',
  columns: ['title', 'amount'],
};
const dealsLayout: LayoutDoc = {
  kind: 'layout',
  module: 'deals',
  name: 'standard',
  sections: [{ fields: ['title'] }],
};

const clone = <T>(v: T): T => structuredClone(v);
const kinds = (p: Plan) => p.steps.map((s) => s.step.kind);
const find = (p: Plan, kind: Step['kind'], column?: string): PlannedStep[] =>
  p.steps.filter(
    (s) =>
      s.step.kind === kind &&
      (column === undefined ||
        ('column' in s.step &&
          (typeof s.step.column === 'string' ? s.step.column : s.step.column.name) === column)),
  );
const one = (p: Plan, kind: Step['kind'], column?: string): PlannedStep => {
  const found = find(p, kind, column);
  expect(found, `${kind} ${column ?? ''}`).toHaveLength(1);
  return found[0] as PlannedStep;
};
const indexOfStep = (p: Plan, kind: Step['kind'], column?: string) =>
  p.steps.indexOf(one(p, kind, column));

/** A copy of `m` with field `name` replaced (or removed when `field` is null). */
function withField(m: ModuleDoc, name: string, field: Partial<FieldDef> | null): ModuleDoc {
  const copy = clone(m);
  copy.fields = copy.fields.flatMap((f) =>
    f.name !== name ? [f] : field === null ? [] : [{ ...f, ...field } as FieldDef],
  );
  return copy;
}

function numeric(field: Partial<FieldDef>): ModuleDoc {
  return {
    kind: 'module',
    name: 'm',
    fields: [{ name: 'x', type: 'decimal', ...field } as FieldDef],
  };
}

describe('plan: a new module', () => {
  const p = plan([], [accounts], ON);

  it('creates the table with a column per field and its registry type', () => {
    const create = one(p, 'create_table');
    expect(create.destructive).toBe(false);
    const step = create.step as Extract<Step, { kind: 'create_table' }>;
    expect(step.module).toBe('accounts');
    expect(step.columns.map((c) => [c.name, c.type])).toEqual([
      ['name', 'text'],
      ['industry', 'text'],
      ['employees', 'bigint'],
    ]);
  });

  it('indexes picklists (btree) and the record name (trigram), and stores the document last', () => {
    expect(kinds(p)).toEqual(['create_table', 'create_index', 'create_index', 'put_document']);
    const index = (c: string) =>
      (one(p, 'create_index', c).step as Extract<Step, { kind: 'create_index' }>).column.index;
    expect(index('name')).toBe('trgm');
    expect(index('industry')).toBe('btree');
    expect(find(p, 'create_index', 'employees')).toEqual([]);
    expect(p.steps.at(-1)?.step).toEqual({
      kind: 'put_document',
      key: 'module:accounts',
      document: accounts,
    });
    expect(p.destructive).toBe(false);
  });

  it('leaves the trigram index out when pg_trgm is missing', () => {
    const q = plan([], [accounts], OFF);
    expect(find(q, 'create_index', 'name')).toEqual([]);
    expect(find(q, 'create_index', 'industry')).toHaveLength(1);
  });

  it('adds foreign keys, unique and GIN indexes and autonumbers for a module with references', () => {
    const q = plan([], [accounts, deals], ON);
    const fk = one(q, 'add_foreign_key', 'account').step as Extract<
      Step,
      { kind: 'add_foreign_key' }
    >;
    expect(fk.module).toBe('deals');
    expect(fk.column.references).toEqual({ module: 'accounts', onDelete: 'cascade' });
    const userFk = one(q, 'add_foreign_key', 'manager').step as Extract<
      Step,
      { kind: 'add_foreign_key' }
    >;
    expect(userFk.column.references).toEqual({ users: true });
    const idx = (c: string) =>
      (one(q, 'create_index', c).step as Extract<Step, { kind: 'create_index' }>).column.index;
    expect(idx('account')).toBe('btree');
    expect(idx('manager')).toBe('btree');
    expect(idx('tags')).toBe('gin');
    expect(idx('code')).toBe('unique');
    expect(idx('number')).toBe('unique');
    expect(idx('title')).toBe('trgm');
    const auto = one(q, 'set_autonumber', 'number').step as Extract<
      Step,
      { kind: 'set_autonumber' }
    >;
    expect(auto.column.autonumber).toEqual({ prefix: 'D-', digits: 4 });
    // Money is stored with its currency.
    const table = q.steps.find((s) => s.step.kind === 'create_table' && s.step.module === 'deals')
      ?.step as Extract<Step, { kind: 'create_table' }>;
    expect(table.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      'title text',
      'amount numeric(18,2)',
      'account uuid',
      'manager uuid',
      'tags text[]',
      'code text',
      'number text',
      'currency_code text',
    ]);
    expect(q.destructive).toBe(false);
  });

  it('creates every table before any foreign key, whatever order the documents come in', () => {
    const q = plan([], [deals, accounts], ON);
    const lastCreate = Math.max(
      ...q.steps.flatMap((s, i) => (s.step.kind === 'create_table' ? [i] : [])),
    );
    const firstFk = q.steps.findIndex((s) => s.step.kind === 'add_foreign_key');
    expect(firstFk).toBeGreaterThan(lastCreate);
    expect(find(q, 'create_table')).toHaveLength(2);
  });
});

describe('plan: changing a module', () => {
  it('finds nothing to do for identical documents, in any key order', () => {
    expect(plan([accounts, deals, dealsTable], [accounts, deals, dealsTable], ON)).toEqual({
      steps: [],
      destructive: false,
    });
    const reversed = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reversed)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reversed(x)]),
            )
          : v;
    const reordered = reversed(accounts) as ModuleDoc;
    expect(Object.keys(reordered)[0]).toBe('fields');
    expect(plan([accounts], [reordered], ON).steps).toEqual([]);
  });

  it('adds a column for a new field, without anything destructive', () => {
    const next = clone(accounts);
    next.fields.push({ name: 'founded', type: 'date' });
    const p = plan([accounts], [next], ON);
    expect(kinds(p)).toEqual(['add_column', 'put_document']);
    expect(one(p, 'add_column', 'founded').step).toMatchObject({
      module: 'accounts',
      column: { name: 'founded', type: 'date' },
    });
    expect(p.destructive).toBe(false);
  });

  it('adds the foreign key and index of a new lookup after the column', () => {
    const next = clone(deals);
    next.fields.push({ name: 'partner', type: 'lookup', target: 'accounts' });
    const p = plan([accounts, deals], [accounts, next], ON);
    expect(kinds(p)).toEqual(['add_column', 'add_foreign_key', 'create_index', 'put_document']);
    expect(one(p, 'add_foreign_key', 'partner').step).toMatchObject({
      column: { references: { module: 'accounts', onDelete: 'set_null' } },
    });
    expect(p.destructive).toBe(false);
  });

  it('drops a removed field (destructive, kept in the trash) after dropping its key and index', () => {
    const p = plan([accounts, deals], [accounts, withField(deals, 'account', null)], ON);
    expect(kinds(p)).toEqual(['drop_foreign_key', 'drop_index', 'drop_column', 'put_document']);
    const drop = one(p, 'drop_column', 'account');
    expect(drop.destructive).toBe(true);
    expect(drop.summary).toMatch(/trash/);
    expect(one(p, 'drop_foreign_key', 'account').destructive).toBe(false);
    expect(one(p, 'drop_index', 'account').destructive).toBe(false);
    expect(p.destructive).toBe(true);
  });

  it('drops a plain removed field without touching indexes', () => {
    const p = plan([accounts], [withField(accounts, 'employees', null)], ON);
    expect(kinds(p)).toEqual(['drop_column', 'put_document']);
    expect(p.destructive).toBe(true);
  });

  it('drops a removed module (destructive) and its documents', () => {
    const p = plan([accounts, deals, dealsTable, dealsLayout], [accounts], ON);
    expect(kinds(p)).toEqual([
      'drop_table',
      'delete_document',
      'delete_document',
      'delete_document',
    ]);
    expect(one(p, 'drop_table').step).toEqual({ kind: 'drop_table', module: 'deals' });
    expect(one(p, 'drop_table').destructive).toBe(true);
    expect(
      find(p, 'delete_document')
        .map((s) => (s.step as { key: string }).key)
        .sort(),
    ).toEqual(['layout:deals.standard', 'module:deals', 'view:deals.all']);
    expect(find(p, 'delete_document').every((s) => !s.destructive)).toBe(true);
    expect(p.destructive).toBe(true);
  });

  it('only rewrites the document when labels, options or presentation change', () => {
    const next = clone(accounts);
    next.label = { en: 'Companies', 'zh-CN': '公司' };
    next.fields[0] = {
      ...(next.fields[0] as FieldDef),
      label: { en: 'Company name' },
      required: false,
      maxLength: 100,
    };
    next.fields[1] = {
      ...(next.fields[1] as FieldDef),
      options: [{ value: 'tech', color: '#00ff00' }, { value: 'energy' }],
    };
    const p = plan([accounts], [next], ON);
    // A shorter maxLength and a removed option are checked against the stored values first.
    expect(kinds(p)).toEqual(['check_values', 'check_values', 'put_document']);
    expect(one(p, 'check_values', 'name').step).toMatchObject({
      checks: [{ rule: 'maxLength', max: 100 }],
    });
    expect(one(p, 'check_values', 'industry').step).toMatchObject({
      checks: [{ rule: 'options', allowed: ['tech', 'energy'] }],
    });
    expect(p.steps[2]?.step).toEqual({
      kind: 'put_document',
      key: 'module:accounts',
      document: next,
    });
    expect(p.destructive).toBe(false);
  });

  it('writes changed and new views and layouts as documents only', () => {
    const view = { ...dealsTable, columns: ['title'] };
    const p = plan([accounts, deals, dealsTable], [accounts, deals, view, dealsLayout], ON);
    expect(p.steps.map((s) => [s.step.kind, 'key' in s.step ? s.step.key : ''])).toEqual([
      ['put_document', 'view:deals.all'],
      ['put_document', 'layout:deals.standard'],
    ]);
    expect(p.steps.map((s) => s.summary)).toEqual([
      'update view:deals.all',
      'add layout:deals.standard',
    ]);
  });

  it('moves the index when a field becomes unique', () => {
    const p = plan([accounts], [withField(accounts, 'employees', { unique: true })], ON);
    expect(kinds(p)).toEqual(['check_values', 'create_index', 'put_document']);
    expect(one(p, 'check_values', 'employees').step).toMatchObject({
      checks: [{ rule: 'unique' }],
    });
    expect(one(p, 'create_index', 'employees').step).toMatchObject({ column: { index: 'unique' } });
    const back = plan([withField(accounts, 'employees', { unique: true })], [accounts], ON);
    expect(kinds(back)).toEqual(['drop_index', 'put_document']);
    expect(back.destructive).toBe(false);
  });

  it('replaces the foreign key when a lookup changes its onDelete', () => {
    const p = plan(
      [accounts, deals],
      [accounts, withField(deals, 'account', { onDelete: 'restrict' })],
      ON,
    );
    expect(kinds(p)).toEqual(['drop_foreign_key', 'add_foreign_key', 'put_document']);
    expect(p.destructive).toBe(false);
  });
});

describe('plan: type changes', () => {
  const change = (from: Partial<FieldDef>, to: Partial<FieldDef>) =>
    plan([numeric(from)], [numeric(to)], OFF);
  const alter = (p: Plan) => one(p, 'alter_column_type', 'x');

  it('widens integer to a decimal with room for every bigint', () => {
    const p = change({ type: 'integer' }, { type: 'decimal', precision: 21, scale: 2 });
    expect(alter(p).step).toEqual({
      kind: 'alter_column_type',
      module: 'm',
      column: 'x',
      from: 'bigint',
      to: 'numeric(21,2)',
    });
    expect(alter(p).destructive).toBe(false);
    expect(p.destructive).toBe(false);
    expect(
      change({ type: 'integer' }, { type: 'decimal', precision: 20, scale: 0 }).destructive,
    ).toBe(false);
  });

  it('flags integer to a decimal too small for bigint as destructive', () => {
    const p = change({ type: 'integer' }, { type: 'decimal' });
    expect(alter(p).step).toMatchObject({ from: 'bigint', to: 'numeric(18,2)' });
    expect(p.destructive).toBe(true);
    expect(alter(p).summary).toMatch(/do not fit/);
  });

  it('widens a decimal when its precision grows', () => {
    const p = change({ precision: 10, scale: 2 }, { precision: 14, scale: 2 });
    expect(alter(p).step).toMatchObject({ from: 'numeric(10,2)', to: 'numeric(14,2)' });
    expect(p.destructive).toBe(false);
    expect(change({ precision: 10, scale: 2 }, { precision: 12, scale: 4 }).destructive).toBe(
      false,
    );
  });

  it('narrows a decimal when precision or scale shrink', () => {
    expect(change({ precision: 14, scale: 2 }, { precision: 10, scale: 2 }).destructive).toBe(true);
    expect(change({ precision: 10, scale: 4 }, { precision: 10, scale: 2 }).destructive).toBe(true);
    // More scale at the same precision leaves fewer whole digits.
    expect(change({ precision: 10, scale: 2 }, { precision: 10, scale: 4 }).destructive).toBe(true);
  });

  it('narrows decimal to integer and text to integer', () => {
    const toInt = change({ type: 'decimal' }, { type: 'integer' });
    expect(alter(toInt).step).toMatchObject({ from: 'numeric(18,2)', to: 'bigint' });
    expect(toInt.destructive).toBe(true);
    const textToInt = change({ type: 'text' }, { type: 'integer' });
    expect(alter(textToInt).step).toMatchObject({ from: 'text', to: 'bigint' });
    expect(alter(textToInt).destructive).toBe(true);
  });

  it('widens anything scalar to text', () => {
    for (const type of ['integer', 'decimal', 'date', 'boolean', 'datetime'] as const) {
      const p = change({ type }, { type: 'text' });
      expect(alter(p).step).toMatchObject({ to: 'text' });
      expect(p.destructive, type).toBe(false);
    }
  });

  it('does not change the column between text-stored types', () => {
    const p = change({ type: 'text' }, { type: 'email' });
    expect(find(p, 'alter_column_type')).toEqual([]);
    // An e-mail holds at most 254 characters, a text 255.
    expect(kinds(p)).toEqual(['check_values', 'put_document']);
  });

  it('rebuilds the index around a type change of an indexed field', () => {
    const p = change({ type: 'integer', indexed: true }, { type: 'text', indexed: true });
    expect(kinds(p)).toEqual(['drop_index', 'alter_column_type', 'create_index', 'put_document']);
    expect(p.destructive).toBe(false);
  });

  it('drops and re-adds the foreign key when a lookup changes target', () => {
    const other: ModuleDoc = { kind: 'module', name: 'partners', fields: [] };
    const p = plan(
      [accounts, other, deals],
      [accounts, other, withField(deals, 'account', { target: 'partners' })],
      ON,
    );
    expect(kinds(p)).toEqual(['drop_foreign_key', 'add_foreign_key', 'put_document']);
    expect(indexOfStep(p, 'drop_foreign_key', 'account')).toBeLessThan(
      indexOfStep(p, 'add_foreign_key', 'account'),
    );
  });
});

describe('plan: step order', () => {
  it('drops keys and indexes first, then creates, alters, links, indexes, drops data, and writes documents last', () => {
    const nextAccounts = withField(
      withField(accounts, 'employees', { type: 'text' }),
      'industry',
      null,
    );
    const nextDeals = withField(deals, 'account', null);
    nextDeals.fields.push({ name: 'contact', type: 'lookup', target: 'contacts' });
    const contacts: ModuleDoc = {
      kind: 'module',
      name: 'contacts',
      fields: [{ name: 'email', type: 'email' }],
    };
    const current: MetadataDoc[] = [accounts, deals, dealsTable];
    const p = plan(current, [nextAccounts, nextDeals, contacts], ON);
    const order = [
      'check_values',
      'drop_foreign_key',
      'drop_index',
      'create_table',
      'add_column',
      'alter_column_type',
      'set_autonumber',
      'add_foreign_key',
      'create_index',
      'drop_column',
      'drop_table',
      'put_document',
      'delete_document',
    ];
    const ranks = kinds(p).map((k) => order.indexOf(k));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(new Set(kinds(p))).toEqual(
      new Set([
        'drop_foreign_key',
        'drop_index',
        'create_table',
        'add_column',
        'alter_column_type',
        'add_foreign_key',
        'create_index',
        'drop_column',
        'put_document',
        'delete_document',
      ]),
    );
    // The new lookup's key needs the new table: create_table comes first.
    expect(indexOfStep(p, 'create_table')).toBeLessThan(
      indexOfStep(p, 'add_foreign_key', 'contact'),
    );
    expect(
      p.steps
        .slice(-4)
        .every((s) => s.step.kind === 'put_document' || s.step.kind === 'delete_document'),
    ).toBe(true);
    expect(p.destructive).toBe(true);
    expect(p.steps.filter((s) => s.destructive).map((s) => s.step.kind)).toEqual([
      'drop_column',
      'drop_column',
    ]);
  });

  it('is pure: the same input gives the same plan and the inputs are left untouched', () => {
    const before = JSON.stringify([accounts, deals]);
    const a = plan([accounts], [accounts, deals], ON);
    const b = plan([accounts], [accounts, deals], ON);
    expect(a).toEqual(b);
    expect(JSON.stringify([accounts, deals])).toBe(before);
  });
});

describe('isWidening', () => {
  it.each([
    ['bigint', 'text', true],
    ['numeric(18,2)', 'text', true],
    ['date', 'text', true],
    ['boolean', 'text', true],
    ['uuid', 'text', true],
    ['timestamptz(3)', 'text', true],
    ['text[]', 'text', false],
    ['bigint', 'numeric(19,0)', true],
    ['bigint', 'numeric(21,2)', true],
    ['bigint', 'numeric(20,2)', false],
    ['bigint', 'numeric(18,2)', false],
    ['numeric(10,2)', 'numeric(12,2)', true],
    ['numeric(10,2)', 'numeric(10,2)', true],
    ['numeric(10,2)', 'numeric(12,4)', true],
    ['numeric(10,2)', 'numeric(11,3)', true],
    ['numeric(10,2)', 'numeric(10,3)', false],
    ['numeric(12,2)', 'numeric(10,2)', false],
    ['numeric(10,4)', 'numeric(10,2)', false],
    ['numeric(18,2)', 'bigint', false],
    ['text', 'bigint', false],
    ['text', 'numeric(18,2)', false],
    ['text', 'uuid', false],
    ['text', 'date', false],
    ['text', 'text[]', false],
    ['date', 'timestamptz(3)', false],
    ['boolean', 'bigint', false],
  ])('%s → %s: %s', (from, to, widening) => {
    expect(isWidening(from, to)).toBe(widening);
  });
});

describe('plan: bringing dropped data back', () => {
  const notes: ModuleDoc = {
    kind: 'module',
    name: 'notes',
    fields: [
      { name: 'body', type: 'text', searchable: true },
      { name: 'tags', type: 'tags' },
    ],
  };
  const bare: ModuleDoc = { ...notes, fields: [{ name: 'body', type: 'text', searchable: true }] };
  const kinds = (p: Plan) => p.steps.map((s) => s.step.kind);

  it('restores a field from the trash instead of adding an empty column, then re-indexes it', () => {
    const p = plan([bare], [notes], { ...ON, restorable: new Map([['notes.tags', 4]]) });
    expect(kinds(p)).toEqual(['restore_column', 'create_index', 'put_document']);
    expect(p.steps[0]?.summary).toMatch(/revision 4/);
    expect(p.destructive).toBe(false);
  });

  it('restores a module table whole: no new table, no new indexes', () => {
    const p = plan([], [notes], { ...ON, restorable: new Map([['notes', 9]]) });
    expect(kinds(p)).toEqual(['restore_table', 'put_document']);
  });

  it('adds fresh columns when nothing is restorable', () => {
    expect(kinds(plan([bare], [notes], ON))).toEqual([
      'add_column',
      'create_index',
      'put_document',
    ]);
  });
});

describe('plan: index rule', () => {
  const module = (fields: FieldDef[]): ModuleDoc => ({
    kind: 'module',
    name: 'things',
    recordName: 'name',
    fields: [...fields, { name: 'target', type: 'text' }],
  });
  const indexed = (p: Plan) =>
    find(p, 'create_index').map((s) => {
      const step = s.step as Extract<Step, { kind: 'create_index' }>;
      return [step.column.name, step.column.index];
    });

  it('honours indexed: false for every type that has a default index', () => {
    const off = (f: FieldDef): FieldDef => ({ ...f, indexed: false });
    const fields: FieldDef[] = [
      { name: 'name', type: 'text' },
      { name: 'stage', type: 'picklist', options: [{ value: 'a' }] },
      { name: 'colours', type: 'multipicklist', options: [{ value: 'red' }] },
      { name: 'tags', type: 'tags' },
      { name: 'link', type: 'lookup', target: 'things' },
      { name: 'manager', type: 'user' },
      { name: 'number', type: 'autonumber' },
      { name: 'email', type: 'email' },
    ];
    expect(indexed(plan([], [module(fields)], ON))).toEqual([
      ['name', 'trgm'],
      ['stage', 'btree'],
      ['colours', 'gin'],
      ['tags', 'gin'],
      ['link', 'btree'],
      ['manager', 'btree'],
      ['number', 'unique'],
      ['email', 'trgm'],
    ]);
    const p = plan([], [module(fields.map(off))], ON);
    expect(indexed(p)).toEqual([]);
    // The lookup keeps its foreign key: integrity does not depend on the index.
    expect(find(p, 'add_foreign_key', 'link')).toHaveLength(1);
  });

  it('drops a picklist index when the field says indexed: false, and unique still wins', () => {
    const stage: FieldDef = { name: 'stage', type: 'picklist', options: [{ value: 'a' }] };
    const p = plan([module([stage])], [module([{ ...stage, indexed: false }])], ON);
    expect(kinds(p)).toEqual(['drop_index', 'put_document']);
    const unique = plan([], [module([{ ...stage, indexed: false, unique: true }])], ON);
    expect(indexed(unique)).toContainEqual(['stage', 'unique']);
  });

  it('gives indexed: true a btree, or GIN for a list', () => {
    const p = plan([], [module([{ name: 'n', type: 'integer', indexed: true }])], OFF);
    expect(indexed(p)).toEqual([['n', 'btree']]);
  });
});

describe('plan: renames', () => {
  const base: ModuleDoc = {
    kind: 'module',
    name: 'deals',
    fields: [
      { name: 'stage', type: 'picklist', options: [{ value: 'a' }] },
      { name: 'owner2', type: 'user' },
      { name: 'amount', type: 'integer' },
    ],
  };
  const renamed = withField(base, 'stage', { name: 'phase', renamedFrom: 'stage' });

  it('renames the column, keeping its index, instead of dropping and adding', () => {
    const p = plan([base], [renamed], ON);
    expect(kinds(p)).toEqual(['rename_column', 'put_document']);
    expect(p.steps[0]?.step).toMatchObject({
      kind: 'rename_column',
      module: 'deals',
      from: { name: 'stage', index: 'btree' },
      to: 'phase',
    });
    expect(p.destructive).toBe(false);
  });

  it('diffs the renamed column like any other: a type change after the rename', () => {
    const p = plan(
      [base],
      [
        withField(base, 'amount', {
          name: 'total',
          renamedFrom: 'amount',
          type: 'decimal',
          precision: 30,
          scale: 2,
        }),
      ],
      ON,
    );
    expect(kinds(p)).toEqual(['rename_column', 'alter_column_type', 'put_document']);
    expect(one(p, 'alter_column_type', 'total').step).toMatchObject({ from: 'bigint' });
  });

  it('ignores renamedFrom once the old column is gone (applying twice changes nothing)', () => {
    expect(kinds(plan([renamed], [renamed], ON))).toEqual([]);
    // On a fresh workspace it is a plain new field.
    expect(kinds(plan([], [renamed], ON))).not.toContain('rename_column');
  });

  it('takes renames from the options, as a revert does', () => {
    const p = plan([renamed], [base], { ...ON, renames: new Map([['deals.stage', 'phase']]) });
    expect(kinds(p)).toEqual(['rename_column', 'put_document']);
    expect(p.steps[0]?.step).toMatchObject({ from: { name: 'phase' }, to: 'stage' });
  });
});

describe('plan: values already stored', () => {
  const base: ModuleDoc = {
    kind: 'module',
    name: 'deals',
    fields: [
      { name: 'stage', type: 'picklist', options: [{ value: 'a' }, { value: 'b' }] },
      { name: 'score', type: 'integer', min: 0, max: 100 },
      { name: 'note', type: 'text' },
    ],
  };
  const checks = (p: Plan, column: string) =>
    (one(p, 'check_values', column).step as Extract<Step, { kind: 'check_values' }>).checks;

  it('checks emptiness for a field that becomes required or is added required', () => {
    const p = plan(
      [base],
      [
        {
          ...withField(base, 'note', { required: true }),
          fields: [
            ...withField(base, 'note', { required: true }).fields,
            { name: 'region', type: 'text', required: true },
          ],
        },
      ],
      ON,
    );
    expect(checks(p, 'note')).toEqual([{ rule: 'required' }]);
    expect(one(p, 'check_values', 'region').step).toMatchObject({ stored: null });
  });

  it('checks a narrower range, removed options and a narrowing type', () => {
    const next = withField(
      withField(withField(base, 'score', { min: 10 }), 'stage', { options: [{ value: 'a' }] }),
      'note',
      { type: 'integer' },
    );
    const p = plan([base], [next], ON);
    expect(checks(p, 'score')).toEqual([{ rule: 'range', min: 10, max: 100 }]);
    expect(checks(p, 'stage')).toEqual([{ rule: 'options', allowed: ['a'] }]);
    expect(checks(p, 'note')).toEqual([{ rule: 'type', from: 'text', to: 'bigint' }]);
    // Adding an option or widening a range checks nothing.
    const wider = withField(withField(base, 'score', { max: 1000 }), 'stage', {
      options: [{ value: 'a' }, { value: 'b' }, { value: 'c' }],
    });
    expect(find(plan([base], [wider], ON), 'check_values')).toEqual([]);
  });

  it('turns resolutions into data steps after the columns exist and before the indexes', () => {
    const next = withField(
      withField(base, 'stage', { options: [{ value: 'a' }], unique: true }),
      'note',
      { required: true },
    );
    const p = plan([base], [next], {
      ...ON,
      resolutions: { 'deals.stage': { map: { b: 'a' } }, 'deals.note': { fill: '-' } },
    });
    expect(kinds(p)).toEqual([
      'check_values',
      'check_values',
      'drop_index',
      'fill_values',
      'map_values',
      'create_index',
      'put_document',
    ]);
    expect(one(p, 'map_values', 'stage').step).toMatchObject({ map: { b: 'a' } });
    expect(one(p, 'fill_values', 'note').step).toMatchObject({ value: '-' });
  });
});

describe('plan: sort indexes for text in the chosen collation', () => {
  const ICU = { trigram: true, sortCollation: 'und-x-icu' };

  it('indexes the record name and indexed text on its sort expression, when the collation exists', () => {
    const withCode: ModuleDoc = {
      ...clone(accounts),
      fields: [...accounts.fields, { name: 'code', type: 'text', indexed: true }],
    };
    const p = plan([], [withCode], ICU);
    expect(find(p, 'create_sort_index').map((s) => s.step)).toEqual([
      expect.objectContaining({
        column: expect.objectContaining({ name: 'name' }),
        collation: 'und-x-icu',
      }),
      expect.objectContaining({ column: expect.objectContaining({ name: 'code' }) }),
    ]);
    // no collation on the server: none, and no plan mentions them
    expect(find(plan([], [withCode], ON), 'create_sort_index')).toEqual([]);
    expect(plan([withCode], [withCode], ICU).steps).toEqual([]);
  });

  it('drops it with indexed:false or with the field, before the column goes', () => {
    const off: ModuleDoc = {
      ...clone(accounts),
      fields: accounts.fields.map((f) => (f.name === 'name' ? { ...f, indexed: false } : f)),
    };
    expect(kinds(plan([accounts], [off], ICU))).toEqual([
      'drop_index',
      'drop_sort_index',
      'put_document',
    ]);
    const renamedName: ModuleDoc = { ...clone(accounts), recordName: 'employees' };
    expect(find(plan([accounts], [renamedName], ICU), 'drop_sort_index', 'name')).toHaveLength(1);
  });
});
