import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../../db.js';
import { AtriumError } from '../../errors.js';
import { qt } from '../../sql-names.js';
import { processMsg } from '../process-messages.js';

/**
 * The secret webhooks are signed with. `ATRIUM_WEBHOOK_SECRET` when the server is given one
 * (then it cannot be rotated through the API: change the variable); otherwise a random secret
 * generated for the workspace on first use, kept in its `_secrets` table, which an administrator
 * reads and rotates through `GET /api/webhooks/secret` and `POST /api/webhooks/secret/rotate`.
 */
export interface WebhookSecret {
  secret: string;
  source: 'environment' | 'workspace';
  rotatedAt: string | null;
}

const NAME = 'webhook';
const fresh = () => `whsec_${randomBytes(32).toString('base64url')}`;

export async function webhookSecret(
  db: Db,
  schema: string,
  fromEnv: string | undefined,
): Promise<WebhookSecret> {
  if (fromEnv) return { secret: fromEnv, source: 'environment', rotatedAt: null };
  const table = sql.raw(qt(schema, '_secrets'));
  const read = () =>
    sql<{ value: string; rotatedAt: string }>`
    select value, rotated_at as "rotatedAt" from ${table} where name = ${NAME}`.execute(db);
  let r = await read();
  if (r.rows.length === 0) {
    // First use: one secret, whoever gets here first.
    await sql`insert into ${table} (name, value) values (${NAME}, ${fresh()})
      on conflict (name) do nothing`.execute(db);
    r = await read();
  }
  const row = r.rows[0] as { value: string; rotatedAt: string };
  return { secret: row.value, source: 'workspace', rotatedAt: row.rotatedAt };
}

/** A new workspace secret; refused (409) when the secret comes from the environment. */
export async function rotateWebhookSecret(
  db: Db,
  schema: string,
  fromEnv: string | undefined,
): Promise<WebhookSecret> {
  if (fromEnv)
    throw new AtriumError('WEBHOOK_SECRET_FIXED', [processMsg.at('secret', 'secretFromEnv')]);
  const r = await sql<{ value: string; rotatedAt: string }>`
    insert into ${sql.raw(qt(schema, '_secrets'))} (name, value) values (${NAME}, ${fresh()})
    on conflict (name) do update set value = excluded.value, rotated_at = now()
    returning value, rotated_at as "rotatedAt"`.execute(db);
  const row = r.rows[0] as { value: string; rotatedAt: string };
  return { secret: row.value, source: 'workspace', rotatedAt: row.rotatedAt };
}

/**
 * The signature of a delivery: HMAC-SHA256 over `<timestamp>.<raw body>` (timestamp in Unix
 * seconds, sent as `X-Atrium-Timestamp`), hex, sent as `X-Atrium-Signature: sha256=<hex>`.
 * Signing the timestamp with the body lets a receiver refuse an old delivery replayed.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does with a delivery: recompute the signature, compare in constant time and
 * refuse timestamps older (or newer) than `toleranceSeconds` (default 5 minutes).
 */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const t = Number(headers.timestamp);
  if (!Number.isSafeInteger(t) || headers.signature === undefined) return false;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, t, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
