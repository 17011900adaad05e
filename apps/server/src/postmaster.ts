import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The processes around an embedded Postgres: its postmaster (recorded by Postgres in
 * `${dataDir}/pg/postmaster.pid`) and the Atrium process that started it (recorded by us in
 * `${dataDir}/pg-owner.pid`). Together they tell a live cluster in use, a cluster orphaned by
 * a killed server, and no cluster at all.
 */
export interface ClusterPaths {
  dataDir: string;
  pgDir: string;
  pidFile: string;
  ownerFile: string;
}

/** Files of the cluster in a data directory. */
export function clusterPaths(dataDir: string): ClusterPaths {
  const resolved = path.resolve(dataDir);
  const pgDir = path.join(resolved, 'pg');
  return {
    dataDir: resolved,
    pgDir,
    pidFile: path.join(pgDir, 'postmaster.pid'),
    ownerFile: path.join(resolved, 'pg-owner.pid'),
  };
}

/** Whether a process with this pid exists and is not a zombie. */
export function isAlive(pid: number): boolean {
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
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/** Reads a pid file's first line, or undefined. */
export async function readPid(file: string): Promise<number | undefined> {
  const text = await fs.readFile(file, 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.split('\n')[0] ?? '', 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** The port recorded in a postmaster.pid file (4th line), or undefined. */
export async function readPostmasterPort(pidFile: string): Promise<number | undefined> {
  const text = await fs.readFile(pidFile, 'utf8').catch(() => '');
  const port = Number.parseInt(text.split('\n')[3]?.trim() ?? '', 10);
  return Number.isSafeInteger(port) && port > 0 ? port : undefined;
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

/** What runs in a data dir's cluster right now. */
export type ClusterStatus =
  | { state: 'none' }
  /** Started by a live Atrium process (`owner`), possibly this one. */
  | { state: 'in-use'; pid: number; port: number | undefined; owner: number }
  /** Left running by an Atrium process that is gone (killed, crashed). */
  | { state: 'orphaned'; pid: number; port: number | undefined };

/** Looks at `${dataDir}/pg/postmaster.pid` and `${dataDir}/pg-owner.pid`. */
export async function clusterStatus(dataDir: string): Promise<ClusterStatus> {
  const { pgDir, pidFile, ownerFile } = clusterPaths(dataDir);
  const pid = await readPid(pidFile);
  if (pid === undefined || !isAlive(pid) || !(await isPostmasterOf(pid, pgDir))) {
    return { state: 'none' };
  }
  const port = await readPostmasterPort(pidFile);
  const owner = await readPid(ownerFile);
  if (owner !== undefined && isAlive(owner)) return { state: 'in-use', pid, port, owner };
  return { state: 'orphaned', pid, port };
}

/** Asks the postmaster `pid` for a fast shutdown, then an immediate one; throws when it stays. */
export async function stopPostmaster(pid: number, pgDir: string, timeoutMs = 20_000) {
  process.kill(pid, 'SIGINT'); // fast shutdown
  if (await waitForExit(pid, timeoutMs)) return;
  process.kill(pid, 'SIGQUIT'); // immediate shutdown
  if (await waitForExit(pid, 5_000)) return;
  throw new Error(`Could not stop the Postgres (pid ${pid}) of ${pgDir}; kill it by hand.`);
}

/**
 * Deals with an embedded Postgres possibly left running in `${dataDir}/pg`.
 *
 * - Nothing running: returns `'none'`.
 * - Running for a live Atrium process other than this one: the directory is in use;
 *   returns `'in-use'`.
 * - Running for a dead owner (a crashed or SIGKILLed run), or for this very process: shuts
 *   it down, saying so in `log`, and returns `'stopped'`; throws when it does not go away.
 */
export async function stopStaleEmbeddedPostgres(
  dataDir: string,
  log: (line: string) => void = () => {},
): Promise<'none' | 'in-use' | 'stopped'> {
  const status = await clusterStatus(dataDir);
  if (status.state === 'none') return 'none';
  if (status.state === 'in-use' && status.owner !== process.pid) return 'in-use';
  const { pgDir } = clusterPaths(dataDir);
  log(
    `stopping the embedded Postgres left running by a process that is gone ` +
      `(pid ${status.pid}, port ${status.port ?? '?'}) in ${pgDir}`,
  );
  await stopPostmaster(status.pid, pgDir);
  return 'stopped';
}

/**
 * The data dir of the Postgres listening on `port`, when it is a postmaster on this machine
 * whose command line we can read (`postgres -D <dir>/pg -p <port>`). For error messages.
 */
export async function dataDirOnPort(port: number): Promise<string | undefined> {
  const entries = await fs.readdir('/proc').catch(() => [] as string[]);
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = (await fs.readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (!argv[0]?.endsWith('postgres')) continue;
    const d = argv.indexOf('-D');
    const p = argv.indexOf('-p');
    if (d >= 0 && p >= 0 && argv[p + 1] === String(port) && argv[d + 1]) {
      const pgDir = argv[d + 1] as string;
      return path.basename(pgDir) === 'pg' ? path.dirname(pgDir) : pgDir;
    }
  }
  return undefined;
}
