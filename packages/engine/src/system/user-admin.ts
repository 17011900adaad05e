import { sql } from 'kysely';
import type { Db } from '../db.js';
import { recordAudit } from './audit.js';
import { revokeUserSessions } from './sessions.js';
import { hashPassword, USER_COLUMNS, type UserRow, verifyPassword } from './users.js';

/** What an administrator may change of a user (values already validated). */
export interface UserPatch {
  name?: string;
  locale?: string;
  timeZone?: string | null;
  role?: string | null;
  profile?: string | null;
  isAdmin?: boolean;
  active?: boolean;
}

const COLUMN_OF: Record<keyof UserPatch, string> = {
  name: 'name',
  locale: 'locale',
  timeZone: 'time_zone',
  role: 'role',
  profile: 'profile',
  isAdmin: 'is_admin',
  active: 'active',
};

/**
 * Changes a user in one transaction with its audit entry (`user.update`, the fields before and
 * after). Deactivating also ends every session of the user, so reactivating them later does not
 * revive a session; their API tokens are refused while they are inactive. Returns the user, or
 * undefined when there is no such user. The trigger on `atrium.users` tells every node.
 */
export async function updateUser(
  db: Db,
  id: string,
  patch: UserPatch,
  by: { actorId: string; address?: string | null },
): Promise<{ user: UserRow; changes: Record<string, { from: unknown; to: unknown }> } | undefined> {
  return db.transaction().execute(async (trx) => {
    const before = (
      await sql<UserRow>`select ${USER_COLUMNS} from atrium.users where id = ${id} for update`.execute(
        trx,
      )
    ).rows[0];
    if (!before) return undefined;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(patch) as (keyof UserPatch)[]) {
      if (patch[key] !== undefined && patch[key] !== before[key]) {
        changes[key] = { from: before[key], to: patch[key] };
      }
    }
    const keys = Object.keys(changes) as (keyof UserPatch)[];
    if (keys.length === 0) return { user: before, changes };
    const sets = keys.map((k) => sql`${sql.raw(COLUMN_OF[k])} = ${patch[k]}`);
    const user = (
      await sql<UserRow>`update atrium.users set ${sql.join(sets)}, updated_at = now()
        where id = ${id} returning ${USER_COLUMNS}`.execute(trx)
    ).rows[0] as UserRow;
    if (changes.active?.to === false) await revokeUserSessions(trx, id);
    await recordAudit(trx, {
      actorId: by.actorId,
      action: changes.active?.to === false ? 'user.deactivate' : 'user.update',
      target: `user:${id}`,
      address: by.address ?? null,
      details: { changes },
    });
    return { user, changes };
  });
}

/** How many active administrators there are besides `except`: the last one may not go. */
export async function otherActiveAdmins(db: Db, except: string): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from atrium.users
    where is_admin and active and id <> ${except}`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/**
 * A user changes their own password, proving the current one. Every other session of theirs
 * ends (whoever knew the old password is signed out); the one in use stays.
 */
export async function changeOwnPassword(
  db: Db,
  input: { userId: string; current: string; next: string; sessionId?: string; address?: string },
): Promise<boolean> {
  const r = await sql<{ hash: string }>`select password_hash as hash from atrium.users
    where id = ${input.userId}`.execute(db);
  const stored = r.rows[0]?.hash ?? '';
  if (!stored.startsWith('scrypt$') || !(await verifyPassword(input.current, stored))) return false;
  const hash = await hashPassword(input.next);
  await db.transaction().execute(async (trx) => {
    await sql`update atrium.users set password_hash = ${hash}, updated_at = now()
      where id = ${input.userId}`.execute(trx);
    await revokeUserSessions(trx, input.userId, input.sessionId);
    await recordAudit(trx, {
      actorId: input.userId,
      action: 'user.password',
      target: `user:${input.userId}`,
      address: input.address ?? null,
    });
  });
  return true;
}
