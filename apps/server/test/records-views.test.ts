import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  filterParam,
  fullProfile,
  type Reply,
  startTestApp,
  type TestApp,
} from './support/test-app.js';

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'amount', type: 'currency' },
    {
      name: 'stage',
      type: 'picklist',
      options: [{ value: 'open' }, { value: 'won' }, { value: 'lost' }],
    },
    { name: 'close', type: 'date' },
  ],
};

/** "My open deals": a view, not code. */
const MY_OPEN = {
  kind: 'view',
  module: 'deals',
  name: 'my_open',
  type: 'table',
  columns: ['name', 'amount', 'stage'],
  filter: {
    and: [
      { '==': [{ var: 'owner_id' }, { var: '$user.id' }] },
      { '==': [{ var: 'stage' }, 'open'] },
    ],
  },
  sort: [{ field: 'amount', dir: 'desc' }],
};

type Row = Reply['body'];

describe('records: saved views', () => {
  let t: TestApp;
  let other: string;
  let otherId: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, MY_OPEN, fullProfile(['deals'])]);
    other = await t.userToken('seller@example.com', { profile: 'full' });
    otherId = (await t.call('GET', '/api/auth/me', undefined, other)).body.id;
    for (let i = 0; i < 10; i++) {
      for (const [who, token] of [
        ['admin', t.token],
        ['seller', other],
      ] as const) {
        const r = await t.call(
          'POST',
          '/api/records/deals',
          {
            name: `${who} ${i}`,
            amount: i * 10 + (who === 'admin' ? 1 : 2),
            stage: ['open', 'won', 'lost'][i % 3],
            close: `2026-05-${String(i + 1).padStart(2, '0')}`,
          },
          token,
        );
        expect(r.status, JSON.stringify(r.body)).toBe(201);
      }
    }
  });
  afterAll(async () => t.close());

  const list = (query: string, token = t.token) =>
    t.call('GET', `/api/records/deals?${query}`, undefined, token);

  it("applies the view's filter, sort and columns, with $user.id the caller", async () => {
    const mine = await list('view=my_open');
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    expect(mine.body.data.map((d: Row) => d.name)).toEqual([
      'admin 9',
      'admin 6',
      'admin 3',
      'admin 0',
    ]);
    for (const d of mine.body.data) {
      expect(Object.keys(d).sort()).toEqual([
        'amount',
        'currency_code',
        'id',
        'name',
        'stage',
        'version',
      ]);
    }
    const theirs = await list('view=my_open', other);
    expect(theirs.body.data.map((d: Row) => d.name)).toEqual([
      'seller 9',
      'seller 6',
      'seller 3',
      'seller 0',
    ]);
  });

  it('narrows a view with the request: filter ANDed, sort replaced, fields within the columns', async () => {
    const cheap = await list(
      `view=my_open&filter=${filterParam({ '<': [{ var: 'amount' }, 50] })}`,
    );
    expect(cheap.body.data.map((d: Row) => d.name)).toEqual(['admin 3', 'admin 0']);
    const byName = await list('view=my_open&sort=name');
    expect(byName.body.data.map((d: Row) => d.name)).toEqual([
      'admin 0',
      'admin 3',
      'admin 6',
      'admin 9',
    ]);
    const narrow = await list('view=my_open&fields=name');
    for (const d of narrow.body.data) {
      // the sort key (amount) comes along for paging, money with its currency
      expect(Object.keys(d).sort()).toEqual(['amount', 'currency_code', 'id', 'name', 'version']);
    }
    const outside = await list('view=my_open&fields=name,close');
    expect(outside.status).toBe(400);
    expect(outside.body.error.code).toBe('INVALID_QUERY');
    expect(outside.body.error.details).toEqual([
      { path: 'fields', message: expect.stringContaining('close') },
    ]);
    const counted = await list('view=my_open&count=true&limit=1');
    expect(counted.body.count).toEqual({ value: 4, exact: true });
  });

  it('pages through a view; its cursor is bound to the view', async () => {
    const first = await list('view=my_open&limit=3');
    expect(first.body.data).toHaveLength(3);
    const rest = await list(`view=my_open&limit=3&cursor=${first.body.nextCursor}`);
    expect(rest.body.data.map((d: Row) => d.name)).toEqual(['admin 0']);
    expect(rest.body.nextCursor).toBeNull();
    const without = await list(`sort=-amount&limit=3&cursor=${first.body.nextCursor}`);
    expect(without.status).toBe(400);
    expect(without.body.error.details[0].path).toBe('cursor');
    // "my" differs per caller: another user's page of the view is not theirs to continue
    const theirs = await list(`view=my_open&limit=3&cursor=${first.body.nextCursor}`, other);
    expect(theirs.status).toBe(400);
    expect(theirs.body.error.details[0].path).toBe('cursor');
  });

  it('refuses an unknown view on its path', async () => {
    for (const name of ['nope', 'MY_OPEN']) {
      const r = await list(`view=${name}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('INVALID_QUERY');
      expect(r.body.error.details.map((d: Row) => d.path)).toEqual(['view']);
    }
  });

  it('lets a request filter name the caller too', async () => {
    const r = await list(
      `limit=200&filter=${filterParam({ '==': [{ var: 'owner_id' }, { var: '$user.id' }] })}`,
      other,
    );
    expect(r.status).toBe(200);
    expect(r.body.data).toHaveLength(10);
    for (const d of r.body.data) expect(d.owner_id).toBe(otherId);
    const unknown = await list(
      `filter=${filterParam({ '==': [{ var: 'owner_id' }, { var: '$user.boss' }] })}`,
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].path).toBe('filter.==[1]');
  });

  it('refuses at apply a view whose filter names an unknown variable', async () => {
    const r = await t.call('POST', '/api/meta/apply', {
      documents: [
        {
          ...MY_OPEN,
          name: 'broken',
          filter: { '==': [{ var: 'owner_id' }, { var: '$me' }] },
        },
      ],
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.error.details)).toContain('$me');
  });
});
