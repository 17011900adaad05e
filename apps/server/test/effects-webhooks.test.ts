import {
  createDb,
  type DbHandle,
  enqueueJob,
  JobWorker,
  sideEffectHandlers,
  webhookTargetProblem,
} from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from './support/effect-receivers.js';
import {
  type ServerProcess,
  startServerProcess,
  stopServerProcess,
} from './support/server-process.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Webhook jobs delivered by the workers to a real HTTP receiver on loopback: signed, retried with
 * backoff, once per event as far as a receiver that dedupes on Idempotency-Key can tell, even
 * when a worker process is killed mid-delivery or several workers share the database.
 */
describe('webhook side effects', () => {
  let t: TestApp;
  const receiver = new WebhookReceiver();
  const allow = { webhookAllowHosts: ['127.0.0.1'] };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const body = (n: number | string) => ({
    event: 'update',
    module: 'deals',
    record: { id: `r${n}` },
    automation: 'stage_hook',
    at: '2026-11-27T10:00:00.000Z',
  });
  const enqueue = (key: string, url = receiver.url, payload: unknown = body(key)) =>
    enqueueJob(t.handle.db, 'ws_main', {
      kind: 'webhook',
      idempotencyKey: key,
      payload: { url, body: payload },
    });
  const job = async (key: string) =>
    (
      await sql<{ status: string; attempts: number; last_error: string | null }>`
        select status, attempts, last_error from ws_main._jobs where idempotency_key = ${key}`.execute(
        t.handle.db,
      )
    ).rows[0];

  /** The backoff the worker chose: run_at and updated_at are set by the same statement. */
  const delay = async (key: string) =>
    (
      await sql<{ ms: number }>`select (extract(epoch from run_at - updated_at) * 1000)::int as ms
        from ws_main._jobs where idempotency_key = ${key}`.execute(t.handle.db)
    ).rows[0]?.ms;
  const untilDue = async (key: string) => {
    for (let i = 0; i < 200; i++) {
      const r = await sql<{ due: boolean }>`select run_at <= now() as due from ws_main._jobs
        where idempotency_key = ${key}`.execute(t.handle.db);
      if (r.rows[0]?.due) return;
      await sleep(20);
    }
  };

  beforeAll(async () => {
    t = await startTestApp();
    await receiver.start();
    // The workspace's own secret, as an administrator reads it to configure the receiver.
    receiver.secret = (await t.call('GET', '/api/webhooks/secret')).body.secret;
  });
  afterAll(async () => {
    await receiver.stop();
    await t.close();
  });

  it('signs the JSON body; receiver down → retries with growing backoff → delivered once', async () => {
    receiver.reset();
    await enqueue('evt-down');
    const w = new JobWorker(t.handle.db, 'ws_main', sideEffectHandlers(t.engine, allow), {
      backoffMs: 150,
    });
    receiver.down = true;
    expect(await w.runOnce()).toBe(1);
    expect(await job('evt-down')).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await job('evt-down'))?.last_error).toContain('503');
    expect(await delay('evt-down')).toBe(150);
    await untilDue('evt-down');
    expect(await w.runOnce()).toBe(1);
    expect(await job('evt-down')).toMatchObject({ status: 'failed', attempts: 2 });
    // The second wait is twice the first.
    expect(await delay('evt-down')).toBe(300);
    receiver.down = false;
    await untilDue('evt-down');
    expect(await w.runOnce()).toBe(1);
    expect(await job('evt-down')).toMatchObject({ status: 'done', attempts: 3 });
    expect(await w.runOnce()).toBe(0);
    expect(receiver.deliveries.map((d) => d.key)).toEqual(['evt-down', 'evt-down', 'evt-down']);
    expect(receiver.deliveries.every((d) => d.signed)).toBe(true);
    expect(receiver.processed).toEqual(['evt-down']);
    expect(JSON.parse(receiver.deliveries[2]?.body ?? '')).toEqual(body('evt-down'));
  });

  it('dead-letters after the last try, and a rotated secret signs what follows', async () => {
    receiver.reset();
    await enqueueJob(t.handle.db, 'ws_main', {
      kind: 'webhook',
      idempotencyKey: 'evt-dead',
      payload: { url: receiver.url, body: body('dead') },
      maxAttempts: 2,
    });
    receiver.down = true;
    const w = new JobWorker(t.handle.db, 'ws_main', sideEffectHandlers(t.engine, allow), {
      backoffMs: 10,
    });
    await w.runOnce();
    await sleep(20);
    await w.runOnce();
    expect(await job('evt-dead')).toMatchObject({ status: 'dead', attempts: 2 });
    expect(receiver.processed).toEqual([]);

    const old = receiver.secret;
    const rotated = await t.call('POST', '/api/webhooks/secret/rotate');
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(old);
    expect(rotated.body.source).toBe('workspace');
    receiver.down = false;
    await enqueue('evt-rotated');
    await w.runOnce();
    // Signed with the new secret, so a receiver still on the old one refuses it.
    expect(await job('evt-rotated')).toMatchObject({ status: 'failed' });
    receiver.secret = rotated.body.secret;
    await sleep(20);
    await w.runOnce();
    expect(await job('evt-rotated')).toMatchObject({ status: 'done' });
    const user = await t.userToken('plain@example.com');
    expect((await t.call('GET', '/api/webhooks/secret', undefined, user)).status).toBe(403);
  });

  it('refuses loopback, private and link-local targets unless allowed, IPv4 and IPv6', async () => {
    for (const url of [
      'http://127.0.0.1/x',
      'http://localhost:8080/x',
      'http://10.1.2.3/x',
      'http://172.20.0.1/x',
      'http://192.168.1.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://100.64.0.1/x',
      'http://0.0.0.0/x',
      'http://[::1]/x',
      'http://[fe80::1]/x',
      'http://[fd00::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://[::ffff:a9fe:a9fe]/x',
      'http://[64:ff9b::a00:1]/x',
    ])
      expect(await webhookTargetProblem(url), url).toMatch(/private|loopback|reserved/);
    expect(await webhookTargetProblem('ftp://example.com/x')).toMatch(/http/);
    expect(await webhookTargetProblem('http://user:pw@93.184.216.34/')).toMatch(/password/);
    expect(await webhookTargetProblem('not a url')).toMatch(/URL/);
    expect(await webhookTargetProblem('http://93.184.216.34/hook')).toBeUndefined();
    expect(await webhookTargetProblem('http://[2606:2800:220:1::1]/hook')).toBeUndefined();
    expect(await webhookTargetProblem(receiver.url, { allowHosts: ['127.0.0.1'] })).toBeUndefined();
    // localhost resolves to loopback; allowing the address lets the name through.
    expect(
      await webhookTargetProblem('http://localhost/x', { allowHosts: ['127.0.0.1', '::1'] }),
    ).toBeUndefined();

    // At delivery: without the allowance the job is dead at once (no retry can help) and
    // nothing reaches the receiver.
    receiver.reset();
    await enqueue('evt-private');
    const strict = new JobWorker(t.handle.db, 'ws_main', sideEffectHandlers(t.engine, {}));
    await strict.runOnce();
    const dead = await job('evt-private');
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead?.last_error).toContain('ATRIUM_WEBHOOK_ALLOW_HOSTS');
    expect(receiver.deliveries).toEqual([]);
  });

  it('times out a receiver that does not answer, and retries', async () => {
    receiver.reset();
    receiver.hold = true;
    await enqueue('evt-slow');
    const w = new JobWorker(
      t.handle.db,
      'ws_main',
      sideEffectHandlers(t.engine, { ...allow, webhookTimeoutMs: 1000 }),
      { backoffMs: 10 },
    );
    await w.runOnce();
    expect(await job('evt-slow')).toMatchObject({ status: 'failed', attempts: 1 });
    expect((await job('evt-slow'))?.last_error).toContain('1000 ms');
    receiver.hold = false;
    await sleep(20);
    await w.runOnce();
    expect(await job('evt-slow')).toMatchObject({ status: 'done', attempts: 2 });
    expect(receiver.processed).toEqual(['evt-slow']);
  });

  describe('with server processes', () => {
    const servers: ServerProcess[] = [];
    const env = {
      ATRIUM_WORKERS: '2',
      ATRIUM_WORKER_POLL_MS: '50',
      ATRIUM_JOB_LEASE_MS: '1500',
      ATRIUM_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    };
    afterAll(async () => {
      for (const s of servers) await stopServerProcess(s);
    });

    it('a worker process killed mid-delivery: the job is taken over, no event lost or doubled', async () => {
      receiver.reset();
      receiver.hold = true;
      const arrived = new Promise<void>((r) => (receiver.onArrival = r));
      const victim = startServerProcess(t.database.url, env);
      servers.push(victim);
      await victim.up;
      await enqueue('evt-killed');
      await arrived;
      // The receiver has the request; the worker waits for its answer. Kill it there.
      victim.child.kill('SIGKILL');
      await victim.exited;
      receiver.hold = false;
      receiver.onArrival = () => {};
      expect(await job('evt-killed')).toMatchObject({ status: 'running', attempts: 1 });

      const rescuer = startServerProcess(t.database.url, env);
      servers.push(rescuer);
      await rescuer.up;
      for (let i = 0; i < 600 && (await job('evt-killed'))?.status !== 'done'; i++) await sleep(50);
      expect(await job('evt-killed')).toMatchObject({ status: 'done', attempts: 2 });
      // Delivered twice (the first answer never reached the dead worker), processed once: the
      // receiver dedupes on the Idempotency-Key, which both deliveries carried.
      expect(receiver.deliveries.map((d) => d.key)).toEqual(['evt-killed', 'evt-killed']);
      expect(receiver.processed).toEqual(['evt-killed']);
    }, 120_000);

    it('two worker processes and a third worker on one database never run a job twice', async () => {
      receiver.reset();
      const second = startServerProcess(t.database.url, env);
      servers.push(second);
      await second.up;
      let extra: DbHandle | undefined = createDb(t.database.url);
      const keys = Array.from({ length: 150 }, (_, i) => `evt-many-${i}`);
      await t.handle.db.transaction().execute(async (trx) => {
        for (const key of keys)
          await enqueueJob(trx, 'ws_main', {
            kind: 'webhook',
            idempotencyKey: key,
            payload: { url: receiver.url, body: body(key) },
          });
      });
      const local = new JobWorker(extra.db, 'ws_main', sideEffectHandlers(t.engine, allow), {
        batch: 5,
      });
      while ((await local.runOnce()) > 0);
      for (let i = 0; i < 1200; i++) {
        const r = await sql<{ n: number }>`select count(*)::int as n from ws_main._jobs
          where idempotency_key like 'evt-many-%' and status <> 'done'`.execute(t.handle.db);
        if (r.rows[0]?.n === 0) break;
        await sleep(50);
      }
      await extra.destroy();
      extra = undefined;
      const counts = new Map<string, number>();
      for (const d of receiver.deliveries) counts.set(d.key, (counts.get(d.key) ?? 0) + 1);
      expect(counts.size).toBe(150);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(receiver.deliveries.every((d) => d.signed)).toBe(true);
      const attempts = await sql<{ n: number }>`select count(*)::int as n from ws_main._jobs
        where idempotency_key like 'evt-many-%' and status = 'done' and attempts = 1`.execute(
        t.handle.db,
      );
      expect(attempts.rows[0]?.n).toBe(150);
    }, 120_000);
  });
});
