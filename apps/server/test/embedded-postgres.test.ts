import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, makeTempDir } from '../../../scripts/test/global-setup.js';
import { boot } from '../src/boot.js';
import { loadConfig } from '../src/config.js';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const mode = async (file: string) => ((await fs.stat(file)).mode & 0o777).toString(8);
const withPassword = (url: string, user: string, password: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
};

describe('startEmbeddedPostgres', () => {
  const dirs: string[] = [];
  const stops: Array<() => Promise<void>> = [];
  const tempDir = async () => {
    const dir = await makeTempDir('atrium-embedded-pg-test-');
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const stop of stops) await stop();
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it('initialises with generated passwords, serves as a non-superuser, stops, and restarts with the data kept', async () => {
    const dir = await tempDir();
    const port = await findFreePort();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);

    let t0 = Date.now();
    const first = await startEmbeddedPostgres({ dataDir: dir, port, log });
    stops.push(first.stop);
    const firstMs = Date.now() - t0;
    expect(first.url).toMatch(
      new RegExp(`^postgres://atrium:[\\w-]{43}@127\\.0\\.0\\.1:${port}/atrium$`),
    );
    expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    const [role] = await query<{ rolsuper: boolean; rolcreaterole: boolean }>(
      first.url,
      'select rolsuper, rolcreaterole from pg_roles where rolname = current_user',
    );
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false });
    // The well-known superuser password of earlier versions does not open it.
    await expect(
      query(withPassword(first.adminUrl, 'postgres', 'postgres'), 'select 1'),
    ).rejects.toThrow(/password authentication failed/);
    expect(await query(first.adminUrl, 'select current_setting($$is_superuser$$) as s')).toEqual([
      { s: 'on' },
    ]);
    // The port and the passwords are kept in the data dir, readable by this user only.
    const state = JSON.parse(await fs.readFile(path.join(dir, 'postgres.json'), 'utf8'));
    expect(state.port).toBe(port);
    // initdb's throwaway password (its file sat in the temporary directory) is gone.
    expect(state.initPassword).toBeUndefined();
    expect(first.url).toContain(state.appPassword);
    expect(await mode(path.join(dir, 'postgres.json'))).toBe('600');

    await query(first.url, "create table kept (v text); insert into kept values ('hello')");
    expect(lines.some((l) => l.includes('initialising'))).toBe(true);
    await first.stop();
    await first.stop(); // idempotent
    await expect(query(first.url, 'select 1')).rejects.toThrow();

    lines.length = 0;
    t0 = Date.now();
    // No port asked for: the recorded one.
    const second = await startEmbeddedPostgres({ dataDir: dir, log });
    stops.push(second.stop);
    const secondMs = Date.now() - t0;
    expect(second.url).toBe(first.url);
    expect(lines.some((l) => l.includes('initialising'))).toBe(false);
    expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'hello' }]);
    await second.stop();
    console.log(`embedded Postgres: first start ${firstMs} ms, restart ${secondMs} ms`);
  }, 90_000);

  it('never serves another data dir: a taken port is refused naming its data dir, or replaced when not asked for', async () => {
    const [a, b] = [await tempDir(), await tempDir()];
    const port = await findFreePort();
    const first = await startEmbeddedPostgres({ dataDir: a, port });
    stops.push(first.stop);

    await expect(startEmbeddedPostgres({ dataDir: b, port })).rejects.toThrow(
      new RegExp(`port ${port} is in use by the embedded Postgres of ${a}`),
    );
    // b's record says the same port (as the default would): it moves to a free one.
    await fs.writeFile(path.join(b, 'postgres.json'), JSON.stringify({ port }));
    const notices: string[] = [];
    const second = await startEmbeddedPostgres({ dataDir: b, notice: (l) => notices.push(l) });
    stops.push(second.stop);
    expect(second.port).not.toBe(port);
    expect(notices.join('\n')).toContain(`port ${port} is in use by the embedded Postgres of ${a}`);
    const [served] = await query<{ data_directory: string }>(
      second.adminUrl,
      'show data_directory',
    );
    expect(served?.data_directory).toBe(path.join(b, 'pg'));
    const again = JSON.parse(await fs.readFile(path.join(b, 'postgres.json'), 'utf8'));
    expect(again.port).toBe(second.port);
    await second.stop();
    await first.stop();
  }, 90_000);

  it('secures a data dir made by an earlier version (postgres/postgres, secret in the database)', async () => {
    const dir = await tempDir();
    const port = await findFreePort();
    // Make it look like the earlier version left it: everything owned by the superuser, whose
    // password is the well-known one, no state file, the signing secret in a table.
    const config = loadConfig({ ATRIUM_DATA_DIR: dir, ATRIUM_PG_PORT: String(port) });
    const first = await boot(config, () => {});
    await first.close();
    const old = await startEmbeddedPostgres({ dataDir: dir, port });
    stops.push(old.stop);
    const oldSuper = withPassword(old.adminUrl, 'postgres', 'postgres');
    await query(
      withPassword(old.url, 'postgres', new URL(old.adminUrl).password),
      `reassign owned by atrium to postgres;
       insert into atrium.settings values ('jwt_secret', '"stolen"');
       alter role postgres password 'postgres';`,
    );
    await old.stop();
    await fs.rm(path.join(dir, 'postgres.json'));
    await fs.rm(path.join(dir, 'jwt-secret'));

    const lines: string[] = [];
    const booted = await boot(config, (l) => lines.push(l));
    try {
      expect(lines.join('\n')).toMatch(
        /well-known password "postgres"; it now has a generated one/,
      );
      expect(lines.join('\n')).toContain('removed the session secret from the database');
      await expect(query(oldSuper, 'select 1')).rejects.toThrow(/password authentication failed/);
      const url = booted.database.url;
      expect(new URL(url).username).toBe('atrium');
      // The signing secret: a 0600 file, not in the database, out of the role's reach.
      const secretFile = path.join(dir, 'jwt-secret');
      expect(booted.jwtSecret).toBe((await fs.readFile(secretFile, 'utf8')).trim());
      expect(booted.jwtSecret).not.toBe('stolen');
      expect(await mode(secretFile)).toBe('600');
      expect(await mode(path.join(dir, 'postgres.json'))).toBe('600');
      expect(await query(url, `select * from atrium.settings where key = 'jwt_secret'`)).toEqual(
        [],
      );
      await expect(query(url, `select pg_read_file('${secretFile}')`)).rejects.toThrow(
        /permission denied/,
      );
      await expect(query(url, `copy (select 1) to program 'id'`)).rejects.toThrow(
        /permission denied|must be superuser|not allowed/,
      );
      // What the earlier version made as the superuser now belongs to the role.
      const owners = await query<{ owner: string }>(
        url,
        `select distinct pg_get_userbyid(relowner) as owner from pg_class
         where relnamespace = 'atrium'::regnamespace`,
      );
      expect(owners).toEqual([{ owner: 'atrium' }]);
    } finally {
      await booted.close();
    }
  }, 90_000);
});
