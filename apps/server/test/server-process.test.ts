import { type ChildProcess, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';
import { findFreePort, makeTempDir } from '../../../scripts/test/global-setup.js';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/main.js');
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

describe('the server process on DATABASE_URL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => db.drop());

  const env = () => ({
    DATABASE_URL: db.url,
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
    expect(await stop(server)).not.toBe(1);
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
  it('starts Postgres in the data dir, serves, and stops both on SIGTERM', async () => {
    const dataDir = await makeTempDir('atrium-embedded-');
    const pgPort = await findFreePort();
    try {
      const server = start({
        ATRIUM_DATA_DIR: dataDir,
        ATRIUM_PG_PORT: String(pgPort),
        ATRIUM_TEMPLATE: 'none',
      });
      const base = await server.up;
      expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ status: 'ok' });
      expect(server.output()).toMatch(
        /created the first administrator — e-mail: admin@atrium\.local {2}password: \S+/,
      );
      await stop(server);
      const probe = new pg.Client({
        connectionString: `postgres://postgres:postgres@127.0.0.1:${pgPort}/atrium`,
      });
      probe.on('error', () => {});
      await expect(probe.connect()).rejects.toThrow();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
