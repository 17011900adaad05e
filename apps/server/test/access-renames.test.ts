import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

/**
 * A field renamed with `renamedFrom` keeps what access and conversion say about it: a profile's
 * field access, a sharing rule's condition and a conversion's mappings follow the new name in
 * the same revision, so a hidden field does not come back into view under its new name.
 */
const ALL = { create: true, read: true, update: true, delete: false, import: false, export: false };

function documents(names: { margin: string; amount: string; budget: string }) {
  const renamed = (name: string, from: string) => ({
    name,
    ...(name !== from && { renamedFrom: from }),
  });
  return [
    {
      kind: 'module',
      name: 'leads',
      fields: [
        { name: 'name', type: 'text', required: true },
        { ...renamed(names.budget, 'budget'), type: 'currency' },
        { name: 'converted', type: 'boolean' },
      ],
    },
    {
      kind: 'module',
      name: 'deals',
      fields: [
        { name: 'name', type: 'text', required: true },
        { ...renamed(names.margin, 'margin'), type: 'integer' },
        { ...renamed(names.amount, 'amount'), type: 'currency' },
      ],
    },
    { kind: 'role', name: 'boss' },
    { kind: 'role', name: 'rep', parent: 'boss' },
    {
      kind: 'profile',
      name: 'sales',
      modules: { deals: ALL, leads: ALL },
      fields: { deals: { margin: 'hidden', amount: 'read' } },
    },
    {
      kind: 'sharing',
      module: 'deals',
      default: 'private',
      rules: [
        {
          name: 'big_ones',
          when: { '>=': [{ var: 'amount' }, 1000] },
          to: { role: 'rep' },
          access: 'read',
        },
      ],
    },
    {
      kind: 'conversion',
      module: 'leads',
      name: 'to_deal',
      targets: [{ module: 'deals', fields: { name: 'name', amount: 'budget' } }],
      mark: { values: { converted: true } },
    },
  ];
}

describe('renamed fields in access and conversion documents', () => {
  let t: TestApp;
  let rep: string;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply(documents({ margin: 'margin', amount: 'amount', budget: 'budget' }));
    rep = await t.userToken('rep@example.com', { role: 'rep', profile: 'sales' });
  });
  afterAll(async () => t?.close());

  const stored = async (key: string) => {
    const r: Reply = await t.call('GET', '/api/meta');
    return r.body.documents.find(
      (d: { kind: string; name?: string; module?: string }) =>
        `${d.kind}:${d.kind === 'sharing' ? d.module : d.name}` === key,
    );
  };

  it('renames the field in profiles, sharing rules and conversions, and keeps enforcing them', async () => {
    await t.call('POST', '/api/records/deals', { name: 'Big', margin: 40, amount: 5000 });
    await t.call('POST', '/api/records/deals', { name: 'Small', margin: 10, amount: 10 });
    // Only the modules are sent, with the fields renamed: the stored documents follow them.
    const renamed = documents({ margin: 'profit', amount: 'value', budget: 'estimate' });
    await t.apply(renamed.filter((d) => d.kind === 'module'));

    expect((await stored('profile:sales')).fields).toEqual({
      deals: { profit: 'hidden', value: 'read' },
    });
    expect((await stored('sharing:deals')).rules[0].when).toEqual({
      '>=': [{ var: 'value' }, 1000],
    });
    expect((await stored('conversion:to_deal')).targets[0].fields).toEqual({
      name: 'name',
      value: 'estimate',
    });

    // The rep still reads the big deal (the rule) without its profit (hidden), and may not
    // change its value (read-only).
    const list = await t.call('GET', '/api/records/deals', undefined, rep);
    expect(list.status).toBe(200);
    expect(list.body.data.map((d: { name: string }) => d.name)).toEqual(['Big']);
    expect(list.body.data[0]).not.toHaveProperty('profit');
    expect(list.body.data[0]).not.toHaveProperty('margin');
    expect(list.body.data[0].value).toBe(5000);
    const write = await t.call('POST', '/api/records/deals', { name: 'Mine', value: 1 }, rep);
    expect(write.status).toBe(400);
    expect(write.body.error.details[0].path).toBe('value');

    // And the conversion maps the renamed fields.
    const lead = await t.call('POST', '/api/records/leads', { name: 'Lead', estimate: 777 });
    const converted = await t.call('POST', `/api/records/leads/${lead.body.id}/convert`, {});
    expect(converted.status, JSON.stringify(converted.body)).toBe(200);
    expect(converted.body.created.deals).toMatchObject({ name: 'Lead', value: 777 });
  });
});
