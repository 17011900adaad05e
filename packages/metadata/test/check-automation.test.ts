import { describe, expect, it } from 'vitest';
import { checkDocuments, followRenames, type MetadataDoc } from '../src/index.js';
import { accounts, clone, deals } from './fixtures.js';

/** Automations are checked at apply: shapes per action type, then against the modules. */
const auto = (rest: Record<string, unknown>) => ({
  kind: 'automation',
  module: 'deals',
  name: 'a',
  trigger: { on: 'create' },
  actions: [{ type: 'webhook', url: 'https://example.com/h' }],
  ...rest,
});
const problems = (...docs: unknown[]) =>
  checkDocuments([clone(accounts), clone(deals), { kind: 'role', name: 'rep' }, ...docs]).problems;

describe('checkDocuments: automations', () => {
  it('accepts every trigger and action the contract names', () => {
    expect(
      problems(
        auto({
          name: 'all_actions',
          when: { '==': [{ var: 'account.industry' }, 'software'] },
          actions: [
            { type: 'update_fields', values: { notes: { cat: ['x', { var: 'name' }] } } },
            { type: 'assign', strategy: 'round_robin', role: 'rep' },
            {
              type: 'assign',
              strategy: 'rules',
              field: 'manager',
              rules: [{ when: true, user: 'a@b.c' }],
            },
            { type: 'create_record', module: 'accounts', values: { name: { var: 'name' } } },
            {
              type: 'send_email',
              to: { var: 'email' },
              subject: { en: 'Hi {{name}}' },
              body: { en: '{{account.name}}', 'zh-CN': '您好' },
            },
            { type: 'notify', to: ['owner', 'manager', { field: 'manager' }, { role: 'rep' }] },
          ],
        }),
        auto({ name: 'u', trigger: { on: 'update', fields: ['amount'] } }),
        auto({
          name: 'f',
          trigger: { on: 'field_change', field: 'stage', from: 'new', to: ['won'] },
        }),
        auto({ name: 'd', trigger: { on: 'delete' } }),
        auto({
          name: 'dt',
          trigger: { on: 'date', field: 'close_date', offset: '-30d', at: '09:00' },
        }),
        auto({
          name: 's',
          trigger: { on: 'schedule', cron: '0 9 * * 1' },
          when: { '>': [{ var: 'amount' }, 5] },
        }),
        auto({ name: 'n', trigger: { on: 'no_activity', days: 3 } }),
      ),
    ).toEqual([]);
  });

  it('refuses a property another action type takes, at its path', () => {
    const p = problems(auto({ actions: [{ type: 'webhook', url: 'https://x.y', values: {} }] }));
    expect(p.map((x) => x.path)).toEqual(['documents[3].actions[0].values']);
    const bad = problems(
      auto({ actions: [{ type: 'webhook', url: 'ftp://x.y' }, { type: 'nope' }] }),
    );
    expect(bad.map((x) => x.path)).toEqual([
      'documents[3].actions[0].url',
      'documents[3].actions[1].type',
    ]);
  });

  it('refuses unknown fields, lookups, merge fields, modules and roles', () => {
    const p = problems(
      auto({
        when: { '==': [{ var: 'account.nope' }, 1] },
        actions: [
          { type: 'update_fields', values: { expected: 1, ghost: 2 } },
          { type: 'create_record', module: 'ghosts', values: {} },
          { type: 'assign', strategy: 'round_robin', role: 'boss' },
          { type: 'send_email', to: 'a@b.c', subject: { en: '{{nope}}' }, body: { en: 'x' } },
          { type: 'notify', to: { field: 'name' } },
        ],
      }),
    );
    expect(p.map((x) => x.path)).toEqual([
      'documents[3].when',
      'documents[3].actions[0].values.expected',
      'documents[3].actions[0].values.ghost',
      'documents[3].actions[1].module',
      'documents[3].actions[2].role',
      'documents[3].actions[3].subject.en',
      'documents[3].actions[4].to.field',
    ]);
  });

  it('refuses trigger properties that do not belong to the trigger, and missing ones', () => {
    const p = problems(
      auto({ name: 'a', trigger: { on: 'create', days: 3 } }),
      auto({ name: 'b', trigger: { on: 'date', field: 'name' } }),
      auto({ name: 'c', trigger: { on: 'schedule', cron: 'every day at 9' } }),
      auto({ name: 'd', trigger: { on: 'no_activity' } }),
      auto({
        name: 'e',
        trigger: { on: 'delete' },
        actions: [{ type: 'update_fields', values: {} }],
      }),
      auto({
        name: 'f',
        trigger: { on: 'schedule', cron: '0 9 * * *' },
        when: { date_add: ['today', 1] },
      }),
    );
    expect(p.map((x) => x.path)).toEqual([
      'documents[3].trigger.days',
      'documents[4].trigger.field',
      'documents[5].trigger.cron',
      'documents[6].trigger.days',
      'documents[7].actions[0].type',
      expect.stringMatching(/^documents\[8\]\.when/),
    ]);
  });

  it('follows a field rename into the actions that read or set it', () => {
    const renamed = clone(deals) as { fields: { name: string; renamedFrom?: string }[] };
    const notes = renamed.fields.find((f) => f.name === 'notes');
    if (notes) Object.assign(notes, { name: 'remarks', renamedFrom: 'notes' });
    const doc = auto({
      actions: [
        { type: 'update_fields', values: { notes: { var: 'notes' } } },
        { type: 'create_record', module: 'accounts', values: { name: { var: 'notes' } } },
        { type: 'send_email', to: { var: 'notes' }, subject: { en: 's' }, body: { en: 'b' } },
      ],
    });
    const [, out] = followRenames([renamed, doc] as MetadataDoc[]);
    expect((out as { actions: unknown }).actions).toEqual([
      { type: 'update_fields', values: { remarks: { var: 'remarks' } } },
      { type: 'create_record', module: 'accounts', values: { name: { var: 'remarks' } } },
      { type: 'send_email', to: { var: 'remarks' }, subject: { en: 's' }, body: { en: 'b' } },
    ]);
  });
});
