import { sql } from 'kysely';
import type { Db } from '../db.js';

/**
 * Versioned migrations of the system schema `atrium` (users, settings, workspaces). Each runs in
 * its own transaction together with its bookkeeping row, so none is ever half-applied.
 * Append only: never edit a migration that has shipped.
 */
export const SYSTEM_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'users, settings and workspaces',
    sql: `
      create table atrium.users (
        id uuid primary key,
        email text not null,
        name text not null default '',
        password_hash text not null,
        is_admin boolean not null default false,
        locale text not null default 'en',
        active boolean not null default true,
        created_at timestamptz not null default now()
      );
      create unique index users_email_key on atrium.users (lower(email));
      create table atrium.settings (key text primary key, value jsonb not null);
      create table atrium.workspaces (
        name text primary key,
        schema_name text not null unique,
        schema_version integer not null default 0,
        created_at timestamptz not null default now()
      );
    `,
  },
  {
    version: 2,
    name: 'time zones: per user, and workspace settings',
    sql: `
      alter table atrium.users add column time_zone text;
      alter table atrium.workspaces add column settings jsonb not null default '{}'::jsonb;
    `,
  },
  {
    version: 3,
    name: 'identity: roles and profiles of users, sessions, API tokens, one-time tokens, sign-in limits, audit log',
    sql: `
      alter table atrium.users add column role text, add column profile text,
        add column updated_at timestamptz not null default now();
      create table atrium.sessions (
        id uuid primary key,
        user_id uuid not null references atrium.users (id) on delete cascade,
        refresh_hash text not null,
        previous_hash text,
        address text,
        created_at timestamptz not null default now(),
        refreshed_at timestamptz not null default now(),
        expires_at timestamptz not null,
        revoked_at timestamptz
      );
      create index sessions_user on atrium.sessions (user_id);
      create table atrium.api_tokens (
        id uuid primary key,
        user_id uuid not null references atrium.users (id) on delete cascade,
        name text not null,
        token_hash text not null unique,
        hint text not null,
        created_at timestamptz not null default now(),
        expires_at timestamptz,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      create index api_tokens_user on atrium.api_tokens (user_id);
      create table atrium.password_tokens (
        token_hash text primary key,
        user_id uuid not null references atrium.users (id) on delete cascade,
        created_by uuid,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null,
        used_at timestamptz
      );
      create table atrium.login_attempts (
        key text primary key,
        window_start timestamptz not null,
        attempts integer not null
      );
      create table atrium.audit_log (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor_id uuid,
        action text not null,
        target text,
        address text,
        details jsonb not null default '{}'::jsonb
      );
      create index audit_log_actor on atrium.audit_log (actor_id, id);
      create index audit_log_action on atrium.audit_log (action, id);
      create index audit_log_at on atrium.audit_log (at);
      -- Every node caches who a credential belongs to; a change anywhere tells them all.
      create function atrium.notify_credentials() returns trigger language plpgsql as $$
      begin
        perform pg_notify('atrium_credentials', tg_argv[0] || ':' || (case tg_op when 'DELETE' then old.id else new.id end)::text);
        return null;
      end $$;
      create trigger users_changed after update or delete on atrium.users
        for each row execute function atrium.notify_credentials('user');
      create trigger sessions_changed after update of revoked_at, expires_at or delete on atrium.sessions
        for each row execute function atrium.notify_credentials('session');
      create trigger api_tokens_changed after update of revoked_at, expires_at or delete on atrium.api_tokens
        for each row execute function atrium.notify_credentials('token');
    `,
  },
];

const LOCK_KEY = 7_240_001;

/** Applies the pending system migrations under an advisory lock (safe with several nodes). */
export async function migrateSystem(db: Db): Promise<number[]> {
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${LOCK_KEY})`.execute(conn);
    try {
      await sql`create schema if not exists atrium`.execute(conn);
      await sql`create table if not exists atrium.migrations (
        version integer primary key, name text not null, applied_at timestamptz not null default now())`.execute(
        conn,
      );
      const done = new Set((await appliedVersions(conn)).map((r) => r));
      const applied: number[] = [];
      for (const m of SYSTEM_MIGRATIONS) {
        if (done.has(m.version)) continue;
        await conn.transaction().execute(async (trx) => {
          await sql.raw(m.sql).execute(trx);
          await sql`insert into atrium.migrations (version, name) values (${m.version}, ${m.name})`.execute(
            trx,
          );
        });
        applied.push(m.version);
      }
      return applied;
    } finally {
      await sql`select pg_advisory_unlock(${LOCK_KEY})`.execute(conn);
    }
  });
}

/**
 * Refuses to serve on a database this build does not match: a migration missing, or one
 * applied that this build does not know (a newer build ran here).
 */
export async function assertSystemMigrated(db: Db): Promise<void> {
  const applied = await appliedVersions(db);
  const known = SYSTEM_MIGRATIONS.map((m) => m.version);
  const missing = known.filter((v) => !applied.includes(v));
  const unknown = applied.filter((v) => !known.includes(v));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(
      `the database schema does not match this build (missing migrations: [${missing.join(', ')}], unknown: [${unknown.join(', ')}]); run the matching version of Atrium`,
    );
  }
}

async function appliedVersions(db: Db): Promise<number[]> {
  const exists = await sql<{
    t: string | null;
  }>`select to_regclass('atrium.migrations')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return [];
  const rows = await sql<{
    version: number;
  }>`select version from atrium.migrations order by version`.execute(db);
  return rows.rows.map((r) => r.version);
}
