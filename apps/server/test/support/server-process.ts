import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/main.js');

export const PROCESS_ADMIN = { email: 'owner@example.com', password: 'a long enough password' };

/** A real server process (the built `main.js`), as `pnpm start` runs it. */
export interface ServerProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Base URL once the server says it is up; rejects when it exits first. */
  up: Promise<string>;
  exited: Promise<number | null>;
  /** Whether the process is still running. */
  alive(): boolean;
}

/** Starts a server on `databaseUrl` with the process admin, no template, on a free port. */
export function startServerProcess(
  databaseUrl: string,
  env: Record<string, string | undefined> = {},
): ServerProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      LOG_LEVEL: 'error',
      ATRIUM_TEMPLATE: 'none',
      ATRIUM_ADMIN_EMAIL: PROCESS_ADMIN.email,
      ATRIUM_ADMIN_PASSWORD: PROCESS_ADMIN.password,
      ATRIUM_JWT_SECRET: 'fault-tests-secret-fault-tests-secret',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let running = true;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running = false;
      resolve(code);
    }),
  );
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
  return { child, output: () => out, up, exited, alive: () => running };
}

/** SIGTERM, then wait for the exit. */
export async function stopServerProcess(server: ServerProcess): Promise<number | null> {
  if (server.alive()) server.child.kill('SIGTERM');
  return server.exited;
}

/** A reply: status and parsed JSON body (undefined when the body is not JSON). */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read into bodies of many shapes.
  body: any;
}

/** A signed-in HTTP client of one server. */
export interface Client {
  base: string;
  call(method: string, url: string, body?: unknown): Promise<Answer>;
}

/** Signs in as the process admin. */
export async function signIn(base: string): Promise<Client> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(PROCESS_ADMIN),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const { token } = (await res.json()) as { token: string };
  return {
    base,
    call: async (method, url, body) => {
      const r = await fetch(`${base}${url}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: r.status, body: parsed };
    },
  };
}

/** Whether a reply is in the one error shape `{ error: { code, message, details[] } }`. */
export function inErrorShape(body: unknown): boolean {
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } })?.error;
  return (
    typeof e?.code === 'string' &&
    typeof e.message === 'string' &&
    Array.isArray(e.details) &&
    e.details.every(
      (d: { path?: unknown; message?: unknown }) =>
        typeof d?.path === 'string' && typeof d?.message === 'string',
    )
  );
}

/** Tallies of replies: by status, plus failures to get any reply at all. */
export class Tally {
  readonly byStatus = new Map<number, number>();
  /** Replies with status ≥ 400 outside the error shape. */
  outOfShape = 0;
  /** Requests that got no HTTP reply (connection refused or reset). */
  noReply = 0;
  /** 5xx other than 503, with a sample body. */
  readonly serverErrors: unknown[] = [];

  add(a: Answer): void {
    this.byStatus.set(a.status, (this.byStatus.get(a.status) ?? 0) + 1);
    if (a.status >= 400 && !inErrorShape(a.body)) this.outOfShape++;
    if (a.status >= 500 && a.status !== 503 && this.serverErrors.length < 5)
      this.serverErrors.push(a.body);
  }

  count(predicate: (status: number) => boolean): number {
    let n = 0;
    for (const [status, k] of this.byStatus) if (predicate(status)) n += k;
    return n;
  }

  get ok(): number {
    return this.count((s) => s < 300);
  }
  /** 5xx other than 503 (503 is the database-away answer). */
  get failed(): number {
    return this.count((s) => s >= 500 && s !== 503);
  }
  get unavailable(): number {
    return this.byStatus.get(503) ?? 0;
  }

  toString(): string {
    return `${[...this.byStatus].map(([s, n]) => `${s}×${n}`).join(' ')} noReply×${this.noReply}`;
  }
}

/**
 * Runs `workers` loops calling `step` until `until()` is true; each step gets its loop
 * index and a running counter. Resolves when every loop has ended.
 */
export async function load(
  workers: number,
  until: () => boolean,
  step: (worker: number, i: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !until(); i++) await step(w, i);
    }),
  );
}

/** Polls `probe` every `everyMs` until it is true; returns the time it took, or throws at `withinMs`. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  withinMs: number,
  everyMs = 25,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    if (await probe().catch(() => false)) return Date.now() - started;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not within ${withinMs} ms`);
}

/** Runs `fn` with a fresh connection to `url` (not one of the server's). */
export async function withAdmin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Terminates the other sessions on the database of `url` whose last statement matches
 * `queryLike` (all of them by default), only running ones with `activeOnly`; returns how many.
 */
export async function terminateSessions(
  url: string,
  queryLike = '%',
  activeOnly = false,
): Promise<number> {
  return withAdmin(url, async (c) => {
    const r = await c.query(
      `select pg_terminate_backend(pid) as done from pg_stat_activity
       where datname = current_database() and pid <> pg_backend_pid() and query ilike $1
         and (state = 'active' or not $2)`,
      [queryLike, activeOnly],
    );
    return r.rows.filter((row) => row.done).length;
  });
}
