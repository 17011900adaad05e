import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { clusterStatus } from './postmaster.js';

/**
 * What a data dir records about its own embedded Postgres, in `postgres.json` (mode 0600):
 * the port it listens on (so every process finds the cluster of this data dir, not whatever
 * answers on a default port) and the passwords of its two roles, generated at init.
 */
export interface ClusterState {
  port?: number;
  /** Password of the superuser `postgres`: only for creating the cluster's roles and databases. */
  superuserPassword?: string;
  /** Password of the role `atrium` the server connects as (not a superuser). */
  appPassword?: string;
  /** initdb's throwaway superuser password, until the start that replaces it completes. */
  initPassword?: string;
}

/** A random secret of `bytes` bytes, base64url (no characters a URL or a shell would mangle). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Writes `content` to `file` readable and writable by this user only (0600), atomically: a
 * reader sees the old content or the new one, never a partial file or a wider mode.
 */
export async function writePrivateFile(file: string, content: string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${randomSecret(4)}.tmp`;
  try {
    await fs.writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
    await fs.rename(temporary, file);
  } finally {
    await fs.rm(temporary, { force: true });
  }
}

/** `${dataDir}/postgres.json`. */
export function clusterStateFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'postgres.json');
}

/** The recorded state, `{}` when there is none (a new data dir, or one made before it existed). */
export async function readClusterState(dataDir: string): Promise<ClusterState> {
  const text = await fs.readFile(clusterStateFile(dataDir), 'utf8').catch(() => undefined);
  if (text === undefined) return {};
  try {
    return JSON.parse(text) as ClusterState;
  } catch (error) {
    throw new Error(`${clusterStateFile(dataDir)} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Replaces the recorded state (0600). */
export async function writeClusterState(dataDir: string, state: ClusterState): Promise<void> {
  await writePrivateFile(clusterStateFile(dataDir), `${JSON.stringify(state, null, 2)}\n`);
}

/** `${dataDir}/jwt-secret`: the key that signs session tokens when `ATRIUM_JWT_SECRET` is unset. */
export function jwtSecretFile(dataDir: string): string {
  return path.join(path.resolve(dataDir), 'jwt-secret');
}

/** Reads the signing secret from the data dir, creating it (0600) on first use. */
export async function readOrCreateJwtSecret(dataDir: string): Promise<string> {
  const file = jwtSecretFile(dataDir);
  const existing = (await fs.readFile(file, 'utf8').catch(() => '')).trim();
  if (existing !== '') return existing;
  const secret = randomSecret();
  await writePrivateFile(file, `${secret}\n`);
  return secret;
}

/** Replaces the signing secret in the data dir: every token signed before stops being accepted. */
export async function rotateJwtSecret(dataDir: string): Promise<void> {
  await writePrivateFile(jwtSecretFile(dataDir), `${randomSecret()}\n`);
}

/**
 * Earlier versions kept the default data dir in apps/server/.data; it is `.data` at the
 * repository root now. Moves the earlier one there, once, so an upgrade does not start on an
 * empty database. Refuses while a Postgres runs in it.
 */
export async function moveEarlierDataDir(
  earlier: string,
  dataDir: string,
  log: (line: string) => void,
): Promise<void> {
  if (existsSync(dataDir) || !existsSync(earlier)) return;
  if ((await clusterStatus(earlier)).state !== 'none') {
    throw new Error(`Stop the Atrium server using ${earlier} first: its data moves to ${dataDir}.`);
  }
  await fs.rename(earlier, dataDir);
  log(`moved the data dir from ${earlier} to ${dataDir}`);
}
