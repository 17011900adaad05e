import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
// Not exported by @atrium/server's entry point; tsx runs the sources directly.
import {
  createDatabaseIfMissing,
  dropDatabase,
  withDatabaseName,
} from '../../apps/server/src/database.js';
import { startEmbeddedPostgres } from '../../apps/server/src/embedded-postgres.js';
import { parentOf } from './machine.js';

/** The throwaway database of one run. */
export interface BenchDatabase {
  /** URL of the fresh `atrium_bench_<random>` database. */
  url: string;
  name: string;
  /** Where it runs, for the report. */
  server: string;
  /** Drops the database (unless kept) and stops the embedded Postgres if one was started. */
  close(options: { keep: boolean }): Promise<void>;
}

/**
 * A fresh database on DATABASE_URL's server, or on an embedded Postgres in a temporary
 * directory (started here, stopped by `close`).
 */
export async function openBenchDatabase(log: (line: string) => void): Promise<BenchDatabase> {
  const name = `atrium_bench_${randomBytes(4).toString('hex')}`;
  const fromEnv = process.env.DATABASE_URL;
  if (fromEnv) {
    await createDatabaseIfMissing(fromEnv, name);
    const server = `DATABASE_URL (${new URL(fromEnv).host})`;
    return {
      url: withDatabaseName(fromEnv, name),
      name,
      server,
      close: async ({ keep }) => {
        if (!keep) await dropDatabase(fromEnv, name);
      },
    };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-bench-'));
  const port = await freePort();
  log(`starting an embedded Postgres in ${dataDir} on port ${port}`);
  const pg = await startEmbeddedPostgres({ dataDir, port });
  const { adminUrl } = pg;
  try {
    await createDatabaseIfMissing(adminUrl, name);
  } catch (e) {
    await pg.stop();
    throw e;
  }
  return {
    url: withDatabaseName(adminUrl, name),
    name,
    server: `embedded Postgres on port ${port}`,
    close: async ({ keep }) => {
      if (keep) {
        await pg.stop();
        log(`--keep: database ${name} kept in the embedded cluster ${dataDir}/pg (stopped)`);
        return;
      }
      await dropDatabase(adminUrl, name).catch(() => {});
      await pg.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The pid of the postmaster serving `url` when it runs on this machine (the parent of our
 * backend), so its CPU can be told apart; undefined otherwise.
 */
export async function postmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const backend = r.rows[0]?.pid;
    return backend === undefined ? undefined : parentOf(backend);
  } finally {
    await client.end();
  }
}
