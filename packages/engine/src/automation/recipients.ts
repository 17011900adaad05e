import type { Recipient, RoleDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { Snapshot } from '../records/compiled-module.js';
import type { Values } from '../records/values.js';
import { UUID } from '../records/write.js';

/**
 * The active users a notification goes to (see the `recipient` schema): the record's owner,
 * the owner's manager (the active users of the role directly above the owner's), its creator,
 * the users a user field names, the active users of a role, or one user by e-mail or id. Each
 * once, in a stable order; inactive and unknown users are left out.
 */
export async function recipientIds(
  trx: Db,
  snapshot: Snapshot,
  record: Values,
  to: Recipient | Recipient[],
): Promise<string[]> {
  const ids: string[] = [];
  const roles: string[] = [];
  const people: string[] = [];
  for (const r of Array.isArray(to) ? to : [to]) {
    if (r === 'owner' || r === 'creator') {
      const id = record[r === 'owner' ? 'owner_id' : 'created_by'];
      if (typeof id === 'string') ids.push(id);
    } else if (r === 'manager') {
      const parent = await managerRole(trx, snapshot, record.owner_id);
      if (parent) roles.push(parent);
    } else if ('field' in r) {
      const id = record[r.field];
      if (typeof id === 'string') ids.push(id);
    } else if ('role' in r) roles.push(r.role);
    else people.push(r.user);
  }
  if (ids.length + roles.length + people.length === 0) return [];
  const byId = [...ids, ...people].filter((s) => UUID.test(s));
  const r = await sql<{ id: string }>`select id from atrium.users
    where active and (id = any(${byId}::uuid[]) or role = any(${roles}::text[])
      or lower(email) = any(${people.map((p) => p.toLowerCase())}::text[]))
    order by created_at, id`.execute(trx);
  return r.rows.map((u) => u.id);
}

/** The role directly above the role of user `owner`, if any. */
async function managerRole(
  trx: Db,
  snapshot: Snapshot,
  owner: unknown,
): Promise<string | undefined> {
  if (typeof owner !== 'string') return undefined;
  const r = await sql<{ role: string | null }>`select role from atrium.users
    where id = ${owner}`.execute(trx);
  const role = r.rows[0]?.role;
  if (!role) return undefined;
  const doc = snapshot.documents.find((d): d is RoleDoc => d.kind === 'role' && d.name === role);
  return doc?.parent;
}

/** The id of the active user an assignment rule names (by e-mail or id), if there is one. */
export async function userByName(trx: Db, name: string): Promise<string | undefined> {
  const r = await sql<{ id: string }>`select id from atrium.users where active and
    (${UUID.test(name) ? sql`id = ${name}::uuid` : sql`lower(email) = lower(${name})`})`.execute(
    trx,
  );
  return r.rows[0]?.id;
}

/**
 * The next user of a round robin over the active users of `role` (ordered by when they were
 * created): a counter per round robin, incremented under its row lock, so concurrent writes take
 * turns and a rolled-back write gives its turn back. A member of the role who enters the record
 * keeps it (undefined: no assignment, no turn taken): a rep's own lead is not handed to a
 * colleague, while leads entered by others (a manager, an import, a web form) are shared out.
 */
export async function nextInRoundRobin(
  trx: Db,
  schema: string,
  key: string,
  role: string,
  actorId?: string,
): Promise<string | undefined> {
  const users = await sql<{ id: string }>`select id from atrium.users
    where active and role = ${role} order by created_at, id`.execute(trx);
  if (users.rows.length === 0) return undefined;
  if (actorId !== undefined && users.rows.some((u) => u.id === actorId)) return undefined;
  const r = await sql<{ n: number }>`insert into ${sql.raw(`"${schema}"._round_robin`)} (key, n)
    values (${key}, 0) on conflict (key) do update set n = _round_robin.n + 1
    returning n`.execute(trx);
  const n = Number(r.rows[0]?.n ?? 0);
  return users.rows[n % users.rows.length]?.id;
}
