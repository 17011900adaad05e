import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { recordAudit } from './audit.js';
import { newSecret, secretHash } from './secrets.js';

/** Prefix of an API token: `Authorization: Bearer atr_…` is an API token, anything else a JWT. */
export const API_TOKEN_PREFIX = 'atr_';

/** An API token as listed: never its secret, only the last characters to recognise it by. */
export interface ApiTokenRow {
  id: string;
  userId: string;
  name: string;
  /** `atr_…` and the last 4 characters. */
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const COLUMNS = sql.raw(`id, user_id as "userId", name, hint, created_at as "createdAt",
  expires_at as "expiresAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"`);

/** Creates a token acting as `userId`; the secret is in `token` and is never shown again. */
export async function createApiToken(
  db: Db,
  input: { userId: string; name: string; expiresAt?: string | null },
): Promise<{ token: string; row: ApiTokenRow }> {
  const token = `${API_TOKEN_PREFIX}${newSecret()}`;
  const r = await sql<ApiTokenRow>`insert into atrium.api_tokens
      (id, user_id, name, token_hash, hint, expires_at)
    values (${randomUUID()}, ${input.userId}, ${input.name}, ${secretHash(token)},
            ${`${API_TOKEN_PREFIX}…${token.slice(-4)}`}, ${input.expiresAt ?? null}::timestamptz)
    returning ${COLUMNS}`.execute(db);
  return { token, row: r.rows[0] as ApiTokenRow };
}

/** The tokens of one user (or of everyone, for an administrator), newest first. */
export async function listApiTokens(db: Db, userId?: string): Promise<ApiTokenRow[]> {
  const r = await sql<ApiTokenRow>`select ${COLUMNS} from atrium.api_tokens
    where ${userId === undefined ? sql`true` : sql`user_id = ${userId}`}
    order by created_at desc, id`.execute(db);
  return r.rows;
}

/** Revokes a token (of `userId` only, unless undefined); the revoked row, or undefined. */
export async function revokeApiToken(
  db: Db,
  id: string,
  userId?: string,
): Promise<ApiTokenRow | undefined> {
  const r = await sql<ApiTokenRow>`update atrium.api_tokens
    set revoked_at = coalesce(revoked_at, now())
    where id = ${id} and ${userId === undefined ? sql`true` : sql`user_id = ${userId}`}
    returning ${COLUMNS}`.execute(db);
  return r.rows[0];
}

/**
 * Records that a token was used: `last_used_at` is written at most once a minute, and the audit
 * log gets `token.use` on its first use and on the first use of each day (UTC), not per request.
 */
export async function touchApiToken(
  db: Db,
  id: string,
  userId: string,
  address: string | null,
): Promise<void> {
  const r = await sql<{ previous: Date | null }>`
    update atrium.api_tokens t set last_used_at = now()
    from (select last_used_at as previous from atrium.api_tokens where id = ${id}) p
    where t.id = ${id} and (t.last_used_at is null or t.last_used_at < now() - interval '1 minute')
    returning p.previous`.execute(db);
  const row = r.rows[0];
  if (!row) return;
  const previous = row.previous;
  const today = new Date().toISOString().slice(0, 10);
  if (previous === null || new Date(previous).toISOString().slice(0, 10) !== today) {
    await recordAudit(db, {
      actorId: userId,
      action: 'token.use',
      target: `token:${id}`,
      address,
      details: { first: previous === null },
    });
  }
}
