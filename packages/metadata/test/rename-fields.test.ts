import { describe, expect, it } from 'vitest';
import type { MetadataDoc } from '../src/index.js';
import { checkDocuments, followRenames } from '../src/index.js';

const accounts = {
  kind: 'module',
  name: 'accounts',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text', renamedFrom: 'name' },
    { name: 'sector', type: 'text', renamedFrom: 'industry' },
  ],
} as MetadataDoc;
const deals = {
  kind: 'module',
  name: 'deals',
  fields: [
    { name: 'account', type: 'lookup', target: 'accounts' },
    { name: 'score', type: 'integer' },
  ],
  validationRules: [{ name: 'r', when: { '<': [{ var: 'score' }, 0] }, message: { en: 'no' } }],
} as MetadataDoc;
const view = {
  kind: 'view',
  module: 'deals',
  name: 'tech',
  type: 'table',
  columns: ['account'],
  filter: { '==': [{ var: 'account.industry' }, 'tech'] },
} as MetadataDoc;
const accountsView = {
  kind: 'view',
  module: 'accounts',
  name: 'all',
  type: 'table',
  columns: ['name', 'industry'],
  sort: [{ field: 'name', dir: 'asc' }],
} as MetadataDoc;

describe('following renames', () => {
  it('rewrites own references and lookup paths from other modules', () => {
    const out = followRenames([accounts, deals, view, accountsView]);
    expect(out[0]).toBe(accounts);
    expect(out[1]).toBe(deals);
    expect(out[2]).toMatchObject({
      filter: { '==': [{ var: 'account.sector' }, 'tech'] },
    });
    expect(out[3]).toMatchObject({
      columns: ['title', 'sector'],
      sort: [{ field: 'title', dir: 'asc' }],
    });
    expect(checkDocuments(out).problems).toEqual([]);
  });

  it('leaves a name alone while a field of that name exists', () => {
    const both = {
      kind: 'module',
      name: 'accounts',
      fields: [
        { name: 'title', type: 'text', renamedFrom: 'name' },
        { name: 'name', type: 'text' },
        { name: 'industry', type: 'text' },
      ],
    } as MetadataDoc;
    const out = followRenames([both, accountsView]);
    expect(out[1]).toBe(accountsView);
    expect(checkDocuments([both]).problems).toMatchObject([
      { path: 'documents[0].fields[0].renamedFrom', message: expect.stringContaining('"name"') },
    ]);
  });

  it('follows a renamed stage field into a forecast’s categories', () => {
    const pipeline = {
      kind: 'module',
      name: 'deals',
      fields: [
        { name: 'amount', type: 'currency' },
        { name: 'close_date', type: 'date' },
        { name: 'phase', type: 'picklist', options: [{ value: 'a' }], renamedFrom: 'stage' },
      ],
    } as MetadataDoc;
    const forecast = {
      kind: 'report',
      module: 'deals',
      name: 'f',
      type: 'forecast',
      amount: 'amount',
      dateField: 'close_date',
      categories: { field: 'stage', commit: ['a'] },
    } as MetadataDoc;
    const out = followRenames([pipeline, forecast]);
    expect(out[1]).toMatchObject({ categories: { field: 'phase', commit: ['a'] } });
    expect(checkDocuments(out).problems).toEqual([]);
  });
});
