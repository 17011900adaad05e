/**
 * Vitest global setup: provides a Postgres server to the tests.
 *
 * With DATABASE_URL set, that server is used as is (`pgMode` = 'external'). Otherwise an
 * embedded Postgres is started in a fresh temporary directory on a free port in
 * 55000–59999 (`pgMode` = 'embedded') and removed again in teardown. Tests get the admin
 * URL with `inject('pgAdminUrl')`, usually through `createTestDatabase()` in `./db.ts`.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  startEmbeddedPostgres,
  stopStaleEmbeddedPostgres,
} from '../../apps/server/src/embedded-postgres.js';

const TEMP_PREFIX = 'atrium-test-pg-';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database on the test server whose user may create databases. */
    pgAdminUrl: string;
    /** Whether the server came from DATABASE_URL or was started for this run. */
    pgMode: 'external' | 'embedded';
  }
}

/** Whether a process with this pid exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether 127.0.0.1:port can be bound right now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/** A port in 55000–59999 that is free at the time of the call. */
export async function findFreePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 55000 + Math.floor(Math.random() * 5000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found in 55000-59999');
}

/** Creates a temporary directory the `postgres` user can enter (Postgres runs as it under root). */
export async function makeTempDir(prefix: string): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  await fs.chmod(dir, 0o755);
  return dir;
}

/**
 * Removes temporary clusters of earlier runs that were killed before their teardown
 * (SIGKILL, or a signal that made vitest exit at once), stopping a Postgres still running
 * there. Directories of runs still in progress are left alone.
 */
async function sweepAbandonedDirs(): Promise<void> {
  const entries = await fs.readdir(os.tmpdir()).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.startsWith(TEMP_PREFIX))) {
    const dir = path.join(os.tmpdir(), entry);
    try {
      const owner = Number.parseInt(
        await fs.readFile(path.join(dir, 'pg-owner.pid'), 'utf8').catch(() => ''),
        10,
      );
      if (Number.isNaN(owner)) {
        // Without an owner file the run may still be starting: only sweep old directories.
        if (Date.now() - (await fs.stat(dir)).mtimeMs < 10 * 60_000) continue;
      } else if (isAlive(owner)) {
        continue;
      }
      if ((await stopStaleEmbeddedPostgres(dir)) === 'in-use') continue;
      await fs.rm(dir, { recursive: true, force: true });
    } catch {
      // Best effort: another run may be sweeping the same directory.
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.DATABASE_URL;
  if (external !== undefined && external !== '') {
    project.provide('pgAdminUrl', external);
    project.provide('pgMode', 'external');
    return async () => {};
  }

  await sweepAbandonedDirs();
  const dir = await makeTempDir(TEMP_PREFIX);
  const verbose = Boolean(process.env.ATRIUM_TEST_VERBOSE);
  const log = verbose ? (line: string) => console.log(`[postgres] ${line}`) : undefined;
  const started = Date.now();
  let server: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  for (let attempt = 1; server === undefined; attempt++) {
    const port = await findFreePort();
    try {
      server = await startEmbeddedPostgres({ dataDir: dir, port, log });
    } catch (error) {
      // Another process may have taken the port between the check and the start.
      const portTaken = /in use/i.test(String(error));
      if (!portTaken || attempt >= 3) {
        await fs.rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  if (verbose) {
    console.log(
      `[global-setup] embedded Postgres ready in ${Date.now() - started} ms: ${server.url}`,
    );
  }
  const running = server;
  project.provide('pgAdminUrl', running.adminUrl);
  project.provide('pgMode', 'embedded');

  return async () => {
    try {
      await running.stop();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };
}
