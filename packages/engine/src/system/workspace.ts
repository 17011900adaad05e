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
  // Automations (automation/): a trace row per run and record; the position of each round
  // robin; the time-triggered jobs of a record found by it (rescheduled, dropped on delete).
  (s) => `
    create table ${s}._automation_runs (
      id bigint generated always as identity primary key,
      module text not null,
      record_id uuid,
      automation text not null,
      trigger text not null,
      event text not null,
      result text not null check (result in ('done', 'skipped', 'failed')),
      duration_ms numeric(12, 3) not null,
      error jsonb,
      actions jsonb not null default '[]'::jsonb,
      depth integer not null default 0,
      actor uuid,
      at timestamptz not null default now()
    );
    create index _automation_runs_record_idx on ${s}._automation_runs (module, record_id, id desc);
    create table ${s}._round_robin (key text primary key, n bigint not null);
    create index _jobs_automation_record_idx on ${s}._jobs ((payload->>'recordId'))
      where kind = 'automation';
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
  // Side effects (process/effects): the mail outbox (every mail, sent or held when there is no
  // SMTP server), in-app notifications (one per user per event), the workspace's webhook
  // signing secret, and approvals of blueprint transitions (one pending per record).
  (s) => `
    create table ${s}._outbox (
      id bigint generated always as identity primary key,
      idempotency_key text not null unique,
      message_id text not null,
      recipients text[] not null,
      subject text not null,
      text text not null,
      locale text,
      module text,
      record_id text,
      status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
      transport text not null,
      attempts integer not null default 0,
      error text,
      created_at timestamptz not null default now(),
      sent_at timestamptz
    );
    create table ${s}._notifications (
      id bigint generated always as identity primary key,
      user_id uuid not null,
      event_key text not null,
      title text not null,
      body text,
      module text,
      record_id text,
      created_at timestamptz not null default now(),
      read_at timestamptz,
      unique (event_key, user_id)
    );
    create index _notifications_user_idx on ${s}._notifications (user_id, id desc);
    create index _notifications_unread_idx on ${s}._notifications (user_id) where read_at is null;
    create table ${s}._secrets (
      name text primary key,
      value text not null,
      rotated_at timestamptz not null default now()
    );
    create table ${s}._approvals (
      id bigint generated always as identity primary key,
      module text not null,
      record_id uuid not null,
      transition text not null,
      "values" jsonb not null,
      requested_by uuid not null,
      approvers uuid[] not null,
      rule jsonb not null,
      status text not null default 'pending'
        check (status in ('pending', 'approved', 'rejected')),
      comment text,
      decided_by uuid,
      decided_at timestamptz,
      created_at timestamptz not null default now()
    );
    create unique index _approvals_pending_idx on ${s}._approvals (module, record_id)
      where status = 'pending';
    create index _approvals_approvers_idx on ${s}._approvals using gin (approvers)
      where status = 'pending';
    create index _approvals_requester_idx on ${s}._approvals (requested_by, id desc);
  `,
  // A write takes the shared metadata lock and then reads the revision in one round trip: each
  // statement of a VOLATILE function sees a fresh snapshot, so the read sees an apply that
  // committed while the lock waited (see meta/store.ts lockRevisionShared).
  (s) => `
    create function ${s}._lock_revision_shared() returns integer language plpgsql volatile as $$
    begin
      perform pg_advisory_xact_lock_shared(7240003, hashtext('${s.slice(1, -1)}'));
      return (select coalesce(max(n), 0)::int from ${s}._meta_revisions);
    end $$;
  `,
  // The stage history funnels read (reports/stage-history.ts): per tracked (module, field), each
  // history entry that set it, as a narrow row, with when the record's next entry came (the
  // stay's end). Derived by the database from every entry written to or rewritten in _history,
  // whatever wrote it; which fields are tracked is kept in step with the funnel reports by
  // apply and at start.
  (s) => `
    create table ${s}._stage_fields (
      module text not null,
      field text not null,
      primary key (module, field)
    );
    create table ${s}._stage_history (
      history_id bigint not null,
      module text not null,
      field text not null,
      record_id uuid not null,
      value text,
      at timestamptz not null,
      left_at timestamptz
    );
    create index _stage_history_at_idx on ${s}._stage_history (module, field, at)
      include (record_id, value, left_at);
    create index _stage_history_record_idx on ${s}._stage_history (module, field, record_id);
    create index _stage_history_entry_idx on ${s}._stage_history (history_id);
    create function ${s}._stage_history_derive() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' then
        delete from ${s}._stage_history e using new_rows h where e.history_id = h.id;
      end if;
      insert into ${s}._stage_history (history_id, module, field, record_id, value, at)
        select h.id, h.module, f.field, h.record_id, h.changes -> f.field ->> 'to', h.at
        from new_rows h join ${s}._stage_fields f on f.module = h.module
        where h.changes ? f.field;
      if found or tg_op = 'UPDATE' then
        -- Each stay of a record touched ends where its next entry begins. Driven from the
        -- records touched (a lateral probe of the record index each): a semi-join let the
        -- planner read the whole table for one entry.
        update ${s}._stage_history e set left_at = x.next_at
        from (
          select s.history_id, s.field,
            lead(s.at) over (partition by s.record_id, s.field order by s.history_id) as next_at
          from (
            select distinct h.module, f.field, h.record_id
            from new_rows h join ${s}._stage_fields f on f.module = h.module
            where h.changes ? f.field
          ) t
          cross join lateral (
            select s.history_id, s.field, s.record_id, s.at from ${s}._stage_history s
            where s.module = t.module and s.field = t.field and s.record_id = t.record_id
          ) s
        ) x
        where e.history_id = x.history_id and e.field = x.field
          and e.left_at is distinct from x.next_at;
      end if;
      return null;
    end $$;
    create trigger _stage_history_inserted after insert on ${s}._history
      referencing new table as new_rows for each statement
      execute function ${s}._stage_history_derive();
    create trigger _stage_history_updated after update on ${s}._history
      referencing new table as new_rows for each statement
      execute function ${s}._stage_history_derive();
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
