import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { Config } from './config.js';
import { clusterStateFile, jwtSecretFile } from './data-dir.js';
import { clusterPaths, clusterStatus } from './postmaster.js';

const run = promisify(execFile);

/** Written into every embedded backup, so a restore knows what it holds. */
interface BackupInfo {
  format: 'atrium-embedded-backup';
  version: 1;
  createdAt: string;
  postgres: string;
}

/**
 * Backs up Atrium's database to `file`, while the server runs or not.
 *
 * - Embedded Postgres: a `.tar.gz` holding a hot physical copy of the cluster (taken between
 *   `pg_backup_start` and `pg_backup_stop`, with the WAL it needs), its passwords file and
 *   the signing secret: everything to bring the data dir back with `atrium restore`. The
 *   file is created 0600, since it holds those secrets. Needs only `tar`.
 * - `DATABASE_URL`: `pg_dump --format=custom` of that database; needs a `pg_dump` of the
 *   server's major version or newer on the PATH.
 */
export async function backup(config: Config, file: string, log: (line: string) => void) {
  await fs.writeFile(file, '', { mode: 0o600 });
  await fs.chmod(file, 0o600);
  if (config.databaseUrl !== undefined) {
    const { url, env } = outOfArgv(config.databaseUrl);
    await run('pg_dump', ['--format=custom', `--file=${file}`, url], { env });
    log(`backed up ${new URL(config.databaseUrl).pathname.slice(1)} to ${file} (pg_dump)`);
    return;
  }
  if (!existsSync(path.join(clusterPaths(config.dataDir).pgDir, 'PG_VERSION'))) {
    throw new Error(`There is no database in ${config.dataDir} to back up.`);
  }
  const { openEmbeddedDatabase } = await import('./embedded-postgres.js');
  const database = await openEmbeddedDatabase({
    dataDir: config.dataDir,
    port: config.embeddedPgPort,
    notice: log,
  });
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'atrium-backup-'));
  try {
    const client = new pg.Client({ connectionString: database.adminUrl });
    client.on('error', () => {});
    await client.connect();
    try {
      await copyCluster(client, config.dataDir, staging);
    } finally {
      await client.end();
    }
    await run('tar', ['-czf', file, '-C', staging, '.']);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
    await database.close();
  }
  log(`backed up the embedded Postgres of ${config.dataDir} to ${file}`);
}

/** The URL without its password, which goes to the tool in PGPASSWORD: argv is visible to every local user. */
function outOfArgv(databaseUrl: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(databaseUrl);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env = password === '' ? process.env : { ...process.env, PGPASSWORD: password };
  return { url: parsed.toString(), env };
}

/** Copies the running cluster of `dataDir`, consistent as of `pg_backup_stop`, into `target`. */
async function copyCluster(client: pg.Client, dataDir: string, target: string): Promise<void> {
  const { pgDir } = clusterPaths(dataDir);
  const version = (await client.query<{ v: string }>('show server_version')).rows[0]?.v ?? '';
  // The session that starts the backup must be the one that stops it.
  await client.query(`select pg_backup_start('atrium backup', true)`);
  let label: { labelfile: string; spcmapfile: string | null } | undefined;
  try {
    await copyTree(pgDir, path.join(target, 'pg'), (rel) => !SKIPPED.has(rel));
  } finally {
    label = (await client.query('select labelfile, spcmapfile from pg_backup_stop(false)')).rows[0];
  }
  // The WAL written while the files were copied; recovery replays it from the label's start.
  await copyTree(path.join(pgDir, 'pg_wal'), path.join(target, 'pg', 'pg_wal'), () => true);
  await fs.writeFile(path.join(target, 'pg', 'backup_label'), label?.labelfile ?? '');
  if (label?.spcmapfile) {
    await fs.writeFile(path.join(target, 'pg', 'tablespace_map'), label.spcmapfile);
  }
  for (const f of [clusterStateFile(dataDir), jwtSecretFile(dataDir)]) {
    if (existsSync(f)) await fs.copyFile(f, path.join(target, path.basename(f)));
  }
  const info: BackupInfo = {
    format: 'atrium-embedded-backup',
    version: 1,
    createdAt: new Date().toISOString(),
    postgres: version,
  };
  await fs.writeFile(path.join(target, 'atrium-backup.json'), `${JSON.stringify(info)}\n`);
}

/**
 * What a physical backup leaves out (as pg_basebackup does): files of the running server,
 * and directories whose content is rebuilt at start. The directories themselves are kept.
 */
const SKIPPED = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'tablespace_map',
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);

/**
 * Copies a directory tree keeping modes. A directory `keep` refuses is created empty; a file
 * it refuses is left out. Files that vanish while copying (a dropped table) are skipped:
 * WAL replay recreates whatever state they had.
 */
async function copyTree(from: string, to: string, keep: (rel: string) => boolean, rel = '') {
  const info = await fs.stat(from);
  await fs.mkdir(to, { recursive: true, mode: info.mode & 0o777 });
  const entries = await fs.readdir(from, { withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const relPath = rel ? `${rel}/${e.name}` : e.name;
    const src = path.join(from, e.name);
    const dst = path.join(to, e.name);
    if (e.isDirectory()) {
      if (keep(relPath)) await copyTree(src, dst, keep, relPath);
      else await fs.mkdir(dst, { mode: 0o700 });
    } else if (keep(relPath) && !e.name.startsWith('pgsql_tmp')) {
      await fs.copyFile(src, dst).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    }
  }
}

/**
 * Restores a backup made by {@link backup}.
 *
 * - Embedded: into a data dir that holds no cluster yet (move the current one away first),
 *   then starts the cluster once so Postgres replays the WAL, and stops it.
 * - `DATABASE_URL`: `pg_restore` into that database, which should be empty; needs
 *   `pg_restore` on the PATH.
 */
export async function restore(config: Config, file: string, log: (line: string) => void) {
  if (config.databaseUrl !== undefined) {
    await run('pg_restore', [
      '--no-owner',
      '--exit-on-error',
      `--dbname=${config.databaseUrl}`,
      file,
    ]);
    log(`restored ${file} into ${new URL(config.databaseUrl).pathname.slice(1)} (pg_restore)`);
    return;
  }
  const { dataDir, pgDir } = clusterPaths(config.dataDir);
  if ((await clusterStatus(dataDir)).state === 'in-use') {
    throw new Error(`Stop the Atrium server using ${dataDir} first.`);
  }
  if (existsSync(pgDir)) {
    throw new Error(
      `${dataDir} already holds a database. Move it away (or restore into another ATRIUM_DATA_DIR) first.`,
    );
  }
  // Unpacked next to where it goes, so that moving it in is a rename.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const staging = await fs.mkdtemp(path.join(dataDir, '.restore-'));
  try {
    await run('tar', ['-xzf', file, '-C', staging]);
    const info = JSON.parse(
      await fs.readFile(path.join(staging, 'atrium-backup.json'), 'utf8').catch(() => '{}'),
    ) as Partial<BackupInfo>;
    if (info.format !== 'atrium-embedded-backup') {
      throw new Error(`${file} is not a backup of an embedded Atrium database`);
    }
    for (const name of ['postgres.json', 'jwt-secret']) {
      const from = path.join(staging, name);
      if (existsSync(from)) await fs.rename(from, path.join(dataDir, name));
    }
    await fs.rename(path.join(staging, 'pg'), pgDir);
    await fs.chmod(pgDir, 0o700);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  if (process.getuid?.() === 0) {
    // Postgres runs as the `postgres` user when we are root: it must own its files.
    await run('chown', ['-R', 'postgres:postgres', pgDir]);
  }
  const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
  const server = await startEmbeddedPostgres({ dataDir, port: config.embeddedPgPort, notice: log });
  await server.stop();
  log(`restored ${file} into ${dataDir}`);
}
