// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ListParams, RenderContext } from '../src/client.js';
import { RecordTable } from '../src/RecordTable.js';
import { MemoryClient } from './support/memory-client.js';
import { installLayoutShims, templateDocuments } from './support/template.js';

installLayoutShims();
afterEach(cleanup);

const documents = templateDocuments();

function setup(rows = 30) {
  const deals = Array.from({ length: rows }, (_, i) => ({
    name: `Deal ${String(i).padStart(4, '0')}`,
    amount: ((i * 7919) % 1000) * 100,
    stage: 'qualification',
    currency_code: 'CNY',
  }));
  const client = new MemoryClient(documents, { deals });
  const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
  const sorts: (string | undefined)[] = [];
  render(
    <RecordTable
      ctx={ctx}
      module="deals"
      fields={['name', 'amount', 'stage']}
      onSortChange={(s) => sorts.push(s)}
      height={400}
    />,
  );
  const lists = () =>
    client.calls.filter((c) => c.method === 'list').map((c) => c.params as ListParams);
  return { client, sorts, lists };
}

const bodyRows = () => document.querySelectorAll('tbody tr.at-row');

describe('RecordTable', () => {
  it('sorts by a header click and emits the sort', async () => {
    const { sorts, lists } = setup();
    await waitFor(() => expect(bodyRows().length).toBeGreaterThan(0));
    fireEvent.click(screen.getByRole('button', { name: 'Amount' }));
    await waitFor(() => expect(lists().at(-1)?.sort).toBe('amount'));
    expect(sorts).toEqual(['amount']);
    await waitFor(() => {
      const first = bodyRows()[0];
      expect(first?.textContent).toContain('Deal 0000');
    });
    expect(screen.getByRole('columnheader', { name: /Amount/ }).getAttribute('aria-sort')).toBe(
      'ascending',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Amount' }));
    await waitFor(() => expect(lists().at(-1)?.sort).toBe('-amount'));
    await waitFor(() => expect(bodyRows()[0]?.textContent).toContain('97,500.00'));
  });

  it('requests the next page on scroll and keeps the DOM small over thousands of rows', {
    timeout: 60_000,
  }, async () => {
    const { lists } = setup(2000);
    await waitFor(() => expect(bodyRows().length).toBeGreaterThan(0));
    expect(screen.getByText('2,000 records')).toBeTruthy();
    const scroller = screen.getByTestId('at-table-scroll');
    for (let page = 1; page <= 10; page++) {
      const before = lists().length;
      await act(async () => {
        scroller.scrollTop = page * 50 * 36;
        scroller.dispatchEvent(new Event('scroll'));
      });
      await waitFor(() => expect(lists().length).toBeGreaterThan(before));
      expect(bodyRows().length).toBeLessThan(200);
    }
    expect(lists().at(-1)?.cursor).toBe('500');
    await waitFor(() => expect(document.querySelector('tr[data-index="500"]')).toBeTruthy());
  });

  it('updates the selected rows in one bulk call', async () => {
    const { client } = setup(5);
    await waitFor(() => expect(bodyRows().length).toBe(5));
    const boxes = screen.getAllByRole('checkbox', { name: 'Select row' });
    fireEvent.click(boxes[0] as HTMLElement);
    fireEvent.click(boxes[1] as HTMLElement);
    const bar = screen.getByRole('toolbar', { name: '2 selected' });
    fireEvent.change(within(bar).getByRole('combobox', { name: 'Field' }), {
      target: { value: 'amount' },
    });
    fireEvent.change(within(bar).getByRole('textbox'), { target: { value: '999' } });
    fireEvent.click(within(bar).getByRole('button', { name: 'Update selected' }));
    await waitFor(() =>
      expect(client.tables.get('deals')?.filter((d) => d.amount === 999)).toHaveLength(2),
    );
    expect(client.calls.filter((c) => c.method === 'bulk')).toHaveLength(1);
    await waitFor(() => expect(screen.getAllByText(/999\.00/)).toHaveLength(2));
  });

  it('builds a JSON Logic filter from field, operator and value', async () => {
    const { lists } = setup(5);
    await waitFor(() => expect(bodyRows().length).toBe(5));
    fireEvent.click(screen.getByRole('button', { name: /Add filter/ }));
    fireEvent.change(screen.getByRole('combobox', { name: 'Field' }), {
      target: { value: 'amount' },
    });
    fireEvent.change(screen.getByRole('combobox', { name: 'Operator' }), {
      target: { value: 'gt' },
    });
    fireEvent.change(screen.getByRole('textbox', { name: /Amount/ }), {
      target: { value: '50000' },
    });
    await waitFor(() =>
      expect(lists().at(-1)?.filter).toEqual({ '>': [{ var: 'amount' }, 50000] }),
    );
  });

  it('reorders columns from the keyboard and tells the app', async () => {
    const client = new MemoryClient(documents, {
      deals: [{ name: 'One', amount: 1, stage: 'proposal' }],
    });
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
    const orders: string[][] = [];
    render(
      <RecordTable
        ctx={ctx}
        module="deals"
        fields={['name', 'amount', 'stage']}
        onColumnsChange={(c) => orders.push(c)}
      />,
    );
    await waitFor(() => expect(bodyRows().length).toBe(1));
    fireEvent.keyDown(screen.getByRole('button', { name: /Deal name/ }), {
      key: 'ArrowRight',
      altKey: true,
    });
    expect(orders).toEqual([['amount', 'name', 'stage']]);
    const headers = screen.getAllByRole('columnheader').map((h) => h.textContent?.trim());
    expect(headers.slice(1)).toEqual(['Amount', 'Deal name', 'Stage']);
  });

  it('edits a cell inline through client.update with the row version', async () => {
    const { client } = setup(3);
    await waitFor(() => expect(bodyRows().length).toBe(3));
    const row = bodyRows()[0] as HTMLElement;
    fireEvent.click(within(row).getByRole('button', { name: 'Edit Amount' }));
    const input = within(row).getByRole('textbox');
    fireEvent.change(input, { target: { value: '4321' } });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() =>
      expect(client.tables.get('deals')?.[0]).toMatchObject({ amount: 4321, version: 2 }),
    );
    await waitFor(() => expect(within(row).getByText(/4,321\.00/)).toBeTruthy());
    expect(client.calls.find((c) => c.method === 'update')?.params).toMatchObject({
      amount: 4321,
      version: 1,
    });
  });

  it('shows cards on a phone: the name and key fields, selectable, sorted from a menu', async () => {
    const client = new MemoryClient(documents, {
      deals: [
        { name: 'Small', amount: 10, stage: 'proposal', currency_code: 'CNY' },
        { name: 'Large', amount: 900, stage: 'qualification', currency_code: 'CNY' },
      ],
    });
    const told: string[] = [];
    const ctx: RenderContext = {
      documents,
      locale: 'en',
      timeZone: 'UTC',
      client,
      notify: (text) => told.push(text),
    };
    render(
      <RecordTable
        ctx={ctx}
        module="deals"
        fields={['name', 'amount', 'stage']}
        layout="cards"
        height={400}
      />,
    );
    await waitFor(() => expect(document.querySelectorAll('.at-record-card')).toHaveLength(2));
    expect(bodyRows()).toHaveLength(0);
    const card = document.querySelector('.at-record-card') as HTMLElement;
    expect(within(card).getByText('Amount')).toBeTruthy();
    expect(within(card).getByText('CN¥10.00')).toBeTruthy();
    fireEvent.change(screen.getByRole('combobox', { name: 'Sort' }), {
      target: { value: '-amount' },
    });
    await waitFor(() =>
      expect(document.querySelector('.at-record-card-title')?.textContent).toBe('Large'),
    );
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Large' }));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select Small' }));
    const bar = screen.getByRole('toolbar', { name: '2 selected' });
    fireEvent.change(within(bar).getByRole('combobox', { name: 'Field' }), {
      target: { value: 'amount' },
    });
    fireEvent.change(within(bar).getByRole('textbox'), { target: { value: '5' } });
    fireEvent.click(within(bar).getByRole('button', { name: 'Update selected' }));
    await waitFor(() => expect(told).toEqual(['2 records updated']));
  });

  it('filters on a lookup by record and on a field behind it (account.industry)', async () => {
    const client = new MemoryClient(documents, {
      deals: [{ name: 'One', amount: 1, stage: 'proposal' }],
    });
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
    render(<RecordTable ctx={ctx} module="deals" fields={['name', 'account', 'amount']} />);
    await waitFor(() => expect(bodyRows()).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: /Add filter/ }));
    const field = screen.getByRole('combobox', { name: 'Field' });
    const group = within(field).getByRole('group', { name: 'Account' });
    expect(within(group).getByRole('option', { name: 'Account › Industry' })).toBeTruthy();
    fireEvent.change(field, { target: { value: 'account.industry' } });
    fireEvent.click(screen.getByRole('button', { name: /Industry/ }));
    fireEvent.click(await screen.findByRole('option', { name: 'Software & IT' }));
    const lists = () =>
      client.calls.filter((c) => c.method === 'list').map((c) => c.params as ListParams);
    await waitFor(() =>
      expect(lists().at(-1)?.filter).toEqual({ '==': [{ var: 'account.industry' }, 'technology'] }),
    );
  });
});
