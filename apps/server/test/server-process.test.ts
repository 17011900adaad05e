import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';
import { findFreePort, makeTempDir } from '../../../scripts/test/global-setup.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const ADMIN = { email: 'owner@example.com', password: 'a long enough password' };

interface Running {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the base URL once the server says it is up, or rejects when it exits. */
  up: Promise<string>;
  exited: Promise<number | null>;
}

/** Starts the real server the way the README's first command does, with `env` on top. */
function start(env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, DATABASE_URL: undefined, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const up = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Atrium is up: (http:\/\/\S+?)\/api\/health/.exec(out);
      if (m?.[1]) resolve(m[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then((code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  up.catch(() => {});
  return { child, output: () => out, up, exited };
}

async function stop(r: Running): Promise<number | null> {
  r.child.kill('SIGTERM');
  return r.exited;
}

async function login(base: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** Whether a process with this pid runs (exists and is not a zombie waiting for its parent). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function postmasterPid(dataDir: string): Promise<number> {
  return Number(
    (await readFile(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0],
  );
}

/** Runs the built CLI with `env` on top of this process's environment. */
function cli(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, DATABASE_URL: undefined, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? -1) : 0, stdout, stderr }),
    );
  });
}

describe('the server process on DATABASE_URL', () => {
  let db: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = await makeTempDir('atrium-server-');
  });
  afterAll(async () => {
    await db.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: db.url,
    ATRIUM_DATA_DIR: dataDir,
    ATRIUM_ADMIN_EMAIL: ADMIN.email,
    ATRIUM_ADMIN_PASSWORD: ADMIN.password,
  });

  it('boots with the template and the first admin, serves it, and stops on SIGTERM', async () => {
    const server = start(env());
    const base = await server.up;
    expect(server.output()).toContain('installed template b2b-sales');
    const token = await login(base);
    const res = await fetch(`${base}/api/records/deals?count=true&sort=-amount`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = (await res.json()) as { data: { amount: number }[]; count: { value: number } };
    expect(page.count.value).toBeGreaterThan(0);
    // Empty values sort last in both directions.
    const amounts = page.data.map((d) => d.amount ?? Number.NEGATIVE_INFINITY);
    expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    expect(await stop(server)).toBe(0);
  });

  it('refuses tokens signed before `atrium secret rotate`, within seconds and without a restart', async () => {
    const server = start(env());
    const base = await server.up;
    const me = (token: string) =>
      fetch(`${base}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
        () => 0, // the moment the server swaps its app
      );
    const old = await login(base);
    expect(await me(old)).toBe(200);
    const rotated = await cli(['secret', 'rotate'], {
      DATABASE_URL: db.url,
      ATRIUM_DATA_DIR: dataDir,
    });
    expect(rotated.code, rotated.stderr).toBe(0);
    for (let i = 0; i < 50 && !server.output().includes('secret was rotated'); i++)
      await sleep(200);
    expect(await me(old)).toBe(401);
    expect(await me(await login(base))).toBe(200);
    expect(await stop(server)).toBe(0);
  });

  it('keeps its data across restarts and installs the template only once', async () => {
    const server = start(env());
    const base = await server.up;
    expect(server.output()).not.toContain('installed template');
    expect(server.output()).not.toContain('created the first administrator');
    const meta = await fetch(`${base}/api/meta`, {
      headers: { authorization: `Bearer ${await login(base)}` },
    });
    expect(((await meta.json()) as { revision: number }).revision).toBe(1);
    await stop(server);
  });

  it('refuses to serve a database migrated by a newer build', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(
      `insert into atrium.migrations (version, name) values (9999, 'from the future')`,
    );
    await client.end();
    const server = start(env());
    await expect(server.up).rejects.toThrow(/does not match this build/);
    expect(await server.exited).toBe(1);
  });
});

describe('the server process on its embedded Postgres', () => {
  it('stops both on SIGTERM (exit 0), and after kill -9 stops the orphaned Postgres at the next start', async () => {
    const dataDir = await makeTempDir('atrium-embedded-');
    const pgPort = await findFreePort();
    const env = {
      ATRIUM_DATA_DIR: dataDir,
      ATRIUM_PG_PORT: String(pgPort),
      ATRIUM_TEMPLATE: 'none',
    };
    try {
      const server = start(env);
      const base = await server.up;
      expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: 'ok' });
      expect(server.output()).toMatch(
        /created the first administrator — e-mail: admin@atrium\.local {2}password: \S+/,
      );
      // The signing secret and the database passwords: files only this user can read.
      for (const file of ['jwt-secret', 'postgres.json']) {
        expect(((await stat(path.join(dataDir, file))).mode & 0o777).toString(8)).toBe('600');
      }

      // A CLI command next to the running server uses the same cluster and leaves it running.
      const pid = await postmasterPid(dataDir);
      const created = await cli(
        ['user', 'create', '--email', 'clerk@example.com', '--password', 'long enough pw'],
        env,
      );
      expect(created.code, created.stderr).toBe(0);
      expect(alive(pid)).toBe(true);

      // kill -9 leaves Postgres running...
      server.child.kill('SIGKILL');
      await server.exited;
      expect(alive(pid)).toBe(true);
      // ...the next start says so and stops it, and serves from its own Postgres.
      const again = start(env);
      const base2 = await again.up;
      expect(again.output()).toContain(
        `stopping the embedded Postgres left running by a process that is gone (pid ${pid}`,
      );
      expect(alive(pid)).toBe(false);
      const login = await fetch(`${base2}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'clerk@example.com', password: 'long enough pw' }),
      });
      expect(login.status).toBe(200);
      const pid2 = await postmasterPid(dataDir);
      expect(await stop(again)).toBe(0);
      expect(alive(pid2)).toBe(false);
      const probe = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'atrium' });
      probe.on('error', () => {});
      await expect(probe.connect()).rejects.toThrow();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
