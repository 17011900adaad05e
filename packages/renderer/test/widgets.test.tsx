// @vitest-environment jsdom
import { FIELD_TYPES, type FieldDef, type MetadataDoc, type ModuleDoc } from '@atrium/metadata';
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderContext } from '../src/client.js';
import { RecordForm } from '../src/RecordForm.js';
import { WIDGETS } from '../src/widgets/registry.js';
import { MemoryClient } from './support/memory-client.js';
import { installLayoutShims } from './support/template.js';

installLayoutShims();
afterEach(cleanup);

const options = [
  { value: 'a', label: { en: 'Alpha', 'zh-CN': '甲' } },
  { value: 'b', label: { en: 'Beta', 'zh-CN': '乙' } },
];
const fields: FieldDef[] = [
  { name: 'f_text', type: 'text' },
  { name: 'f_textarea', type: 'textarea' },
  { name: 'f_email', type: 'email' },
  { name: 'f_phone', type: 'phone' },
  { name: 'f_url', type: 'url' },
  { name: 'f_integer', type: 'integer' },
  { name: 'f_decimal', type: 'decimal' },
  { name: 'f_currency', type: 'currency' },
  { name: 'f_percent', type: 'percent' },
  { name: 'f_boolean', type: 'boolean' },
  { name: 'f_date', type: 'date' },
  { name: 'f_datetime', type: 'datetime' },
  { name: 'f_picklist', type: 'picklist', options },
  { name: 'f_multipicklist', type: 'multipicklist', options },
  { name: 'f_tags', type: 'tags' },
  { name: 'f_lookup', type: 'lookup', target: 'things' },
  { name: 'f_user', type: 'user' },
  { name: 'f_autonumber', type: 'autonumber', prefix: 'T-' },
  {
    name: 'f_formula',
    type: 'formula',
    returns: 'integer',
    expression: { '+': [{ var: 'f_integer' }, 1] },
  },
];
const things: ModuleDoc = {
  kind: 'module',
  name: 'things',
  recordName: 'f_text',
  defaultCurrency: 'EUR',
  fields,
};
const documents: MetadataDoc[] = [things];

describe('widgets', () => {
  it('has a widget for every field type of the registry', () => {
    for (const [type, spec] of Object.entries(FIELD_TYPES))
      expect(WIDGETS[spec.widget], type).toBeDefined();
  });

  it('renders a labelled input for every field and saves what was typed as API values', async () => {
    const client = new MemoryClient(documents, {}, [
      { id: 'u1', name: 'Mei', email: 'mei@example.com' },
    ]);
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'Europe/Berlin', client };
    render(<RecordForm ctx={ctx} module="things" />);
    const labels = [...document.querySelectorAll('label.at-label')].map((l) => l.textContent);
    // Without a layout: every writable field (formula and autonumber are the engine's).
    const writable = fields.filter((f) => !FIELD_TYPES[f.type].computed);
    expect(labels).toEqual(writable.map((f) => f.name.replace('f_', 'F ')));
    const type = (label: string, value: string) =>
      fireEvent.change(screen.getByLabelText(label), { target: { value } });
    type('F text', 'Hello');
    type('F integer', '42');
    type('F currency', '1,200.50');
    type('F percent', '12.5');
    fireEvent.click(screen.getByLabelText('F boolean'));
    fireEvent.click(screen.getByLabelText('Beta'));
    const tags = screen.getByLabelText('F tags');
    fireEvent.change(tags, { target: { value: 'vip' } });
    fireEvent.keyDown(tags, { key: 'Enter' });
    const user = screen.getByRole('combobox', { name: /F user/ });
    act(() => user.focus());
    fireEvent.change(user, { target: { value: 'Me' } });
    fireEvent.click(await screen.findByRole('option', { name: /Mei/ }));
    expect(screen.getByText('EUR')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(client.calls.some((c) => c.method === 'create')).toBe(true));
    expect(client.calls.find((c) => c.method === 'create')?.params).toEqual({
      f_text: 'Hello',
      f_integer: 42,
      f_currency: 1200.5,
      f_percent: 12.5,
      f_boolean: true,
      f_multipicklist: ['b'],
      f_tags: ['vip'],
      f_user: 'u1',
    });
  });
});
