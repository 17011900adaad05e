import { randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { likePattern } from '../like-pattern.js';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  o: object,
) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1 };

/**
 * Who is acting: what the access seam and the write path need to know of a user. Loaded per
 * request (through a cache every node invalidates), never taken from a token's claims, so a
 * change of role, profile or admin flag holds from the next request on.
 */
export interface Actor {
  id: string;
  email: string;
  isAdmin: boolean;
  /** Name of a role document; null: no place in the role tree. */
  role: string | null;
  /** Name of a profile document; null: none (an administrator bypasses profiles). */
  profile: string | null;
  /** The user's language: what they read when a request does not send Accept-Language. */
  locale?: string;
}

export interface UserRow extends Actor {
  name: string;
  locale: string;
  /** The user's own IANA time zone; null: the workspace's. */
  timeZone: string | null;
  /** A deactivated user cannot sign in, and every session and API token of theirs is refused. */
  active: boolean;
}

/** The columns of a user the API shows (never the password hash). */
export const USER_COLUMNS = sql.raw(
  `id, email, name, is_admin as "isAdmin", role, profile, active, locale, time_zone as "timeZone"`,
);

/** scrypt hash in the form `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [algo, n, r, p, salt, hash] = stored.split('$');
  if (algo !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(expected, actual);
}

/** What a new user is made of; without a password they cannot sign in until they set one. */
export interface NewUser {
  email: string;
  password?: string;
  name?: string;
  isAdmin?: boolean;
  role?: string | null;
  profile?: string | null;
  locale?: string;
  timeZone?: string | null;
}

/** Creates a user; a duplicate e-mail (any case) throws with code `DUPLICATE_EMAIL`. */
export async function createUser(db: Db, input: NewUser): Promise<UserRow> {
  const id = randomUUID();
  // No password: a hash nothing matches, until the user sets one through a one-time link.
  const hash = input.password === undefined ? NO_PASSWORD : await hashPassword(input.password);
  try {
    await sql`insert into atrium.users
        (id, email, name, password_hash, is_admin, role, profile, locale, time_zone)
      values (${id}, ${input.email}, ${input.name ?? ''}, ${hash}, ${input.isAdmin ?? false},
              ${input.role ?? null}, ${input.profile ?? null}, ${input.locale ?? 'en'},
              ${input.timeZone ?? null})`.execute(db);
  } catch (e) {
    if ((e as { code?: string }).code === '23505') {
      throw Object.assign(new Error(`a user with e-mail ${input.email} exists`), {
        code: 'DUPLICATE_EMAIL',
      });
    }
    throw e;
  }
  return {
    id,
    email: input.email,
    name: input.name ?? '',
    isAdmin: input.isAdmin ?? false,
    role: input.role ?? null,
    profile: input.profile ?? null,
    active: true,
    locale: input.locale ?? 'en',
    timeZone: input.timeZone ?? null,
  };
}

/** The stored hash of a user who has no password yet: no password verifies against it. */
const NO_PASSWORD = '!';

/** The active user with this e-mail and password, or undefined. Spends the same time either way. */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
): Promise<UserRow | undefined> {
  const rows = await sql<UserRow & { password_hash: string }>`
    select ${USER_COLUMNS}, password_hash
    from atrium.users where lower(email) = lower(${email}) and active`.execute(db);
  const user = rows.rows[0];
  const stored = user?.password_hash.startsWith('scrypt$') ? user.password_hash : DUMMY_HASH;
  const ok = await verifyPassword(password, stored);
  if (!user || !ok) return undefined;
  const { password_hash: _, ...rest } = user;
  return rest;
}

const DUMMY_HASH =
  'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

export async function countUsers(db: Db): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from atrium.users`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** A persistent setting (e.g. the JWT secret shared by every node). */
export async function getOrCreateSetting<T>(db: Db, key: string, make: () => T): Promise<T> {
  await sql`insert into atrium.settings (key, value) values (${key}, ${JSON.stringify(make())}::jsonb)
            on conflict (key) do nothing`.execute(db);
  const r = await sql<{ value: T }>`select value from atrium.settings where key = ${key}`.execute(
    db,
  );
  return (r.rows[0] as { value: T }).value;
}

/** One user as the API shows it (never the password hash). */
export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  const r = await sql<UserRow>`select ${USER_COLUMNS} from atrium.users where id = ${id}`.execute(
    db,
  );
  return r.rows[0];
}

/**
 * Changes a user's own preferences (values already validated; `timeZone: null` goes back to the
 * workspace's) and returns the user, or undefined when there is no such user.
 */
export async function updateUserPreferences(
  db: Db,
  id: string,
  patch: { timeZone?: string | null; locale?: string },
): Promise<UserRow | undefined> {
  const sets = [
    ...('timeZone' in patch ? [sql`time_zone = ${patch.timeZone ?? null}`] : []),
    ...(patch.locale !== undefined ? [sql`locale = ${patch.locale}`] : []),
  ];
  if (sets.length === 0) return getUser(db, id);
  const r = await sql<UserRow>`update atrium.users set ${sql.join(sets)} where id = ${id}
    returning ${USER_COLUMNS}`.execute(db);
  return r.rows[0];
}

/**
 * Users whose name or e-mail contains `q`, by name: active ones for owner and user-field
 * pickers (the default), inactive or all of them for administrators.
 */
export async function listUsers(
  db: Db,
  options: { q?: string; limit?: number; active?: 'true' | 'false' | 'all' } = {},
): Promise<UserRow[]> {
  const pattern = likePattern(options.q ?? '', 'contains');
  const active =
    options.active === 'all'
      ? sql`true`
      : options.active === 'false'
        ? sql`not active`
        : sql`active`;
  const r = await sql<UserRow>`select ${USER_COLUMNS} from atrium.users
    where ${active} and (name ilike ${pattern} or email ilike ${pattern})
    order by lower(name), lower(email) limit ${options.limit ?? 50}`.execute(db);
  return r.rows;
}
