// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { PendingApproval, RecordValues, RenderContext } from '../src/client.js';
import { RecordDetail } from '../src/RecordDetail.js';
import { MemoryClient } from './support/memory-client.js';
import { installLayoutShims, templateDocuments } from './support/template.js';

installLayoutShims();
afterEach(cleanup);

const documents = templateDocuments();

describe('RecordDetail', () => {
  it('shows the sections, a related list with a pre-linked New, and the history timeline', async () => {
    const people = [{ id: 'u1', name: 'Li Lei', email: 'li@example.com' }];
    const client = new MemoryClient(
      documents,
      { accounts: [{ name: 'Acme', industry: 'manufacturing' }] },
      people,
    );
    const account = client.tables.get('accounts')?.[0] as RecordValues;
    await client.create('deals', {
      name: 'Big deal',
      account: account.id,
      stage: 'proposal',
      amount: 5000,
      currency_code: 'CNY',
    });
    client.historyRows.set(`accounts:${account.id}`, [
      {
        id: 2,
        action: 'update',
        actor: 'u1',
        at: '2026-11-27T01:30:00.000Z',
        changes: { name: { from: 'Acme Ltd', to: 'Acme' } },
      },
      { id: 1, action: 'create', actor: 'u1', at: '2026-11-26T01:00:00.000Z', changes: {} },
    ]);
    const ctx: RenderContext = { documents, locale: 'en', timeZone: 'Asia/Shanghai', client };
    const created: unknown[] = [];
    render(
      <RecordDetail
        ctx={ctx}
        module="accounts"
        id={String(account.id)}
        onNewRelated={(m, v) => created.push([m, v])}
      />,
    );
    expect(await screen.findByRole('heading', { level: 2, name: 'Acme' })).toBeTruthy();
    const deals = await screen.findByRole('region', { name: /Deals/ });
    await waitFor(() => expect(within(deals).getByText('Big deal')).toBeTruthy());
    expect(within(deals).getByRole('heading').textContent).toContain('(1)');
    fireEvent.click(within(deals).getByRole('button', { name: /New/ }));
    expect(created).toEqual([['deals', { account: account.id }]]);
    const history = screen.getByRole('complementary', { name: 'History' });
    await waitFor(() => expect(within(history).getByText(/changed Account name/)).toBeTruthy());
    expect(within(history).getAllByText('Li Lei').length).toBe(2);
    expect(within(history).getByText('Acme Ltd')).toBeTruthy();
    expect(within(history).getByText('Nov 27, 2026, 09:30')).toBeTruthy();
  });

  it('shows the blueprint path and runs a transition, asking first for the field it requires', async () => {
    const blueprint = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../../templates/b2b-sales/blueprints/sales_process.json'),
        'utf8',
      ),
    );
    const docs = [...documents, blueprint];
    const client = new MemoryClient(docs, { deals: [{ name: 'Pathed', stage: 'needs_analysis' }] });
    const ran: unknown[] = [];
    const transitioning = Object.assign(Object.create(client), {
      transition: async (
        module: string,
        id: string,
        name: string,
        body: { values?: RecordValues; version: number },
      ) => {
        ran.push({ name, ...body });
        const t = blueprint.transitions.find((x: { name: string }) => x.name === name);
        return client.update(module, id, { ...body.values, stage: t.to, version: body.version });
      },
    });
    const told: string[] = [];
    const ctx: RenderContext = {
      documents: docs,
      locale: 'en',
      timeZone: 'UTC',
      client: transitioning,
      notify: (text) => told.push(text),
    };
    const deal = client.tables.get('deals')?.[0] as RecordValues;
    render(<RecordDetail ctx={ctx} module="deals" id={String(deal.id)} />);
    const path = await screen.findByRole('list', { name: 'Stage' });
    const current = () => path.querySelector('[aria-current="step"]')?.firstChild?.textContent;
    expect(current()).toBe('Needs analysis');
    expect(path.querySelector('[data-state="done"]')?.textContent).toBe('Qualification');
    // "Send proposal" requires the amount the deal lacks: the path asks for it.
    fireEvent.click(screen.getByRole('button', { name: 'Send proposal' }));
    const step = screen.getByRole('form', { name: 'Send proposal' });
    fireEvent.change(within(step).getByRole('textbox', { name: /Amount/ }), {
      target: { value: '2500' },
    });
    fireEvent.click(within(step).getByRole('button', { name: 'Send proposal' }));
    await waitFor(() => expect(current()).toBe('Proposal / quote'));
    expect(ran).toEqual([{ name: 'propose', values: { amount: 2500 }, version: 1 }]);
    expect(told).toEqual(['Send proposal: now Proposal / quote']);
    expect(client.tables.get('deals')?.[0]).toMatchObject({ stage: 'proposal', amount: 2500 });
  });

  it('names a transition held for approval in place of the buttons, and says it was sent', async () => {
    const blueprint = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../../templates/b2b-sales/blueprints/sales_process.json'),
        'utf8',
      ),
    );
    const docs = [...documents, blueprint];
    const people = [{ id: 'u1', name: 'Li Lei', email: 'li@example.com' }];
    const client = new MemoryClient(
      docs,
      {
        deals: [
          { name: 'Held', stage: 'proposal', amount: 900, discount: 25, close_date: '2026-12-31' },
        ],
      },
      people,
    );
    let pending: PendingApproval | null = null;
    const asked: string[] = [];
    const holding = Object.assign(Object.create(client), {
      // As the server answers 202: the record unchanged, an approval pending from now on.
      transition: async (module: string, id: string, name: string) => {
        pending = { id: 7, transition: name, requestedBy: 'u1', createdAt: '2026-11-27T06:05:00Z' };
        return client.get(module, id);
      },
      pendingApproval: async (module: string, id: string) => {
        asked.push(`${module}:${id}`);
        return pending;
      },
    });
    const told: string[] = [];
    const ctx: RenderContext = {
      documents: docs,
      locale: 'en',
      timeZone: 'Asia/Shanghai',
      client: holding,
      notify: (text) => told.push(text),
    };
    const deal = client.tables.get('deals')?.[0] as RecordValues;
    render(<RecordDetail ctx={ctx} module="deals" id={String(deal.id)} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Mark as won' }));
    const note = await screen.findByRole('status');
    expect(note.textContent).toBe(
      'Awaiting approval: Mark as won — asked by Li Lei, Nov 27, 2026, 14:05',
    );
    expect(told).toEqual(['Mark as won: sent for approval; the stage changes once it is approved']);
    // No transition runs while it waits: the buttons are gone, the stage has not moved.
    expect(screen.queryByRole('button', { name: 'Mark as won' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Mark as lost' })).toBeNull();
    expect(client.tables.get('deals')?.[0]).toMatchObject({ stage: 'proposal' });
    expect(asked.length).toBeGreaterThanOrEqual(2);
  });
});
