import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Job, JobWorker } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * The outbox: after-commit side effects written in the write's transaction, claimed by workers
 * with FOR UPDATE SKIP LOCKED, retried with backoff, dead-lettered, once per idempotency key.
 */
const TICKETS = {
  kind: 'module',
  name: 'tickets',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    {
      name: 'status',
      type: 'picklist',
      default: 'open',
      options: [{ value: 'open' }, { value: 'closed' }],
    },
    { name: 'resolution', type: 'text' },
  ],
};
const FLOW = {
  kind: 'blueprint',
  module: 'tickets',
  name: 'ticket_flow',
  field: 'status',
  transitions: [
    {
      name: 'close',
      from: ['open'],
      to: 'closed',
      require: ['resolution'],
      after: [{ type: 'webhook', url: 'http://127.0.0.1/hook' }],
    },
    { name: 'reopen', from: ['closed'], to: 'open' },
  ],
};

/** A real HTTP receiver on loopback: answers 500 while `down`, counts deliveries by key. */
class Receiver {
  down = false;
  readonly received: string[] = [];
  private server: Server | undefined;
  url = '';
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (this.down) {
          res.statusCode = 500;
          res.end();
          return;
        }
        this.received.push(String(req.headers['idempotency-key']));
        res.end('ok');
      });
    });
    this.server = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }
  async stop(): Promise<void> {
    await new Promise((r) => this.server?.close(r));
  }
}

describe('jobs outbox', () => {
  let t: TestApp;
  const receiver = new Receiver();
  const jobs = async () =>
    (
      await sql<{
        id: number;
        kind: string;
        status: string;
        attempts: number;
        idempotency_key: string;
      }>`select id::int, kind, status, attempts, idempotency_key from ws_main._jobs order by id`.execute(
        t.handle.db,
      )
    ).rows;
  const worker = (handlers: Record<string, (job: Job) => Promise<void>>, options = {}) =>
    new JobWorker(t.handle.db, 'ws_main', handlers, { backoffMs: 20, ...options });
  const webhook = async (job: Job) => {
    const r = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': job.idempotencyKey },
      body: JSON.stringify(job.payload),
    });
    if (!r.ok) throw new Error(`receiver answered ${r.status}`);
  };

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([TICKETS, FLOW]);
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  it('writes a transition’s after-action into the outbox only when the transition commits', async () => {
    await sql`delete from ws_main._jobs`.execute(t.handle.db);
    const ticket = (await t.call('POST', '/api/records/tickets', { name: 'Printer' })).body;
    const refused = await t.call('POST', `/api/records/tickets/${ticket.id}/transitions/close`, {
      values: {},
      version: 1,
    });
    expect(refused.status).toBe(400);
    expect(await jobs()).toEqual([]);

    const ok = await t.call('POST', `/api/records/tickets/${ticket.id}/transitions/close`, {
      values: { resolution: 'toner' },
      version: 1,
    });
    expect(ok.status).toBe(200);
    expect(await jobs()).toEqual([
      expect.objectContaining({
        kind: 'webhook',
        status: 'pending',
        attempts: 0,
        idempotency_key: `transition_close:tickets:${ticket.id}:2:0`,
      }),
    ]);
  });

  it('retries with backoff while the receiver is down and delivers once when it is back', async () => {
    await sql`delete from ws_main._jobs`.execute(t.handle.db);
    receiver.received.length = 0;
    const ticket = (await t.call('POST', '/api/records/tickets', { name: 'Screen' })).body;
    await t.call('POST', `/api/records/tickets/${ticket.id}/transitions/close`, {
      values: { resolution: 'cable' },
      version: 1,
    });
    const w = worker({ webhook }, { backoffMs: 200 });
    receiver.down = true;
    expect(await w.runOnce()).toBe(1);
    expect((await jobs())[0]).toMatchObject({ status: 'failed', attempts: 1 });
    // Not due yet: the backoff holds it back.
    expect(await w.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 250));
    expect(await w.runOnce()).toBe(1);
    expect((await jobs())[0]).toMatchObject({ status: 'failed', attempts: 2 });
    receiver.down = false;
    // The second delay is twice the first.
    expect(await w.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 450));
    expect(await w.runOnce()).toBe(1);
    expect((await jobs())[0]).toMatchObject({ status: 'done', attempts: 3 });
    expect(await w.runOnce()).toBe(0);
    expect(receiver.received).toEqual([`transition_close:tickets:${ticket.id}:2:0`]);
  });

  it('never runs a job twice with two workers on one database', async () => {
    await sql`delete from ws_main._jobs`.execute(t.handle.db);
    await sql`insert into ws_main._jobs (kind, idempotency_key, payload)
      select 'count', 'k' || i, '{}'::jsonb from generate_series(1, 60) i`.execute(t.handle.db);
    const seen: number[] = [];
    const count = async (job: Job) => {
      seen.push(job.id);
      await new Promise((r) => setTimeout(r, 1));
    };
    const a = worker({ count }, { batch: 5 });
    const b = worker({ count }, { batch: 5 });
    const drain = async (w: JobWorker) => {
      while ((await w.runOnce()) > 0);
    };
    await Promise.all([drain(a), drain(b)]);
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
    expect((await jobs()).every((j) => j.status === 'done' && j.attempts === 1)).toBe(true);
  });

  it('takes over the job of a worker that died mid-job once its lease has passed', async () => {
    await sql`delete from ws_main._jobs`.execute(t.handle.db);
    await sql`insert into ws_main._jobs (kind, idempotency_key, payload) values ('slow', 'once', '{}')`.execute(
      t.handle.db,
    );
    let release: () => void = () => {};
    const stuck = worker(
      { slow: () => new Promise<void>((r) => (release = r)) },
      { leaseMs: 100, id: 'stuck' },
    );
    const first = stuck.runOnce();
    await new Promise((r) => setTimeout(r, 50));
    const rescuer = worker({ slow: async () => {} }, { id: 'rescuer' });
    // Still leased: nothing to take.
    expect(await rescuer.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(await rescuer.runOnce()).toBe(1);
    expect((await jobs())[0]).toMatchObject({ status: 'done', attempts: 2 });
    // The stale worker finishing late changes nothing.
    release();
    await first;
    expect((await jobs())[0]).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('dead-letters after the last attempt; an administrator sees it and retries it', async () => {
    await sql`delete from ws_main._jobs`.execute(t.handle.db);
    await sql`insert into ws_main._jobs (kind, idempotency_key, payload, max_attempts)
      values ('flaky', 'dead-one', '{}', 2), ('unknown_kind', 'nobody', '{}', 5)`.execute(
      t.handle.db,
    );
    const failing = worker({
      flaky: async () => {
        throw new Error('boom');
      },
    });
    await failing.runOnce();
    await new Promise((r) => setTimeout(r, 30));
    await failing.runOnce();
    const [flaky, unknown] = await jobs();
    expect(flaky).toMatchObject({ status: 'dead', attempts: 2 });
    // No handler for a kind: dead at once, no retry can help.
    expect(unknown).toMatchObject({ status: 'dead', attempts: 1 });

    const listed = await t.call('GET', '/api/jobs?status=dead');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((j: Job) => j.idempotencyKey).sort()).toEqual([
      'dead-one',
      'nobody',
    ]);
    expect(listed.body.data.find((j: Job) => j.kind === 'flaky').lastError).toBe('boom');
    const user = await t.userToken('someone@example.com');
    expect((await t.call('GET', '/api/jobs', undefined, user)).status).toBe(403);
    expect((await t.call('GET', '/api/jobs?status=lost')).status).toBe(400);

    const retried = await t.call('POST', `/api/jobs/${flaky?.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await t.call('POST', `/api/jobs/${flaky?.id}/retry`)).status).toBe(409);
    expect((await t.call('POST', '/api/jobs/999999/retry')).status).toBe(404);
    await worker({ flaky: async () => {} }).runOnce();
    expect((await jobs())[0]).toMatchObject({ status: 'done', attempts: 1 });
  });
});
