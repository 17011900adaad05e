import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { newSecret, secretHash } from './secrets.js';

/** How long a session lives without being refreshed. */
const SESSION_DAYS = 30;

/** A new session and its refresh token `<session id>.<secret>` (only its hash is stored). */
export async function createSession(
  db: Db,
  userId: string,
  address: string | null,
): Promise<{ id: string; refreshToken: string }> {
  const id = randomUUID();
  const secret = newSecret();
  await sql`insert into atrium.sessions (id, user_id, refresh_hash, address, expires_at)
    values (${id}, ${userId}, ${secretHash(secret)}, ${address},
            now() + make_interval(days => ${SESSION_DAYS}))`.execute(db);
  // Now and then, sessions over for a day are swept (a refresh of one is refused either way).
  if (Math.random() < 0.01) {
    await sql`delete from atrium.sessions
      where expires_at < now() - interval '1 day' or revoked_at < now() - interval '1 day'`.execute(
      db,
    );
  }
  return { id, refreshToken: `${id}.${secret}` };
}

/**
 * Trades a refresh token for a new one (rotated on every use) and says whose session it is.
 * A refresh token used twice means it was copied: the session is revoked, and both the thief
 * and the owner must sign in again. Undefined when the token is unknown, expired or revoked.
 */
export async function refreshSession(
  db: Db,
  refreshToken: string,
): Promise<{ id: string; userId: string; refreshToken: string } | undefined> {
  const [id, secret] = refreshToken.split('.');
  if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) return undefined;
  const hash = secretHash(secret);
  return db.transaction().execute(async (trx) => {
    const r = await sql<{
      userId: string;
      current: string;
      previous: string | null;
      live: boolean;
    }>`select user_id as "userId", refresh_hash as current, previous_hash as previous,
        (revoked_at is null and expires_at > now()) as live
      from atrium.sessions where id = ${id} for update`.execute(trx);
    const s = r.rows[0];
    if (!s?.live) return undefined;
    if (s.current !== hash) {
      if (s.previous === hash) await revokeSession(trx, id);
      return undefined;
    }
    const next = newSecret();
    await sql`update atrium.sessions set refresh_hash = ${secretHash(next)}, previous_hash = ${hash},
        refreshed_at = now(), expires_at = now() + make_interval(days => ${SESSION_DAYS})
      where id = ${id}`.execute(trx);
    return { id, userId: s.userId, refreshToken: `${id}.${next}` };
  });
}

/** Ends a session: its refresh token and every access token naming it are refused from now on. */
export async function revokeSession(db: Db, id: string): Promise<boolean> {
  const r = await sql`update atrium.sessions set revoked_at = now()
    where id = ${id} and revoked_at is null`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/** Ends every session of a user (after a password change or reset); returns their ids. */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  except?: string,
): Promise<string[]> {
  const r = await sql<{ id: string }>`update atrium.sessions set revoked_at = now()
    where user_id = ${userId} and revoked_at is null and id is distinct from ${except ?? null}::uuid
    returning id`.execute(db);
  return r.rows.map((row) => row.id);
}
