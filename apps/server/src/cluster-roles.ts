import { realpath } from 'node:fs/promises';
import { withClient, withDatabaseName } from './database.js';

/** The role the server connects as: it owns the database `atrium` and Atrium's schemas, nothing more. */
export const APP_ROLE = 'atrium';
/** The database the server uses in its embedded cluster. */
export const APP_DATABASE = 'atrium';
/** The superuser initdb creates. */
export const SUPERUSER = 'postgres';
/** The superuser password of clusters made before passwords were generated. */
export const LEGACY_PASSWORD = 'postgres';

/** `postgres://user:password@127.0.0.1:port/database`. */
export function localUrl(user: string, password: string, port: number, database: string): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Proves that the server behind `adminUrl` is the cluster kept in `pgDir` (`SHOW
 * data_directory`), so a process never uses a database that belongs to another data dir just
 * because that one answers on the expected port.
 */
export async function assertClusterOf(adminUrl: string, pgDir: string): Promise<void> {
  const served = await withClient(
    adminUrl,
    async (c) =>
      (await c.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]?.d ??
      '',
    5_000,
  );
  const [a, b] = await Promise.all([realpath(served).catch(() => served), realpath(pgDir)]);
  if (a !== b) {
    const port = new URL(adminUrl).port;
    throw new Error(
      `The Postgres on port ${port} serves ${served}, not ${pgDir}: it belongs to another data dir. ` +
        'Stop it, or give this data dir another port with ATRIUM_PG_PORT.',
    );
  }
}

/** Whether `error` is Postgres refusing a password (28P01) or an unknown role (28000). */
export function isAuthFailure(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === '28P01' || code === '28000';
}

/**
 * Creates the role `atrium` (login, not a superuser, cannot create roles or databases) with
 * `appPassword`, the database `atrium` owned by it, and hands it every Atrium schema and the
 * objects in them. Idempotent: run at every start, it also moves to the role what a cluster
 * of an earlier version made as the superuser. `adminUrl` is a superuser's.
 */
export async function ensureAppRole(adminUrl: string, appPassword: string): Promise<void> {
  await withClient(withDatabaseName(adminUrl, 'postgres'), async (c) => {
    const exists = (await c.query('select 1 from pg_roles where rolname = $1', [APP_ROLE]))
      .rowCount;
    // CREATE/ALTER ROLE take no bound parameters; the password is quoted as a literal.
    await c.query(
      `${exists ? 'alter' : 'create'} role ${APP_ROLE} login nosuperuser nocreatedb nocreaterole ` +
        `noreplication nobypassrls password ${c.escapeLiteral(appPassword)}`,
    );
    const db = await c.query<{ owner: string }>(
      'select pg_get_userbyid(datdba) as owner from pg_database where datname = $1',
      [APP_DATABASE],
    );
    if (db.rowCount === 0) await c.query(`create database ${APP_DATABASE} owner ${APP_ROLE}`);
    else if (db.rows[0]?.owner !== APP_ROLE) {
      await c.query(`alter database ${APP_DATABASE} owner to ${APP_ROLE}`);
    }
  });
  await withClient(withDatabaseName(adminUrl, APP_DATABASE), (c) => c.query(TAKE_OWNERSHIP));
}

/**
 * Gives the role `atrium` the schema `atrium`, the workspace schemas `ws_*` and what is in
 * them. Sequences owned by a column follow their table.
 */
const TAKE_OWNERSHIP = `
do $$
declare
  r record;
  app oid := '${APP_ROLE}'::regrole;
begin
  for r in select nspname from pg_namespace
           where (nspname = 'atrium' or nspname like 'ws\\_%') and nspowner <> app loop
    execute format('alter schema %I owner to ${APP_ROLE}', r.nspname);
  end loop;
  for r in select c.oid::regclass::text as name from pg_class c
           join pg_namespace n on n.oid = c.relnamespace
           where (n.nspname = 'atrium' or n.nspname like 'ws\\_%')
             and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and c.relowner <> app
             and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass
                             and d.objid = c.oid and d.deptype in ('a', 'i') and c.relkind = 'S') loop
    execute format('alter table %s owner to ${APP_ROLE}', r.name);
  end loop;
  for r in select p.oid::regprocedure::text as name from pg_proc p
           join pg_namespace n on n.oid = p.pronamespace
           where (n.nspname = 'atrium' or n.nspname like 'ws\\_%') and p.proowner <> app loop
    execute format('alter routine %s owner to ${APP_ROLE}', r.name);
  end loop;
  for r in select t.oid::regtype::text as name from pg_type t
           join pg_namespace n on n.oid = t.typnamespace
           where (n.nspname = 'atrium' or n.nspname like 'ws\\_%')
             and t.typtype in ('e', 'd') and t.typowner <> app loop
    execute format('alter type %s owner to ${APP_ROLE}', r.name);
  end loop;
end $$`;
