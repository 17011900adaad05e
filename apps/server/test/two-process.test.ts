import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';
import {
  type Client,
  load,
  type ServerProcess,
  signIn,
  startServerProcess,
  stopServerProcess,
  Tally,
  withAdmin,
} from './support/server-process.js';

/**
 * Two server processes on one Postgres: one writes at full speed while the other applies, again
 * and again, a change that makes a field required, adds a validation rule and (every other time)
 * drops a field — then takes it back. No row may be committed under rules an apply had already replaced.
 */

const title = { name: 'title', type: 'text' };
const priority = { name: 'priority', type: 'integer' };
const note = { name: 'note', type: 'text' };

const relaxed = {
  kind: 'module',
  name: 'tickets',
  recordName: 'title',
  fields: [title, priority, { name: 'code', type: 'text' }, note],
};

/** Makes `code` required and adds a rule; with `dropNote`, also drops a field. */
const strict = (dropNote: boolean) => ({
  kind: 'module',
  name: 'tickets',
  recordName: 'title',
  fields: [
    title,
    priority,
    { name: 'code', type: 'text', required: true },
    ...(dropNote ? [] : [note]),
  ],
  validationRules: [
    {
      name: 'priority_cap',
      field: 'priority',
      when: { '>': [{ var: 'priority' }, 5] },
      message: { en: 'may be at most 5' },
    },
  ],
});

/** Four kinds of writes: fine under both rule sets, or refused by exactly one strict change. */
function ticket(i: number): Record<string, unknown> {
  switch (i % 4) {
    case 0:
      return { title: `t${i}`, priority: 3, code: 'c' };
    case 1:
      return { title: `t${i}`, priority: 3 }; // no code: refused once it is required
    case 2:
      return { title: `t${i}`, priority: 9, code: 'c' }; // breaks the rule
    default:
      return { title: `t${i}`, priority: 2, code: 'c', note: 'n' }; // a field being dropped
  }
}

describe('two server processes on one Postgres', () => {
  let db: TestDatabase;
  let writer: ServerProcess;
  let applier: ServerProcess;
  let writes: Client;
  let applies: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    // One at a time: both would migrate the same fresh database.
    writer = startServerProcess(db.url);
    writes = await signIn(await writer.up);
    applier = startServerProcess(db.url);
    applies = await signIn(await applier.up);
  });
  afterAll(async () => {
    await Promise.all([writer, applier].filter(Boolean).map(stopServerProcess));
    await db?.drop();
  });

  it('agree on the rules under load: no stale row, no 5xx', async () => {
    expect((await applies.call('POST', '/api/meta/apply', { documents: [relaxed] })).status).toBe(
      200,
    );
    // The writer has heard of the module before the load starts.
    for (let i = 0; (await writes.call('GET', '/api/records/tickets')).status !== 200; i++) {
      expect(i).toBeLessThan(200);
      await sleep(25);
    }

    let stop = false;
    const tally = new Tally();
    const running = load(
      8,
      () => stop,
      async (w, i) => {
        try {
          tally.add(await writes.call('POST', '/api/records/tickets', ticket(w * 1_000_000 + i)));
        } catch {
          tally.noReply++;
        }
      },
    );
    const applyTally = new Tally();
    const cycles = 3;
    for (let c = 0; c < cycles; c++) {
      // With the drop, a write under stale rules fails on the missing column; without it, it
      // would commit a stale row: both are checked.
      for (const doc of [strict(c % 2 === 1), relaxed]) {
        await sleep(400);
        const a = await applies.call('POST', '/api/meta/apply', {
          documents: [doc],
          allowDestructive: true,
        });
        applyTally.add(a);
        expect(a.status, JSON.stringify(a.body)).toBe(200);
      }
    }
    await sleep(400);
    stop = true;
    await running;

    // A write takes its transaction id after it holds the shared metadata lock, and an apply
    // after it holds it exclusively: rows with an id between a strict revision's and the next
    // one's were committed under the strict rules.
    const { stale, underStrict, total } = await withAdmin(db.url, async (client) => {
      const revisions = (
        await client.query(
          'select n, xmin::text::bigint as x from ws_main._meta_revisions order by n',
        )
      ).rows as { n: number; x: string }[];
      expect(revisions.length).toBe(1 + 2 * cycles);
      const windows = revisions
        .filter((_, k) => k % 2 === 1)
        .map((r, k) => [r.x, revisions[2 * k + 2]?.x ?? String(2 ** 62)] as const);
      let stale = 0;
      let underStrict = 0;
      for (const [from, to] of windows) {
        const r = await client.query(
          `select count(*)::int as n,
             count(*) filter (where code is null or priority > 5)::int as stale
           from ws_main.tickets where xmin::text::bigint > $1 and xmin::text::bigint < $2`,
          [from, to],
        );
        underStrict += r.rows[0].n;
        stale += r.rows[0].stale;
      }
      const total = (await client.query('select count(*)::int as n from ws_main.tickets')).rows[0]
        .n as number;
      return { stale, underStrict, total };
    });
    console.log(
      `[two-process] ${cycles * 2} applies while writing: ${tally.ok} writes made (${total} rows), ` +
        `${underStrict} of them under the strict rules; ${stale} stale rows; ` +
        `writer replies ${tally}; apply replies ${applyTally}`,
    );
    expect(writer.alive() && applier.alive()).toBe(true);
    expect(stale).toBe(0);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.count((s) => s >= 500)).toBe(0);
    expect(tally.noReply).toBe(0);
    expect(tally.outOfShape).toBe(0);
    expect(underStrict).toBeGreaterThan(0);
    // The strict rules refused writes: the load did run under them.
    expect(tally.byStatus.get(400) ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
