import { describe, expect, it } from 'vitest';
import type { FieldDef, ModuleDoc } from '../src/index.js';
import { checkDocuments, FIELD_TYPES } from '../src/index.js';
import { accounts, clone, deals } from './fixtures.js';

/** A module with the given fields, named `things`. */
function moduleWith(...fields: unknown[]): Record<string, unknown> {
  return { kind: 'module', name: 'things', fields };
}

function paths(input: unknown[]): string[] {
  return checkDocuments(input).problems.map((p) => p.path);
}

/** Exactly one problem, at `path`, whose message matches `message`. */
function expectOneProblem(input: unknown[], path: string, message?: RegExp | string): void {
  const { problems, documents } = checkDocuments(input);
  expect(problems).toHaveLength(1);
  expect(problems[0]?.path).toBe(path);
  if (message) expect(problems[0]?.message).toMatch(message);
  expect(documents).toEqual([]);
}

const layout = {
  kind: 'layout',
  module: 'deals',
  name: 'standard',
  profiles: ['*'],
  sections: [{ label: { en: 'Main' }, columns: 2, fields: ['name', 'amount', 'stage', 'account'] }],
  rules: [{ when: { '==': [{ var: 'stage' }, 'lost'] }, show: ['notes'], require: ['notes'] }],
};
const tableView = {
  kind: 'view',
  module: 'deals',
  name: 'big_open',
  type: 'table',
  columns: ['name', 'amount', 'owner_id'],
  filter: {
    and: [
      { '>': [{ var: 'amount' }, 1000] },
      { in: [{ var: 'stage' }, ['new', 'qualified']] },
      { '==': [{ var: 'account.industry' }, 'tech'] },
    ],
  },
  sort: [{ field: 'amount', dir: 'desc' }],
};
const kanban = {
  kind: 'view',
  module: 'deals',
  name: 'pipeline',
  type: 'kanban',
  groupBy: 'stage',
  columns: ['name', 'amount'],
};
const blueprint = {
  kind: 'blueprint',
  module: 'deals',
  name: 'sales_process',
  field: 'stage',
  transitions: [
    {
      name: 'qualify',
      from: ['new'],
      to: 'qualified',
      who: { profiles: ['sales'], owner: true },
      when: { '>': [{ var: 'amount' }, 0] },
      require: ['close_date'],
    },
    { name: 'win', from: ['qualified'], to: 'won', after: [{ type: 'notify', to: 'owner' }] },
  ],
};
const automation = {
  kind: 'automation',
  module: 'deals',
  name: 'won_follow_up',
  trigger: { on: 'field_change', fields: ['stage'] },
  when: { '==': [{ var: 'stage' }, 'won'] },
  actions: [{ type: 'create_record', module: 'accounts', values: {} }],
};

function validSet(): unknown[] {
  return clone([accounts, deals, layout, tableView, kanban, blueprint, automation]);
}

describe('checkDocuments: a valid set', () => {
  it('passes a module using every field type, with layout, views, blueprint and automation', () => {
    const types = new Set(deals.fields.map((f) => f.type));
    expect([...types].sort()).toEqual(Object.keys(FIELD_TYPES).sort());
    const input = validSet();
    const { problems, documents } = checkDocuments(input);
    expect(problems).toEqual([]);
    expect(documents).toHaveLength(input.length);
  });

  it('accepts a 63-character name, the longest safe one', () => {
    const name = `a${'b'.repeat(62)}`;
    expect(checkDocuments([moduleWith({ name, type: 'text' })]).problems).toEqual([]);
  });

  it('accepts a field that refers to a system column in a layout, view and automation', () => {
    const input = [
      clone(deals),
      clone(accounts),
      { ...layout, sections: [{ fields: ['owner_id', 'created_at'] }], rules: [] },
      { ...kanban, columns: ['created_by', 'currency_code'] },
    ];
    expect(checkDocuments(input).problems).toEqual([]);
  });

  it('uses the given path prefix', () => {
    const { problems } = checkDocuments([moduleWith({ name: 'Bad', type: 'text' })], 'bundle');
    expect(problems.map((p) => p.path)).toEqual(['bundle[0].fields[0].name']);
  });
});

describe('checkDocuments: names', () => {
  it.each([
    ['Deals', /safe name/],
    ['1x', /safe name/],
    ['a-b', /safe name/],
    ['a__b', /double underscore/],
    ['pg_stuff', /pg_/],
  ])('refuses the module name %s', (name, message) => {
    expectOneProblem([{ kind: 'module', name, fields: [] }], 'documents[0].name', message);
  });

  it.each([
    ['Deals', /safe name/],
    ['1x', /safe name/],
    ['a-b', /safe name/],
    ['a__b', /double underscore/],
  ])('refuses the field name %s', (name, message) => {
    expectOneProblem(
      [moduleWith({ name: 'ok', type: 'text' }, { name, type: 'text' })],
      'documents[0].fields[1].name',
      message,
    );
  });

  it('refuses a 64-character module and field name', () => {
    const long = 'a'.repeat(64);
    expectOneProblem([{ kind: 'module', name: long, fields: [] }], 'documents[0].name', /63/);
    expectOneProblem([moduleWith({ name: long, type: 'text' })], 'documents[0].fields[0].name');
  });

  it.each(['id', 'version', 'created_at', 'owner_id', 'deleted_at', 'currency_code'])(
    'refuses the system column name %s for a field',
    (name) => {
      expectOneProblem(
        [moduleWith({ name, type: 'text' })],
        'documents[0].fields[0].name',
        /system column/,
      );
    },
  );

  it.each(['users', 'meta', 'records', 'auth', 'health', 'openapi'])(
    'refuses the reserved module name %s',
    (name) => {
      expectOneProblem([{ kind: 'module', name, fields: [] }], 'documents[0].name', /reserved/);
    },
  );

  it('allows a reserved module name as a field name and a system column name as a module name', () => {
    expect(
      paths([{ kind: 'module', name: 'version', fields: [{ name: 'users', type: 'text' }] }]),
    ).toEqual([]);
  });

  it('refuses a field defined twice, at the second one', () => {
    expectOneProblem(
      [
        moduleWith(
          { name: 'title', type: 'text' },
          { name: 'size', type: 'integer' },
          { name: 'title', type: 'textarea' },
        ),
      ],
      'documents[0].fields[2].name',
      /"title" is defined twice/,
    );
  });

  it('refuses a document defined twice', () => {
    expectOneProblem(
      [clone(accounts), clone(accounts)],
      'documents[1].name',
      /module:accounts is also defined at documents\[0\]/,
    );
  });

  it('refuses a recordName that is not a field', () => {
    expectOneProblem(
      [{ ...clone(accounts), recordName: 'title' }],
      'documents[0].recordName',
      /unknown field "title"/,
    );
  });
});

describe('checkDocuments: fields', () => {
  it('refuses a picklist value listed twice, at that option', () => {
    const input = [
      moduleWith(
        { name: 'title', type: 'text' },
        {
          name: 'stage',
          type: 'picklist',
          options: [{ value: 'new' }, { value: 'won' }, { value: 'lost' }, { value: 'won' }],
        },
      ),
    ];
    expectOneProblem(input, 'documents[0].fields[1].options[3].value', /"won" is listed twice/);
  });

  it('refuses a duplicate multipicklist value too', () => {
    const input = [
      moduleWith({
        name: 'regions',
        type: 'multipicklist',
        options: [{ value: 'a' }, { value: 'a' }],
      }),
    ];
    expectOneProblem(input, 'documents[0].fields[0].options[1].value');
  });

  it('refuses a lookup to an unknown module, at .target', () => {
    const input = [
      clone(accounts),
      moduleWith(
        { name: 'title', type: 'text' },
        { name: 'partner', type: 'lookup', target: 'partners' },
      ),
    ];
    expectOneProblem(input, 'documents[1].fields[1].target', /no module named "partners"/);
  });

  it('accepts a lookup to a module later in the set, and to the module itself', () => {
    const input = [
      moduleWith(
        { name: 'account', type: 'lookup', target: 'accounts' },
        { name: 'parent', type: 'lookup', target: 'things' },
      ),
      clone(accounts),
    ];
    expect(paths(input)).toEqual([]);
  });

  it('refuses a lookup without target', () => {
    expectOneProblem(
      [moduleWith({ name: 'partner', type: 'lookup' })],
      'documents[0].fields[0].target',
      /needs "target"/,
    );
  });

  it('refuses a picklist and a multipicklist without options', () => {
    expectOneProblem(
      [moduleWith({ name: 'stage', type: 'picklist' })],
      'documents[0].fields[0].options',
      /a picklist field needs "options"/,
    );
    expectOneProblem(
      [moduleWith({ name: 'regions', type: 'multipicklist' })],
      'documents[0].fields[0].options',
    );
  });

  it('refuses a picklist with an empty option list', () => {
    expectOneProblem(
      [moduleWith({ name: 'stage', type: 'picklist', options: [] })],
      'documents[0].fields[0].options',
    );
  });

  it('refuses a formula without expression, and without returns', () => {
    expectOneProblem(
      [moduleWith({ name: 'total', type: 'formula', returns: 'decimal' })],
      'documents[0].fields[0].expression',
      /needs "expression"/,
    );
    expectOneProblem(
      [moduleWith({ name: 'total', type: 'formula', expression: 1 })],
      'documents[0].fields[0].returns',
      /needs "returns"/,
    );
  });

  it('refuses a formula that reads an unknown field', () => {
    expectOneProblem(
      [
        moduleWith(
          { name: 'price', type: 'decimal' },
          {
            name: 'total',
            type: 'formula',
            returns: 'decimal',
            expression: { '*': [{ var: 'price' }, { var: 'qty' }] },
          },
        ),
      ],
      'documents[0].fields[1].expression',
      /unknown field "qty"/,
    );
  });

  it('refuses formulas that refer to each other in a cycle', () => {
    const input = [
      moduleWith(
        { name: 'price', type: 'decimal' },
        { name: 'a', type: 'formula', returns: 'decimal', expression: { '+': [{ var: 'b' }, 1] } },
        {
          name: 'b',
          type: 'formula',
          returns: 'decimal',
          expression: { '*': [{ var: 'a' }, { var: 'price' }] },
        },
      ),
    ];
    expectOneProblem(input, 'documents[0].fields[1].expression', /cycle: a → b → a/);
  });

  it('refuses a formula that refers to itself', () => {
    const input = [
      moduleWith({
        name: 'a',
        type: 'formula',
        returns: 'integer',
        expression: { '+': [{ var: 'a' }, 1] },
      }),
    ];
    expectOneProblem(input, 'documents[0].fields[0].expression', /cycle: a → a/);
  });

  it('points a cycle at a formula inside it, not at one that only leads into it', () => {
    const input = [
      moduleWith(
        { name: 'c', type: 'formula', returns: 'integer', expression: { var: 'a' } },
        { name: 'a', type: 'formula', returns: 'integer', expression: { var: 'b' } },
        { name: 'b', type: 'formula', returns: 'integer', expression: { var: 'a' } },
      ),
    ];
    expectOneProblem(input, 'documents[0].fields[1].expression', /cycle: a → b → a$/);
  });

  it('accepts formulas that build on each other without a cycle', () => {
    const input = [
      moduleWith(
        { name: 'price', type: 'decimal' },
        {
          name: 'net',
          type: 'formula',
          returns: 'decimal',
          expression: { '*': [{ var: 'price' }, 2] },
        },
        {
          name: 'gross',
          type: 'formula',
          returns: 'decimal',
          expression: { '*': [{ var: 'net' }, 1.2] },
        },
        {
          name: 'label',
          type: 'formula',
          returns: 'text',
          expression: { cat: [{ var: 'gross' }, { var: 'net' }] },
        },
      ),
    ];
    expect(paths(input)).toEqual([]);
  });

  it('refuses an unknown property on a field, naming it', () => {
    expectOneProblem(
      [moduleWith({ name: 'title', type: 'text', colour: 'red' })],
      'documents[0].fields[0].colour',
      'is not a known field',
    );
  });

  it('refuses an unknown field type and a missing one', () => {
    expectOneProblem([moduleWith({ name: 'x', type: 'money' })], 'documents[0].fields[0].type');
    expectOneProblem([moduleWith({ name: 'x' })], 'documents[0].fields[0].type', 'is required');
  });

  it.each<[FieldDef, string]>([
    [{ name: 'qty', type: 'integer', default: 'many' }, 'integer'],
    [{ name: 'qty', type: 'integer', default: 1.5 }, 'integer'],
    [{ name: 'amount', type: 'currency', default: 1.234 }, 'currency'],
    [{ name: 'flag', type: 'boolean', default: 'yes' }, 'boolean'],
    [{ name: 'due', type: 'date', default: '2026-02-30' }, 'date'],
    [{ name: 'mail', type: 'email', default: 'nobody' }, 'email'],
    [{ name: 'stage', type: 'picklist', options: [{ value: 'new' }], default: 'old' }, 'picklist'],
    [
      { name: 'regions', type: 'multipicklist', options: [{ value: 'a' }], default: ['a', 'b'] },
      'multipicklist',
    ],
    [{ name: 'title', type: 'text', maxLength: 3, default: 'toolong' }, 'text'],
  ])('refuses a default that is not a valid value (%j)', (field, type) => {
    expectOneProblem(
      [moduleWith(field)],
      'documents[0].fields[0].default',
      `is not a valid ${type} value`,
    );
  });

  it.each<FieldDef>([
    { name: 'qty', type: 'integer', default: 3 },
    { name: 'amount', type: 'currency', default: 1.23 },
    { name: 'flag', type: 'boolean', default: false },
    { name: 'due', type: 'date', default: '2024-02-29' },
    { name: 'stage', type: 'picklist', options: [{ value: 'new' }], default: 'new' },
    { name: 'tags', type: 'tags', default: ['vip'] },
    { name: 'title', type: 'text', default: null },
  ])('accepts a valid default (%j)', (field) => {
    expect(paths([moduleWith(field)])).toEqual([]);
  });

  it.each<FieldDef>([
    { name: 'code', type: 'text', required: true, default: null },
    { name: 'code', type: 'text', required: true, default: '' },
    { name: 'tags', type: 'tags', required: true, default: [] },
  ])('refuses an empty default on a required field (%j)', (field) => {
    expectOneProblem(
      [moduleWith(field)],
      'documents[0].fields[0].default',
      /required field cannot default to empty|is not a valid/,
    );
  });

  it('refuses a default beyond what the column holds, whatever max says', () => {
    expectOneProblem(
      [moduleWith({ name: 'amount', type: 'currency', max: 1e20, default: 1e16 })],
      'documents[0].fields[0].default',
      'is not a valid currency value',
    );
  });

  it('refuses a module currency that is not an active ISO 4217 code', () => {
    expectOneProblem(
      [{ ...moduleWith({ name: 'amount', type: 'currency' }), defaultCurrency: 'XXQ' }],
      'documents[0].defaultCurrency',
      /ISO 4217/,
    );
    expect(
      paths([{ ...moduleWith({ name: 'amount', type: 'currency' }), defaultCurrency: 'CNY' }]),
    ).toEqual([]);
  });

  it('refuses a default on a computed field', () => {
    expectOneProblem(
      [moduleWith({ name: 'no', type: 'autonumber', default: 'X-1' })],
      'documents[0].fields[0].default',
      /computes its own value/,
    );
  });

  it('refuses scale above precision, and a unique list field', () => {
    expectOneProblem(
      [moduleWith({ name: 'x', type: 'decimal', precision: 4, scale: 6 })],
      'documents[0].fields[0].scale',
    );
    expectOneProblem(
      [moduleWith({ name: 'x', type: 'tags', unique: true })],
      'documents[0].fields[0].unique',
    );
  });

  it('refuses a validation rule on an unknown field or reading an unknown field', () => {
    const mod = {
      ...moduleWith({ name: 'amount', type: 'currency' }),
      validationRules: [
        {
          name: 'positive',
          when: { '<': [{ var: 'amount' }, 0] },
          message: { en: 'No' },
          field: 'amount',
        },
        {
          name: 'other',
          when: { '<': [{ var: 'amout' }, 0] },
          message: { en: 'No' },
          field: 'amout',
        },
      ],
    };
    expect(paths([mod])).toEqual([
      'documents[0].validationRules[1].field',
      'documents[0].validationRules[1].when',
    ]);
  });
});

describe('checkDocuments: documents that refer to a module', () => {
  it('refuses an unknown kind, a missing kind and a non-object', () => {
    expectOneProblem(
      [{ kind: 'spreadsheet', name: 'x' }],
      'documents[0].kind',
      /module, layout, view/,
    );
    expect(paths([{ name: 'x' }, null, 'module'])).toEqual([
      'documents[0].kind',
      'documents[1].kind',
      'documents[2].kind',
    ]);
  });

  it('refuses a document about an unknown module', () => {
    expectOneProblem(
      [{ ...layout, module: 'leads' }],
      'documents[0].module',
      /no module named "leads"/,
    );
  });

  it('refuses layout sections and rules that name unknown fields', () => {
    const bad = clone(layout);
    bad.sections[0]?.fields.splice(1, 0, 'amout');
    if (bad.rules[0]) bad.rules[0].show = ['lost_reason'];
    const input = [clone(accounts), clone(deals), bad];
    expect(checkDocuments(input).problems).toMatchObject([
      {
        path: 'documents[2].sections[0].fields[1]',
        message: 'unknown field "amout" in module deals',
      },
      {
        path: 'documents[2].rules[0].show[0]',
        message: 'unknown field "lost_reason" in module deals',
      },
    ]);
  });

  it('refuses a layout rule whose condition reads an unknown field', () => {
    const bad = {
      ...clone(layout),
      rules: [{ when: { '==': [{ var: 'phase' }, 'x'] }, show: ['notes'] }],
    };
    expectOneProblem([clone(accounts), clone(deals), bad], 'documents[2].rules[0].when', /"phase"/);
  });

  it('refuses a view column that is not a field', () => {
    const bad = { ...clone(kanban), columns: ['name', 'owner'] };
    expectOneProblem([clone(accounts), clone(deals), bad], 'documents[2].columns[1]', /"owner"/);
  });

  it('refuses a kanban without groupBy, and one grouped by a non-picklist', () => {
    const { groupBy: _, ...noGroup } = clone(kanban);
    expectOneProblem(
      [clone(accounts), clone(deals), noGroup],
      'documents[2].groupBy',
      /needs groupBy/,
    );
    expectOneProblem(
      [clone(accounts), clone(deals), { ...clone(kanban), groupBy: 'amount' }],
      'documents[2].groupBy',
      /not a picklist/,
    );
  });

  it('refuses sorting by an unknown or unsortable field', () => {
    const bad = {
      ...clone(tableView),
      sort: [
        { field: 'amount', dir: 'asc' },
        { field: 'tags', dir: 'asc' },
        { field: 'nope', dir: 'desc' },
      ],
    };
    expect(paths([clone(accounts), clone(deals), bad])).toEqual([
      'documents[2].sort[1].field',
      'documents[2].sort[2].field',
    ]);
  });

  it('refuses a view filter with an unsupported operator, pointing into the filter', () => {
    const bad = { ...clone(tableView), filter: { cat: [{ var: 'name' }, 'x'] } };
    expectOneProblem([clone(accounts), clone(deals), bad], 'documents[2].filter.cat', /"cat"/);
    const nested = {
      ...clone(tableView),
      filter: {
        and: [{ '>': [{ var: 'amount' }, 5] }, { or: [true, { substr: [{ var: 'name' }, 1] }] }],
      },
    };
    expectOneProblem(
      [clone(accounts), clone(deals), nested],
      'documents[2].filter.and[1].or[1].substr',
      /"substr" cannot be used in a filter/,
    );
  });

  it('takes "entered" (field history) in a view filter, and refuses it wherever one record is evaluated in memory', () => {
    const entered = { entered: [{ var: 'stage' }, 'won', '2026-01-01T00:00:00Z', null] };
    const view = {
      ...clone(tableView),
      filter: { and: [{ '>': [{ var: 'amount' }, 5] }, entered] },
    };
    expect(checkDocuments([clone(accounts), clone(deals), view]).problems).toEqual([]);
    const module = clone(deals);
    module.validationRules = [{ name: 'r', when: { '!': entered }, message: { en: 'x' } }];
    const formula = module.fields.find((f) => f.name === 'expected');
    if (formula) formula.expression = { if: [entered, 1, 0] };
    const rules = { ...clone(layout), rules: [{ when: entered, show: ['notes'] }] };
    const flow = clone(blueprint) as { transitions: { when?: unknown }[] };
    if (flow.transitions[0]) flow.transitions[0].when = { or: [false, entered] };
    const auto = { ...clone(automation), when: entered };
    const { problems } = checkDocuments([clone(accounts), module, rules, flow, auto]);
    const i = module.fields.indexOf(formula as FieldDef);
    expect(problems.map((p) => [p.path, p.key])).toEqual([
      [`documents[1].fields[${i}].expression.if[0].entered`, 'filter.historyOnlyInLists'],
      ['documents[1].validationRules[0].when.![0].entered', 'filter.historyOnlyInLists'],
      ['documents[2].rules[0].when.entered', 'filter.historyOnlyInLists'],
      ['documents[3].transitions[0].when.or[1].entered', 'filter.historyOnlyInLists'],
      ['documents[4].when.entered', 'filter.historyOnlyInLists'],
    ]);
  });

  it('refuses a view filter with a bad value, pointing at the value', () => {
    const bad = { ...clone(tableView), filter: { '==': [{ var: 'stage' }, 'closed'] } };
    expectOneProblem([clone(accounts), clone(deals), bad], 'documents[2].filter.==[1]', /option/);
  });

  it('refuses a blueprint transition to or from a value that is not an option', () => {
    const bad = clone(blueprint);
    if (bad.transitions[1]) {
      bad.transitions[1].to = 'closed';
      bad.transitions[1].from = ['qualified', 'maybe'];
    }
    expect(checkDocuments([clone(accounts), clone(deals), bad]).problems).toMatchObject([
      { path: 'documents[2].transitions[1].from[1]', message: '"maybe" is not an option of stage' },
      { path: 'documents[2].transitions[1].to', message: '"closed" is not an option of stage' },
    ]);
  });

  it('refuses a blueprint over a field that is not a picklist, and unknown required fields', () => {
    expectOneProblem(
      [clone(accounts), clone(deals), { ...clone(blueprint), field: 'regions' }],
      'documents[2].field',
      /not a picklist/,
    );
    const bad = clone(blueprint);
    if (bad.transitions[0]) bad.transitions[0].require = ['close_date', 'budget'];
    expectOneProblem(
      [clone(accounts), clone(deals), bad],
      'documents[2].transitions[0].require[1]',
      /"budget"/,
    );
  });

  it('refuses a second blueprint on a module, and two transitions of one name', () => {
    expectOneProblem(
      [clone(accounts), clone(deals), clone(blueprint), { ...clone(blueprint), name: 'other' }],
      'documents[3].module',
      /at most one/,
    );
    const bad = clone(blueprint);
    if (bad.transitions[1]) bad.transitions[1].name = 'qualify';
    expectOneProblem(
      [clone(accounts), clone(deals), bad],
      'documents[2].transitions[1].name',
      /"qualify"/,
    );
  });

  it('refuses an automation on an unknown field', () => {
    const bad = {
      ...clone(automation),
      trigger: { on: 'field_change', fields: ['stage', 'phase'] },
    };
    expectOneProblem(
      [clone(accounts), clone(deals), bad],
      'documents[2].trigger.fields[1]',
      /"phase"/,
    );
    const badDate = { ...clone(automation), trigger: { on: 'date', field: 'due', offset: '-1d' } };
    expectOneProblem(
      [clone(accounts), clone(deals), badDate],
      'documents[2].trigger.field',
      /"due"/,
    );
  });

  it('refuses an automation without actions and with a malformed offset', () => {
    expect(
      paths([
        clone(accounts),
        clone(deals),
        { ...clone(automation), actions: [] },
        {
          ...clone(automation),
          name: 'b',
          trigger: { on: 'date', field: 'close_date', offset: 'tomorrow' },
        },
      ]),
    ).toEqual(['documents[2].actions', 'documents[3].trigger.offset']);
  });

  it('refuses an unknown property on a view, naming it', () => {
    expectOneProblem(
      [clone(accounts), clone(deals), { ...clone(kanban), pageSize: 50 }],
      'documents[2].pageSize',
      'is not a known field',
    );
  });

  it('returns typed documents only when there is no problem at all', () => {
    const mod: ModuleDoc = clone(deals);
    const result = checkDocuments([clone(accounts), mod]);
    expect(result.documents).toEqual([accounts, mod]);
    expect(checkDocuments([clone(accounts), { ...mod, name: 'Deals' }]).documents).toEqual([]);
  });
});
