// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderContext } from '../src/client.js';
import { RecordForm } from '../src/RecordForm.js';
import { MemoryClient } from './support/memory-client.js';
import { installLayoutShims, templateDocuments } from './support/template.js';

installLayoutShims();
afterEach(cleanup);

const documents = templateDocuments();

function setup(locale: RenderContext['locale'] = 'en') {
  const client = new MemoryClient(documents, { accounts: [{ name: 'Acme' }] });
  const ctx: RenderContext = { documents, locale, timeZone: 'Asia/Shanghai', client };
  const saved: unknown[] = [];
  render(<RecordForm ctx={ctx} module="deals" onSaved={(r) => saved.push(r)} />);
  return { client, saved };
}

function errorOf(label: string): string | null {
  const input = screen.getByLabelText(label, { exact: false });
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  const texts = ids
    .map((id) => document.getElementById(id))
    .filter((e) => e?.className.includes('at-error'));
  return texts[0]?.textContent ?? null;
}

describe('RecordForm', () => {
  it('shows the layout sections with their labels, required marks and every field', () => {
    setup();
    expect(screen.getByText('Deal information')).toBeTruthy();
    expect(screen.getByText('Forecast')).toBeTruthy();
    expect(screen.getByLabelText('Deal name', { exact: false }).getAttribute('aria-required')).toBe(
      'true',
    );
    // Formula and autonumber are shown, never edited.
    expect(
      screen.getByText('Expected revenue').closest('.at-field')?.querySelector('output'),
    ).toBeTruthy();
  });

  it('shows a client-side error next to the right field before asking the server', async () => {
    const { client } = setup();
    fireEvent.change(screen.getByLabelText('Probability', { exact: false }), {
      target: { value: '150' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(errorOf('Probability')).toBe('Must be at most 100.'));
    expect(errorOf('Deal name')).toBe('Deal name is required.');
    expect(screen.getByRole('alert').textContent).toContain('Please fix');
    expect(client.calls.filter((c) => c.method === 'create')).toHaveLength(0);
  });

  it('maps a server error path onto its input', async () => {
    const { client } = setup();
    const account = client.tables.get('accounts')?.[0]?.id as string;
    client.refuse = (_m, values) =>
      values.name === 'Taken'
        ? [{ path: 'name', message: 'This name is already used.' }]
        : undefined;
    fireEvent.change(screen.getByLabelText('Deal name', { exact: false }), {
      target: { value: 'Taken' },
    });
    // The lookup is a combobox: search and pick the account.
    const combo = screen.getByRole('combobox', { name: /Account/ });
    act(() => combo.focus());
    fireEvent.change(combo, { target: { value: 'Ac' } });
    fireEvent.click(await screen.findByRole('option', { name: 'Acme' }));
    fireEvent.submit(
      screen.getByRole('button', { name: 'Save' }).closest('form') as HTMLFormElement,
    );
    await waitFor(() => expect(errorOf('Deal name')).toBe('This name is already used.'));
    const create = client.calls.find((c) => c.method === 'create');
    expect(create?.params).toMatchObject({ name: 'Taken', account, stage: 'qualification' });
  });

  it('shows and requires a field live from a layout rule', async () => {
    setup();
    expect(screen.queryByLabelText('Lost reason', { exact: false })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /Stage/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Closed lost' }));
    const reason = await screen.findByLabelText('Lost reason', { exact: false });
    expect(reason.getAttribute('aria-required')).toBe('true');
    fireEvent.change(screen.getByLabelText('Deal name', { exact: false }), {
      target: { value: 'Lost one' },
    });
    fireEvent.keyDown(reason, { key: 'Enter', ctrlKey: true });
    await waitFor(() => expect(errorOf('Lost reason')).toBe('Lost reason is required.'));
  });

  it('speaks Chinese in zh-CN: labels from metadata, messages from the renderer table', async () => {
    setup('zh-CN');
    fireEvent.click(screen.getByRole('button', { name: '保存' }));
    await waitFor(() => expect(errorOf('商机名称')).toBe('请填写商机名称。'));
  });

  it('on a version conflict shows their values and saves over them only when asked', async () => {
    const client = new MemoryClient(documents, {
      accounts: [{ name: 'Acme' }],
    });
    const account = client.tables.get('accounts')?.[0]?.id;
    const mine = await client.create('deals', {
      name: 'Deal',
      account,
      stage: 'proposal',
      amount: 100,
    });
    await client.update('deals', String(mine.id), { name: 'Renamed by Han', version: 1 });
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
    render(<RecordForm ctx={ctx} module="deals" record={mine} />);
    fireEvent.change(screen.getByLabelText('Amount', { exact: false }), {
      target: { value: '250' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    const alert = await screen.findByText(/Someone else changed this record/);
    expect(alert.closest('[role=alert]')?.textContent).toContain('Renamed by Han');
    expect(client.tables.get('deals')?.[0]?.amount).toBe(100);
    fireEvent.click(screen.getByRole('button', { name: 'Save mine over theirs' }));
    await waitFor(() =>
      expect(client.tables.get('deals')?.[0]).toMatchObject({
        amount: 250,
        name: 'Renamed by Han',
        version: 3,
      }),
    );
  });

  it('tells the app when it has unsaved changes, so leaving can be warned', async () => {
    const client = new MemoryClient(documents);
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
    const dirty: boolean[] = [];
    render(<RecordForm ctx={ctx} module="deals" onDirtyChange={(d) => dirty.push(d)} />);
    fireEvent.change(screen.getByLabelText('Deal name', { exact: false }), {
      target: { value: 'x' },
    });
    await waitFor(() => expect(dirty.at(-1)).toBe(true));
    fireEvent.change(screen.getByLabelText('Deal name', { exact: false }), {
      target: { value: '' },
    });
    await waitFor(() => expect(dirty.at(-1)).toBe(false));
  });

  it('keeps what the user typed when the parent re-renders with equal new objects', () => {
    const client = new MemoryClient(documents);
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
    const record = { id: 'r1', version: 1, name: 'Old', stage: 'proposal' };
    const view = (r: typeof record) => (
      <RecordForm ctx={ctx} module="deals" record={{ ...r }} initialValues={{ amount: 1 }} />
    );
    const { rerender } = render(view(record));
    fireEvent.change(screen.getByLabelText('Deal name', { exact: false }), {
      target: { value: 'Typed' },
    });
    rerender(view(record));
    expect(screen.getByLabelText('Deal name', { exact: false })).toHaveProperty('value', 'Typed');
    rerender(view({ ...record, version: 2, name: 'Saved elsewhere' }));
    expect(screen.getByLabelText('Deal name', { exact: false })).toHaveProperty(
      'value',
      'Saved elsewhere',
    );
  });
});
