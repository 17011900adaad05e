import { sql } from 'kysely';
import type { Db } from '../db.js';
import { recordAudit } from './audit.js';
import { newSecret, secretHash } from './secrets.js';
import { revokeUserSessions } from './sessions.js';
import { hashPassword } from './users.js';

/** How long a set-password link stays good. */
const VALID_HOURS = 72;

/**
 * A one-time token with which a user sets their password: for a new user made without one, or
 * after an administrator's reset. Only its hash is stored; it expires, and making a new one
 * voids the ones before. The caller shows (later: mails) the token once.
 */
export async function createPasswordToken(
  db: Db,
  userId: string,
  by: { actorId: string; address?: string | null; reason: 'invite' | 'reset' },
): Promise<{ token: string; expiresAt: Date }> {
  const token = newSecret();
  return db.transaction().execute(async (trx) => {
    await sql`update atrium.password_tokens set used_at = now()
      where user_id = ${userId} and used_at is null`.execute(trx);
    const r = await sql<{ expiresAt: Date }>`insert into atrium.password_tokens
        (token_hash, user_id, created_by, expires_at)
      values (${secretHash(token)}, ${userId}, ${by.actorId},
              now() + make_interval(hours => ${VALID_HOURS}))
      returning expires_at as "expiresAt"`.execute(trx);
    await recordAudit(trx, {
      actorId: by.actorId,
      action: by.reason === 'reset' ? 'user.password_reset' : 'user.invite',
      target: `user:${userId}`,
      address: by.address ?? null,
    });
    return { token, expiresAt: (r.rows[0] as { expiresAt: Date }).expiresAt };
  });
}

/**
 * Sets the password of the token's user and uses the token up; every session of the user ends.
 * Returns the user's id, or undefined when the token is unknown, used or expired.
 */
export async function usePasswordToken(
  db: Db,
  token: string,
  password: string,
  address: string | null,
): Promise<string | undefined> {
  const hash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const r = await sql<{ userId: string }>`update atrium.password_tokens set used_at = now()
      where token_hash = ${secretHash(token)} and used_at is null and expires_at > now()
      returning user_id as "userId"`.execute(trx);
    const userId = r.rows[0]?.userId;
    if (!userId) return undefined;
    await sql`update atrium.users set password_hash = ${hash}, updated_at = now()
      where id = ${userId}`.execute(trx);
    await revokeUserSessions(trx, userId);
    await recordAudit(trx, {
      actorId: userId,
      action: 'user.password_set',
      target: `user:${userId}`,
      address,
    });
    return userId;
  });
}
