// @vitest-environment jsdom
import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
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
});
