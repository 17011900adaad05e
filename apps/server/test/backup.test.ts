import { execFile } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countUsers, createUser } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../../scripts/test/db.js';
import { findFreePort, makeTempDir } from '../../../scripts/test/global-setup.js';
import { type Booted, boot } from '../src/boot.js';
import { loadConfig } from '../src/config.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

function atrium(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: { ...process.env, DATABASE_URL: undefined, ATRIUM_TEMPLATE: 'none', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

const emails = async (booted: Booted) =>
  (
    await sql<{ email: string }>`select email from atrium.users order by email`.execute(
      booted.handle.db,
    )
  ).rows.map((r) => r.email);

describe('atrium backup and restore', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const dir = await makeTempDir('atrium-backup-test-');
    dirs.push(dir);
    return dir;
  };
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('backs up a running embedded database and restores it into a fresh data dir', async () => {
    const [a, b, files] = [await tempDir(), await tempDir(), await tempDir()];
    const envA = { ATRIUM_DATA_DIR: a, ATRIUM_PG_PORT: String(await findFreePort()) };
    const server = await boot(loadConfig(envA), () => {});
    const file = path.join(files, 'atrium.tar.gz');
    try {
      await createUser(server.handle.db, {
        email: 'kept@example.com',
        password: 'pw-pw-pw-pw',
        name: 'K',
      });
      // The server keeps running: the CLI shares its cluster and copies it hot.
      const made = await atrium(['backup', file], envA);
      expect(made.code, made.stderr).toBe(0);
      expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
      await createUser(server.handle.db, {
        email: 'later@example.com',
        password: 'pw-pw-pw-pw',
        name: 'L',
      });
    } finally {
      await server.close();
    }

    const envB = { ATRIUM_DATA_DIR: b, ATRIUM_PG_PORT: String(await findFreePort()) };
    const restored = await atrium(['restore', file], envB);
    expect(restored.code, restored.stderr).toBe(0);
    const again = await boot(loadConfig(envB), () => {});
    try {
      expect(await emails(again)).toEqual(['kept@example.com']);
      expect(again.jwtSecret).toBe((await readFile(path.join(a, 'jwt-secret'), 'utf8')).trim());
    } finally {
      await again.close();
    }
    // A data dir that holds a database is never overwritten.
    const refused = await atrium(['restore', file], envB);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('already holds a database');
  }, 90_000);

  it.runIf(inject('pgMode') === 'external')(
    'on DATABASE_URL, wraps pg_dump and pg_restore',
    async () => {
      const [from, to] = [await createTestDatabase(), await createTestDatabase()];
      const file = path.join(await tempDir(), 'atrium.dump');
      const dataDir = await tempDir();
      try {
        const source = await boot(
          loadConfig({ DATABASE_URL: from.url, ATRIUM_DATA_DIR: dataDir }),
          () => {},
        );
        await createUser(source.handle.db, {
          email: 'kept@example.com',
          password: 'pw-pw-pw-pw',
          name: 'K',
        });
        await source.close();
        const made = await atrium(['backup', file], {
          DATABASE_URL: from.url,
          ATRIUM_DATA_DIR: dataDir,
        });
        expect(made.code, made.stderr).toBe(0);
        const back = await atrium(['restore', file], {
          DATABASE_URL: to.url,
          ATRIUM_DATA_DIR: dataDir,
        });
        expect(back.code, back.stderr).toBe(0);
        const target = await boot(
          loadConfig({ DATABASE_URL: to.url, ATRIUM_DATA_DIR: dataDir }),
          () => {},
        );
        expect(await countUsers(target.handle.db)).toBe(1);
        expect(await emails(target)).toEqual(['kept@example.com']);
        await target.close();
      } finally {
        await from.drop();
        await to.drop();
      }
    },
  );
});
