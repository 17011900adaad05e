import { enqueueJob, JobWorker, messageIdOf, sideEffectHandlers } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkers } from '../src/workers.js';
import { MailReceiver } from './support/effect-receivers.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Mail through a real SMTP server on loopback (or kept in the outbox without one) and in-app
 * notifications, each once per event.
 */
describe('mail and notifications', () => {
  let t: TestApp;
  const smtp = new MailReceiver();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const mail = (n: string) => ({
    to: ['buyer@example.com', 'boss@example.com'],
    subject: `Renewal ${n}`,
    text: `Your contract ${n} ends soon.`,
    locale: 'en',
    module: 'contracts',
    recordId: `c-${n}`,
  });
  const enqueue = (kind: string, key: string, payload: unknown) =>
    enqueueJob(t.handle.db, 'ws_main', { kind, idempotencyKey: key, payload });
  const job = async (key: string) =>
    (
      await sql<{ status: string; attempts: number }>`
        select status, attempts from ws_main._jobs where idempotency_key = ${key}`.execute(
        t.handle.db,
      )
    ).rows[0];

  beforeAll(async () => {
    t = await startTestApp();
    await smtp.start();
  });
  afterAll(async () => {
    await smtp.stop();
    await t.close();
  });

  it('sends through SMTP with a stable Message-ID and records it sent; a rerun sends nothing', async () => {
    const handlers = sideEffectHandlers(t.engine, {
      smtpUrl: smtp.url,
      mailFrom: 'CRM <crm@acme.example>',
    });
    const w = new JobWorker(t.handle.db, 'ws_main', handlers);
    await enqueue('send_email', 'mail-1', mail('1'));
    expect(await w.runOnce()).toBe(1);
    expect(smtp.mails).toHaveLength(1);
    const got = smtp.mails[0];
    expect(got?.to.sort()).toEqual(['boss@example.com', 'buyer@example.com']);
    expect(got?.from).toBe('crm@acme.example');
    expect(got?.raw).toContain('Subject: Renewal 1');
    expect(got?.raw).toContain('Your contract 1 ends soon.');
    expect(got?.messageId).toBe(messageIdOf('mail-1', 'CRM <crm@acme.example>'));
    expect(got?.messageId).toMatch(/@acme\.example>$/);

    const outbox = await t.call('GET', '/api/outbox');
    expect(outbox.status).toBe(200);
    expect(outbox.body.data[0]).toMatchObject({
      to: ['buyer@example.com', 'boss@example.com'],
      subject: 'Renewal 1',
      status: 'sent',
      transport: 'smtp',
      attempts: 1,
      error: null,
      messageId: got?.messageId,
      module: 'contracts',
      recordId: 'c-1',
    });
    expect(outbox.body.data[0].sentAt).not.toBeNull();

    // A worker died after the mail was recorded sent but before its job was marked done: the
    // job runs again and the outbox says it went already.
    await sql`update ws_main._jobs set status = 'pending' where idempotency_key = 'mail-1'`.execute(
      t.handle.db,
    );
    expect(await w.runOnce()).toBe(1);
    expect(await job('mail-1')).toMatchObject({ status: 'done' });
    expect(smtp.mails).toHaveLength(1);
  });

  it('retries while the SMTP server is down, showing the failure in the outbox', async () => {
    const port = smtp.port;
    await smtp.stop();
    const w = new JobWorker(
      t.handle.db,
      'ws_main',
      sideEffectHandlers(t.engine, { smtpUrl: `smtp://127.0.0.1:${port}` }),
      { backoffMs: 50 },
    );
    await enqueue('send_email', 'mail-2', mail('2'));
    const before = smtp.mails.length;
    await w.runOnce();
    expect(await job('mail-2')).toMatchObject({ status: 'failed', attempts: 1 });
    const failed = (await t.call('GET', '/api/outbox?status=failed')).body.data;
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ subject: 'Renewal 2', status: 'failed' });
    expect(failed[0].error).toMatch(/ECONNREFUSED|connect/i);
    await smtp.start(port);
    await sleep(60);
    await w.runOnce();
    expect(await job('mail-2')).toMatchObject({ status: 'done', attempts: 2 });
    expect(smtp.mails.length).toBe(before + 1);
    expect((await t.call('GET', '/api/outbox?status=failed')).body.data).toEqual([]);
  });

  it('keeps mail in the outbox when no SMTP server is configured; administrators read it, paged', async () => {
    const w = new JobWorker(t.handle.db, 'ws_main', sideEffectHandlers(t.engine, {}));
    const sent = smtp.mails.length;
    for (const n of ['3', '4', '5']) await enqueue('send_email', `mail-${n}`, mail(n));
    await w.runOnce();
    expect(smtp.mails.length).toBe(sent);
    const first = await t.call('GET', '/api/outbox?limit=2');
    expect(first.body.data.map((m: { subject: string }) => m.subject)).toEqual([
      'Renewal 5',
      'Renewal 4',
    ]);
    expect(first.body.data[0]).toMatchObject({ status: 'queued', transport: 'none', sentAt: null });
    const next = await t.call('GET', `/api/outbox?limit=2&before=${first.body.nextCursor}`);
    expect(next.body.data.map((m: { subject: string }) => m.subject)).toEqual([
      'Renewal 3',
      'Renewal 2',
    ]);
    expect((await t.call('GET', '/api/outbox?limit=0')).status).toBe(400);
    expect((await t.call('GET', '/api/outbox?status=lost')).status).toBe(400);
    const user = await t.userToken('reader@example.com');
    expect((await t.call('GET', '/api/outbox', undefined, user)).status).toBe(403);
    // A malformed job cannot be sent by retrying: dead at once.
    await enqueue('send_email', 'mail-bad', { to: [], subject: 'x', text: 'y' });
    await w.runOnce();
    expect(await job('mail-bad')).toMatchObject({ status: 'dead' });
  });

  it('writes one notification per user per event; each user reads and clears their own', async () => {
    const ann = await t.userToken('ann@example.com');
    const bob = await t.userToken('bob@example.com');
    const idOf = async (token: string) =>
      (await t.call('GET', '/api/auth/me', undefined, token)).body.id as string;
    const annId = await idOf(ann);
    const bobId = await idOf(bob);
    const w = new JobWorker(t.handle.db, 'ws_main', sideEffectHandlers(t.engine, {}));
    await enqueue('notify', 'stage:deal-1:3', {
      userIds: [annId, bobId, '00000000-0000-4000-8000-000000000000'],
      title: 'Deal moved to negotiation',
      body: 'Big deal',
      module: 'deals',
      recordId: 'deal-1',
    });
    await enqueue('notify', 'stage:deal-2:2', {
      userIds: [annId],
      title: 'Deal 2 won',
      module: 'deals',
      recordId: 'deal-2',
    });
    await w.runOnce();
    // The same event again (a worker died after writing): nothing new.
    await sql`update ws_main._jobs set status = 'pending' where idempotency_key = 'stage:deal-1:3'`.execute(
      t.handle.db,
    );
    await w.runOnce();

    const annList = await t.call('GET', '/api/notifications', undefined, ann);
    expect(annList.status).toBe(200);
    expect(annList.body.unread).toBe(2);
    expect(annList.body.data.map((n: { title: string }) => n.title)).toEqual([
      'Deal 2 won',
      'Deal moved to negotiation',
    ]);
    const bobList = await t.call('GET', '/api/notifications', undefined, bob);
    expect(bobList.body.data).toHaveLength(1);
    expect(bobList.body.data[0]).toMatchObject({
      title: 'Deal moved to negotiation',
      body: 'Big deal',
      module: 'deals',
      recordId: 'deal-1',
      readAt: null,
    });

    const target = annList.body.data[1].id;
    expect((await t.call('POST', `/api/notifications/${target}/read`, undefined, bob)).status).toBe(
      404,
    );
    const read = await t.call('POST', `/api/notifications/${target}/read`, undefined, ann);
    expect(read.status).toBe(200);
    expect(read.body.readAt).not.toBeNull();
    const unreadOnly = await t.call('GET', '/api/notifications?unread=true', undefined, ann);
    expect(unreadOnly.body).toMatchObject({ unread: 1 });
    expect(unreadOnly.body.data.map((n: { title: string }) => n.title)).toEqual(['Deal 2 won']);
    const all = await t.call('POST', '/api/notifications/read-all', undefined, ann);
    expect(all.body).toEqual({ marked: 1 });
    expect((await t.call('GET', '/api/notifications', undefined, ann)).body.unread).toBe(0);
    expect((await t.call('GET', '/api/notifications', undefined, bob)).body.unread).toBe(1);
  });

  it('the server’s workers run the jobs by themselves and stop cleanly', async () => {
    const before = smtp.mails.length;
    const running = startWorkers(
      t.engine,
      { smtpUrl: smtp.url },
      { count: 2, pollMs: 20, leaseMs: 60_000 },
    );
    for (const n of ['6', '7', '8']) await enqueue('send_email', `mail-${n}`, mail(n));
    for (let i = 0; i < 100 && smtp.mails.length < before + 3; i++) await sleep(20);
    await running.stop();
    expect(smtp.mails.length).toBe(before + 3);
    expect(new Set(smtp.mails.map((m) => m.messageId)).size).toBe(smtp.mails.length);
    await enqueue('send_email', 'mail-after-stop', mail('9'));
    await sleep(100);
    expect(await job('mail-after-stop')).toMatchObject({ status: 'pending' });
  });
});
