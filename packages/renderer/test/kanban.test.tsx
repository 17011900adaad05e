// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { RenderContext } from '../src/client.js';
import { Kanban } from '../src/Kanban.js';
import { MemoryClient } from './support/memory-client.js';
import { installLayoutShims, templateDocuments } from './support/template.js';

installLayoutShims();
afterEach(cleanup);

const documents = templateDocuments();

describe('Kanban', () => {
  it('renders a column per option in option order, with counts and the sum of the amount', async () => {
    const deal = (name: string, stage: string, amount: number) => ({
      name,
      stage,
      amount,
      currency_code: 'CNY',
    });
    const client = new MemoryClient(documents, {
      deals: [
        deal('A', 'proposal', 1000),
        deal('B', 'qualification', 200000),
        deal('C', 'proposal', 500.5),
        deal('D', 'closed_won', 1200000),
      ],
    });
    const ctx: RenderContext = { documents, locale: 'zh-CN', timeZone: 'Asia/Shanghai', client };
    render(<Kanban ctx={ctx} module="deals" view="pipeline" />);
    const headings = await screen.findAllByRole('heading', { level: 3 });
    expect(headings.map((h) => h.querySelector('.at-kanban-name')?.textContent)).toEqual([
      '初步沟通',
      '需求确认',
      '方案报价',
      '商务谈判',
      '赢单',
      '输单',
    ]);
    const column = (name: string) => screen.getByRole('region', { name: new RegExp(name) });
    await waitFor(() => expect(within(column('方案报价')).getByText('2')).toBeTruthy());
    const sum = (name: string) => column(name).querySelector('.at-kanban-sum')?.textContent;
    expect(sum('方案报价')).toBe('¥1,500.50');
    expect(sum('赢单')).toBe('¥1,200,000.00');
    expect(column('需求确认').querySelector('.at-kanban-count')?.textContent).toBe('0');
    expect(
      [...column('方案报价').querySelectorAll('.at-card-title')].map((t) => t.textContent),
    ).toEqual(['A', 'C']);
  });

  it('moves a card through the write path, and snaps it back with the reason when refused', async () => {
    const client = new MemoryClient(documents, {
      deals: [
        { name: 'Mover', stage: 'qualification', amount: 10, currency_code: 'CNY' },
        { name: 'Stuck', stage: 'qualification', amount: 20, currency_code: 'CNY' },
      ],
    });
    client.refuse = (_m, values) =>
      values.name === 'Stuck' && values.stage !== 'qualification'
        ? [{ path: 'stage', message: 'Needs an approved quote first.' }]
        : undefined;
    layOutColumns();
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client };
    render(<Kanban ctx={ctx} module="deals" view="pipeline" />);
    const column = (name: string) => screen.getByRole('region', { name: new RegExp(name) });
    const card = async (name: string) =>
      (await screen.findByText(name)).closest('.at-card') as HTMLElement;
    await drag(await card('Mover'), 2);
    await waitFor(() => expect(client.tables.get('deals')?.[0]?.stage).toBe('proposal'));
    expect(within(column('Proposal')).getByText('Mover')).toBeTruthy();
    await drag(await card('Stuck'), 2);
    expect(await screen.findByRole('alert')).toHaveProperty(
      'textContent',
      expect.stringContaining('Needs an approved quote first.'),
    );
    await waitFor(() => expect(within(column('Qualification')).getByText('Stuck')).toBeTruthy());
    expect(client.tables.get('deals')?.[1]?.stage).toBe('qualification');
  });
});

/** Columns 300 px apart (jsdom lays nothing out; dnd-kit measures rects). */
function layOutColumns(): void {
  Element.prototype.getBoundingClientRect = function (this: Element) {
    const columnEl = this.closest('[data-option]');
    const columns = [...document.querySelectorAll('[data-option]')];
    const index = columnEl ? columns.indexOf(columnEl) : -1;
    if (index < 0) return new DOMRect(0, 0, 0, 0);
    const isColumn = this === columnEl;
    return new DOMRect(index * 300, isColumn ? 0 : 100, 272, isColumn ? 800 : 60);
  };
}

/** Drags a card by pointer `columns` columns to the right. */
async function drag(card: HTMLElement, columns: number): Promise<void> {
  const start = card.getBoundingClientRect();
  const x = start.x + 10;
  const y = start.y + 10;
  await act(async () => {
    fireEvent.pointerDown(card, { clientX: x, clientY: y, isPrimary: true, button: 0 });
  });
  for (let step = 1; step <= 4; step++)
    await act(async () => {
      fireEvent.pointerMove(document, {
        clientX: x + (step * columns * 300) / 4,
        clientY: y,
        isPrimary: true,
      });
    });
  await act(async () => {
    fireEvent.pointerUp(document, { clientX: x + columns * 300, clientY: y, isPrimary: true });
  });
}

describe('Kanban with an aggregating client', () => {
  it('heads columns with whole-column figures when the client aggregates', async () => {
    const deals = Array.from({ length: 7 }, (_, i) => ({
      name: `Deal ${i}`,
      stage: 'proposal',
      amount: 100,
      currency_code: 'CNY',
    }));
    const client = new MemoryClient(documents, { deals });
    const asked: unknown[] = [];
    const aggregating = Object.assign(Object.create(client), {
      aggregate: async (_module: string, params: { groupBy: string; sum?: string }) => {
        asked.push(params);
        const rows = client.tables.get('deals') ?? [];
        const keys = [...new Set(rows.map((r) => String(r.stage)))];
        return keys.map((key) => {
          const mine = rows.filter((r) => r.stage === key);
          const value = mine.reduce((a, r) => a + Number(r.amount), 0);
          return { key, count: mine.length, sums: [{ currency: 'CNY', value }] };
        });
      },
    });
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'UTC', client: aggregating };
    render(<Kanban ctx={ctx} module="deals" view="pipeline" pageSize={2} />);
    const column = await screen.findByRole('region', { name: /Proposal/ });
    // Two cards loaded of seven: the header still tells the whole column.
    await waitFor(() => expect(column.querySelectorAll('.at-card')).toHaveLength(2));
    await waitFor(() =>
      expect(column.querySelector('.at-kanban-sum')?.textContent).toBe('CN¥700.00'),
    );
    expect(column.querySelector('.at-kanban-count')?.textContent).toBe('7');
    expect(asked).toEqual([{ groupBy: 'stage', sum: 'amount', view: 'pipeline' }]);
  });
});
