import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { createTransport, type Transporter } from 'nodemailer';
import type { Db } from '../../db.js';
import { qt } from '../../sql-names.js';
import { DeadLetter } from '../job-worker.js';
import type { Job } from '../jobs.js';

/** `send_email` jobs: `{ to: string[], subject, text, locale, module, recordId }`. */
export interface MailPayload {
  to: string[];
  subject: string;
  text: string;
  locale?: string;
  module?: string;
  recordId?: string;
}

export interface MailOptions {
  /** `smtp://user:pass@host:port` (`ATRIUM_SMTP_URL`); absent: mail stays in the outbox. */
  smtpUrl?: string;
  /** The sender (`ATRIUM_MAIL_FROM`, default `Atrium <atrium@localhost>`). */
  from?: string;
}

const DEFAULT_FROM = 'Atrium <atrium@localhost>';

/**
 * A stable Message-ID for an event: the same idempotency key always gives the same id, so a mail
 * sent twice (see below) is the same message to every server and client that dedupes on it.
 */
export function messageIdOf(idempotencyKey: string, from = DEFAULT_FROM): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  const hash = createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
  return `<${hash}@${domain}>`;
}

/**
 * Sends `send_email` jobs and keeps every mail in the workspace's `_outbox` table
 * (`GET /api/outbox`). The row is written first (once per idempotency key) and marked `sent`
 * when the SMTP server accepted the mail; a retry finding it `sent` sends nothing.
 *
 * What is guaranteed: a mail is handed to the SMTP server at least once per event, and again
 * only when a worker died (or the database was unreachable) between the server's acceptance
 * and recording `sent` — a window of one UPDATE. Such a second copy carries the same
 * Message-ID. Without `ATRIUM_SMTP_URL` nothing is sent: the mail stays `queued` in the outbox
 * with `transport: "none"`, readable by administrators.
 */
export function mailHandler(db: Db, schema: string, options: MailOptions) {
  const from = options.from ?? DEFAULT_FROM;
  let transport: Transporter | undefined;
  const smtp = () => {
    transport ??= createTransport({
      url: options.smtpUrl as string,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return transport;
  };
  const outbox = sql.raw(qt(schema, '_outbox'));
  return async (job: Job): Promise<void> => {
    const mail = mailPayload(job.payload);
    const messageId = messageIdOf(job.idempotencyKey, from);
    const via = options.smtpUrl ? 'smtp' : 'none';
    await sql`insert into ${outbox}
        (idempotency_key, message_id, recipients, subject, text, locale, module, record_id, transport)
      values (${job.idempotencyKey}, ${messageId}, ${mail.to}, ${mail.subject}, ${mail.text},
        ${mail.locale ?? null}, ${mail.module ?? null}, ${mail.recordId ?? null}, ${via})
      on conflict (idempotency_key) do nothing`.execute(db);
    const r = await sql<{ status: string }>`update ${outbox} set attempts = attempts + 1,
        transport = ${via}
      where idempotency_key = ${job.idempotencyKey} returning status`.execute(db);
    if (r.rows[0]?.status === 'sent' || via === 'none') return;
    try {
      await smtp().sendMail({
        from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        messageId,
        headers: { 'X-Atrium-Event': job.idempotencyKey },
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await sql`update ${outbox} set status = 'failed', error = ${message}
        where idempotency_key = ${job.idempotencyKey}`.execute(db);
      throw e;
    }
    await sql`update ${outbox} set status = 'sent', sent_at = now(), error = null
      where idempotency_key = ${job.idempotencyKey}`.execute(db);
  };
}

function mailPayload(payload: unknown): MailPayload {
  const p = payload as Partial<MailPayload> | null;
  const ok =
    p !== null &&
    typeof p === 'object' &&
    Array.isArray(p.to) &&
    p.to.length > 0 &&
    p.to.every((a) => typeof a === 'string' && a.includes('@')) &&
    typeof p.subject === 'string' &&
    typeof p.text === 'string';
  if (!ok) throw new DeadLetter('a send_email job needs { to: [addresses], subject, text }');
  return p as MailPayload;
}
