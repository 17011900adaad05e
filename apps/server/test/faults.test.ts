import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyChange, createDb, createEngine } from '@atrium/engine';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';
import { findFreePort, makeTempDir } from '../../../scripts/test/global-setup.js';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';
import {
  type Answer,
  type Client,
  load,
  type ServerProcess,
  signIn,
  startServerProcess,
  stopServerProcess,
  Tally,
  terminateSessions,
  waitFor,
  withAdmin,
} from './support/server-process.js';

/**
 * Faults a server must ride through by itself: its connections killed, its metadata listener
 * killed, its Postgres restarted, itself killed with SIGKILL. Figures are printed per test.
 */

const notes = {
  kind: 'module',
  name: 'notes',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'n', type: 'integer' },
  ],
};

const moduleNamed = (name: string) => ({
  kind: 'module',
  name,
  recordName: 'title',
  fields: [{ name: 'title', type: 'text' }],
});

/** Creates notes from `workers` loops until `until()`; tallies replies, keeps acknowledged ids. */
function writeLoad(api: Client, workers: number, until: () => boolean) {
  const tally = new Tally();
  const acked: string[] = [];
  const done = load(workers, until, async (w, i) => {
    try {
      const a = await api.call('POST', '/api/records/notes', { title: `w${w}-${i}`, n: i });
      tally.add(a);
      if (a.status === 201) acked.push(a.body.id);
      // While the database is away, do not spin on the CPU the server needs.
      else if (a.status === 503) await sleep(20);
    } catch {
      tally.noReply++;
      await sleep(20);
    }
  });
  return { tally, acked, done };
}

/** Applies `documents` as another node would: its own pool and engine, in this process. */
async function applyElsewhere(url: string, documents: unknown[]): Promise<number> {
  const handle = createDb(url, { max: 1 });
  try {
    const engine = await createEngine(handle.db, { workspace: 'main' });
    return (await applyChange(engine, { documents }, null)).revision;
  } finally {
    await handle.destroy();
  }
}

/** Whether one session of the database waits on a lock running a statement like `queryLike`. */
async function waitingOn(url: string, queryLike: string): Promise<boolean> {
  return withAdmin(url, async (c) => {
    const r = await c.query(
      `select 1 from pg_stat_activity where datname = current_database()
       and wait_event_type = 'Lock' and query ilike $1`,
      [queryLike],
    );
    return r.rows.length === 1;
  });
}

/** How many of `ids` are stored. */
async function stored(url: string, ids: string[]): Promise<number> {
  return withAdmin(url, async (c) => {
    const r = await c.query('select count(*)::int as n from ws_main.notes where id = any($1)', [
      ids,
    ]);
    return r.rows[0].n as number;
  });
}

describe('a server on a shared Postgres', () => {
  let db: TestDatabase;
  let server: ServerProcess;
  let api: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    server = startServerProcess(db.url);
    api = await signIn(await server.up);
    expect((await api.call('POST', '/api/meta/apply', { documents: [notes] })).status).toBe(200);
  });
  afterAll(async () => {
    if (server) await stopServerProcess(server);
    await db?.drop();
  });

  it('rides through its connections being terminated, idle and under load', async () => {
    // Idle: the pool holds connections from the apply; all of them die at once.
    expect(await terminateSessions(db.url)).toBeGreaterThan(0);
    await sleep(200);
    expect(
      (await api.call('POST', '/api/records/notes', { title: 'after idle kill' })).status,
    ).toBe(201);

    let stop = false;
    const { tally, acked, done } = writeLoad(api, 6, () => stop);
    const recoveries: number[] = [];
    let killed = 0;
    for (let k = 0; k < 3; k++) {
      await sleep(400);
      killed += await terminateSessions(db.url);
      recoveries.push(
        await waitFor(
          'a write after the kill',
          async () =>
            (await api.call('POST', '/api/records/notes', { title: 'probe' })).status === 201,
          5_000,
          0,
        ),
      );
    }
    await sleep(300);
    stop = true;
    await done;
    console.log(
      `[faults] pool kills: ${killed} sessions terminated in 3 rounds under load; replies ${tally}; ` +
        `first write after each kill in ${recoveries.join(', ')} ms`,
    );
    expect(server.alive()).toBe(true);
    expect(tally.noReply).toBe(0);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.failed).toBe(0);
    expect(tally.outOfShape).toBe(0);
    expect(tally.ok).toBeGreaterThan(0);
    expect(await stored(db.url, acked)).toBe(acked.length);
  });

  it('answers 503 in the error shape, not 500, for a request cut off mid-transaction', async () => {
    // The write's INSERT waits on a table lock held here, and its session is terminated there.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    let a: Answer;
    try {
      await blocker.query('begin');
      await blocker.query('lock table ws_main.notes in exclusive mode');
      const write = api.call('POST', '/api/records/notes', { title: 'cut off' });
      await waitFor(
        'the write waiting on its INSERT',
        // A create's INSERT is the first part of its statement (its history entry is in a CTE).
        () => waitingOn(db.url, '%insert into "ws_main"."notes"%'),
        10_000,
      );
      expect(await terminateSessions(db.url, '%insert into "ws_main"."notes"%', true)).toBe(1);
      a = await write;
      await blocker.query('rollback');
    } finally {
      await blocker.end();
    }
    expect(a.status).toBe(503);
    expect(a.body.error.code).toBe('DATABASE_UNAVAILABLE');
    expect(a.body.error.details).toEqual([]);
  });

  it('hears of new revisions again after its listener connection is terminated', async () => {
    // Two listeners: the metadata's and the credentials'.
    expect(await terminateSessions(db.url, 'listen%')).toBe(2);
    const killedAt = Date.now();
    // One revision right away (before it listens again), one once it surely listens again.
    await applyElsewhere(db.url, [moduleNamed('first_after_kill')]);
    const first = await waitFor(
      'a module applied by another node right after the kill',
      async () => (await api.call('GET', '/api/records/first_after_kill')).status === 200,
      10_000,
    );
    await sleep(500);
    const appliedAt = Date.now();
    await applyElsewhere(db.url, [moduleNamed('second_after_kill')]);
    const second = await waitFor(
      'a module applied by another node later',
      async () => (await api.call('GET', '/api/records/second_after_kill')).status === 200,
      10_000,
    );
    console.log(
      `[faults] listener killed: the next revision seen ${first} ms after its apply ` +
        `(${Date.now() - killedAt} ms after the kill), a later one in ${second} ms ` +
        `(${Date.now() - appliedAt} ms with the apply)`,
    );
    expect(
      await withAdmin(
        db.url,
        async (c) =>
          (
            await c.query(
              `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen%'`,
            )
          ).rows[0].n,
      ),
    ).toBe(2);
  });

  it('listens again after each loss, and close() stops listening and retrying', async () => {
    const url = `${db.url}?application_name=closing_cache`;
    const sessions = () =>
      withAdmin(db.url, async (c) => {
        const r = await c.query(
          `select count(*)::int as n from pg_stat_activity where application_name = 'closing_cache'`,
        );
        return r.rows[0].n as number;
      });
    const handle = createDb(db.url, { max: 2 });
    try {
      const engine = await createEngine(handle.db, { workspace: 'main' });
      await engine.metadata.listen(url);
      expect(await sessions()).toBe(1);
      for (let k = 0; k < 2; k++) {
        await terminateSessions(url, 'listen%');
        await waitFor('the listener back', async () => (await sessions()) === 1, 5_000);
      }
      // Lost, then closed while a retry is pending: no session comes back.
      await terminateSessions(url, 'listen%');
      await engine.metadata.close();
      await sleep(1_500);
      expect(await sessions()).toBe(0);
    } finally {
      await handle.destroy();
    }
  });

  it('loses no acknowledged write when killed with SIGKILL mid-load', async () => {
    const victim = startServerProcess(db.url);
    const victimApi = await signIn(await victim.up);
    let stop = false;
    const { tally, acked, done } = writeLoad(victimApi, 6, () => stop);
    await sleep(800);
    stop = true;
    victim.child.kill('SIGKILL');
    await done;
    await victim.exited;
    expect(acked.length).toBeGreaterThan(0);
    const restarted = startServerProcess(db.url);
    try {
      const again = await signIn(await restarted.up);
      expect(await stored(db.url, acked)).toBe(acked.length);
      const sample = acked.slice(-5);
      for (const id of sample)
        expect((await again.call('GET', `/api/records/notes/${id}`)).status).toBe(200);
      expect(
        (await again.call('POST', '/api/records/notes', { title: 'after restart' })).status,
      ).toBe(201);
      console.log(
        `[faults] SIGKILL mid-load: ${acked.length} writes acknowledged, all ${acked.length} found after restart; ` +
          `replies ${tally}`,
      );
    } finally {
      await stopServerProcess(restarted);
    }
    expect(tally.failed).toBe(0);
  });
  it('leaves metadata and tables in agreement when killed with SIGKILL mid-apply', async () => {
    const columns = () =>
      withAdmin(db.url, async (c) => {
        const r = await c.query(
          `select column_name from information_schema.columns
           where table_schema = 'ws_main' and table_name = 'notes'`,
        );
        return r.rows.map((row) => row.column_name as string);
      });
    const withExtra = { ...notes, fields: [...notes.fields, { name: 'extra', type: 'text' }] };
    const victim = startServerProcess(db.url);
    const victimApi = await signIn(await victim.up);
    const before = (await victimApi.call('GET', '/api/meta')).body.revision as number;
    // A reader holds the table, so the apply stops at its ALTER TABLE: kill it there.
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query('lock table ws_main.notes in access share mode');
      const applying = victimApi
        .call('POST', '/api/meta/apply', { documents: [withExtra] })
        .catch(() => undefined);
      await waitFor(
        'the apply waiting on its ALTER TABLE',
        () => waitingOn(db.url, 'alter table%'),
        10_000,
      );
      victim.child.kill('SIGKILL');
      await victim.exited;
      expect(await applying).toBeUndefined();
      await blocker.query('rollback');
    } finally {
      await blocker.end();
    }
    const restarted = startServerProcess(db.url);
    try {
      const again = await signIn(await restarted.up);
      // The killed apply's transaction never committed: neither its revision nor its column.
      await waitFor(
        'the killed apply rolled back',
        async () => !(await columns()).includes('extra'),
        5_000,
      );
      expect((await again.call('GET', '/api/meta')).body.revision).toBe(before);
      const retried = await again.call('POST', '/api/meta/apply', { documents: [withExtra] });
      expect(retried.status).toBe(200);
      expect(retried.body.revision).toBe(before + 1);
      expect(await columns()).toContain('extra');
      expect(
        (await again.call('POST', '/api/records/notes', { title: 'with extra', extra: 'x' }))
          .status,
      ).toBe(201);
    } finally {
      await stopServerProcess(restarted);
    }
  });
});

describe('a server whose Postgres restarts under load', () => {
  it('answers 503 while it is down and recovers by itself', async () => {
    const dataDir = await makeTempDir('atrium-fault-pg-');
    const port = await findFreePort();
    let database = await startEmbeddedPostgres({ dataDir, port });
    let server: ServerProcess | undefined;
    try {
      server = startServerProcess(database.url);
      const api = await signIn(await server.up);
      expect((await api.call('POST', '/api/meta/apply', { documents: [notes] })).status).toBe(200);

      let stop = false;
      const { tally, acked, done } = writeLoad(api, 4, () => stop);
      await sleep(500);
      const okBefore = tally.ok;
      await database.stop();
      const downAt = Date.now();
      await sleep(1_000);
      const unavailableWhileDown = tally.unavailable;
      database = await startEmbeddedPostgres({ dataDir, port });
      const backAt = Date.now();
      const recovery = await waitFor(
        'a write after Postgres is back',
        async () =>
          (await api.call('POST', '/api/records/notes', { title: 'probe' })).status === 201,
        10_000,
        0,
      );
      await sleep(500);
      stop = true;
      await done;

      // The listener reconnects with backoff: a revision applied now reaches the server.
      await applyElsewhere(database.url, [moduleNamed('after_restart')]);
      const heard = await waitFor(
        'a module applied after the restart',
        async () => (await api.call('GET', '/api/records/after_restart')).status === 200,
        15_000,
      );
      console.log(
        `[faults] Postgres restart: down ${backAt - downAt} ms, ${unavailableWhileDown} × 503 meanwhile; ` +
          `first write ${recovery} ms after it was back; a new revision seen ${heard} ms after its apply; ` +
          `replies ${tally} (${okBefore} ok before the stop)`,
      );
      expect(server.alive()).toBe(true);
      expect(unavailableWhileDown).toBeGreaterThan(0);
      expect(tally.noReply).toBe(0);
      expect(tally.serverErrors).toEqual([]);
      expect(tally.failed).toBe(0);
      expect(tally.outOfShape).toBe(0);
      expect(await stored(database.url, acked)).toBe(acked.length);
    } finally {
      if (server) await stopServerProcess(server);
      await database.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
