import { sql } from 'kysely';
import type { Db } from '../db.js';
import { q } from '../sql-names.js';

/** A workspace: one Postgres schema holding its metadata, history and record tables. */
export interface Workspace {
  name: string;
  schema: string;
  /** pg_trgm could be used for `q` search indexes. */
  trigram: boolean;
}

/** Settings an administrator chooses for the whole workspace (`GET|PUT /api/settings`). */
export interface WorkspaceSettings {
  /** IANA name of the calendar `date_in` periods are read on for users without their own. */
  timeZone: string;
}

export const DEFAULT_WORKSPACE_SETTINGS: WorkspaceSettings = { timeZone: 'UTC' };

/** The workspace's settings, defaults filled in. */
export async function workspaceSettings(db: Db, name: string): Promise<WorkspaceSettings> {
  const r = await sql<{ settings: Partial<WorkspaceSettings> | null }>`
    select settings from atrium.workspaces where name = ${name}`.execute(db);
  return { ...DEFAULT_WORKSPACE_SETTINGS, ...r.rows[0]?.settings };
}

/** Changes some settings (already validated) and returns them all. */
export async function updateWorkspaceSettings(
  db: Db,
  name: string,
  patch: Partial<WorkspaceSettings>,
): Promise<WorkspaceSettings> {
  const r = await sql<{ settings: Partial<WorkspaceSettings> }>`
    update atrium.workspaces set settings = settings || ${JSON.stringify(patch)}::jsonb
    where name = ${name} returning settings`.execute(db);
  return { ...DEFAULT_WORKSPACE_SETTINGS, ...r.rows[0]?.settings };
}

/** Versioned migrations of a workspace schema's own system tables (names start with `_`). */
const WORKSPACE_MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
    create table ${s}._meta_documents (
      key text primary key,
      kind text not null,
      module text not null,
      name text not null,
      body jsonb not null,
      revision integer not null
    );
    create table ${s}._meta_revisions (
      n integer primary key,
      actor uuid,
      at timestamptz not null default now(),
      summary text not null,
      changes jsonb not null,
      steps jsonb not null
    );
    create table ${s}._history (
      id bigint generated always as identity primary key,
      module text not null,
      record_id uuid not null,
      action text not null,
      changes jsonb not null,
      actor uuid,
      at timestamptz not null default now()
    );
    create index _history_record_idx on ${s}._history (module, record_id, id desc);
    create table ${s}._trash (
      id bigint generated always as identity primary key,
      revision integer not null,
      module text not null,
      field text,
      stored_as text not null,
      dropped_at timestamptz not null default now(),
      purged_at timestamptz
    );
  `,
  // A record sent to the recycle bin (or back) by a cascade names the record it came with, so a
  // restore brings back exactly what its delete took along.
  (s) => `alter table ${s}._history add column cause jsonb;`,
  // The outbox of after-commit side effects (process/jobs.ts): written in the write's
  // transaction, claimed by workers with FOR UPDATE SKIP LOCKED, once per idempotency key.
  (s) => `
    create table ${s}._jobs (
      id bigint generated always as identity primary key,
      kind text not null,
      idempotency_key text not null unique,
      payload jsonb not null,
      status text not null default 'pending'
        check (status in ('pending', 'running', 'failed', 'done', 'dead')),
      attempts integer not null default 0,
      max_attempts integer not null default 5,
      run_at timestamptz not null default now(),
      locked_by text,
      locked_until timestamptz,
      last_error text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index _jobs_due_idx on ${s}._jobs (run_at, id) where status in ('pending', 'failed', 'running');
  `,
  // Reporting (packages/engine/src/reports): the home currency reports are answered in, dated
  // exchange rates (home units per unit of `currency`, in force from `valid_from`), and the
  // history of a module by time, which a funnel reads from the start of its period.
  (s) => `
    create index _history_module_at_idx on ${s}._history (module, at);
    create table ${s}._currency_home (
      only_one boolean primary key default true check (only_one),
      code text not null
    );
    create table ${s}._currency_rates (
      currency text not null,
      valid_from date not null,
      rate numeric(24, 10) not null check (rate > 0),
      primary key (currency, valid_from)
    );
  `,
];

/** Creates or upgrades the workspace `name` (schema `ws_<name>`). Idempotent; takes a lock. */
export async function ensureWorkspace(db: Db, name: string): Promise<Workspace> {
  const schema = `ws_${name}`;
  const s = q(schema);
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(7240002, hashtext(${schema}))`.execute(trx);
    await sql`insert into atrium.workspaces (name, schema_name) values (${name}, ${schema})
              on conflict (name) do nothing`.execute(trx);
    const row = await sql<{
      v: number;
    }>`select schema_version as v from atrium.workspaces where name = ${name}`.execute(trx);
    const from = row.rows[0]?.v ?? 0;
    if (from === 0) await sql.raw(`create schema if not exists ${s}`).execute(trx);
    for (let v = from; v < WORKSPACE_MIGRATIONS.length; v++) {
      await sql.raw((WORKSPACE_MIGRATIONS[v] as (s: string) => string)(s)).execute(trx);
    }
    await sql`update atrium.workspaces set schema_version = ${WORKSPACE_MIGRATIONS.length} where name = ${name}`.execute(
      trx,
    );
  });
  return { name, schema, trigram: await enableTrigram(db) };
}

/** pg_trgm where the server has it; search still works without, only unindexed. */
async function enableTrigram(db: Db): Promise<boolean> {
  try {
    await sql`create extension if not exists pg_trgm`.execute(db);
    return true;
  } catch {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from pg_extension where extname = 'pg_trgm'`.execute(db);
    return (r.rows[0]?.n ?? 0) > 0;
  }
}
