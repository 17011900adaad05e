import {
  createDb,
  createEngine,
  createUser,
  type DbHandle,
  type Engine,
  migrateSystem,
} from '@atrium/engine';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createTestDatabase, type TestDatabase } from '../../../../scripts/test/db.js';
import { buildApp } from '../../src/app.js';

/** A full Atrium app on a fresh database, signed in as an administrator. */
export interface TestApp {
  app: FastifyInstance;
  engine: Engine;
  handle: DbHandle;
  database: TestDatabase;
  /** Token of the administrator. */
  token: string;
  /** Sends a request as the administrator (or with `token`), JSON in and out. */
  call(method: string, url: string, body?: unknown, token?: string | null): Promise<Reply>;
  /** Applies documents; throws with the response when the apply is refused. */
  apply(documents: unknown[], extra?: Record<string, unknown>): Promise<Reply>;
  /** Signs up a user (with a role and a profile, if given) and returns their token. */
  userToken(
    email: string,
    options?: { admin?: boolean; role?: string | null; profile?: string | null },
  ): Promise<string>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  body: any;
  raw: LightMyRequestResponse;
}

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery staple' };

export async function startTestApp(options: { workspace?: string } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const handle = createDb(database.url);
  await migrateSystem(handle.db);
  const engine = await createEngine(handle.db, { workspace: options.workspace ?? 'main' });
  await createUser(handle.db, { ...ADMIN, isAdmin: true, name: 'Admin' });
  const app = await buildApp({ engine, jwtSecret: 'test-secret-test-secret-test-secret' });
  await app.ready();
  const login = async (email: string, password: string) => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
    });
    return r.json().token as string;
  };
  const token = await login(ADMIN.email, ADMIN.password);
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    as: string | null = token,
  ): Promise<Reply> => {
    const raw = await app.inject({
      method: method as 'GET',
      url,
      headers: as ? { authorization: `Bearer ${as}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
    let parsed: unknown;
    try {
      parsed = raw.json();
    } catch {
      parsed = raw.body;
    }
    return { status: raw.statusCode, body: parsed, raw };
  };
  return {
    app,
    engine,
    handle,
    database,
    token,
    call,
    apply: async (documents, extra = {}) => {
      const r = await call('POST', '/api/meta/apply', { documents, ...extra });
      if (r.status !== 200) throw new Error(`apply refused: ${r.status} ${JSON.stringify(r.body)}`);
      return r;
    },
    userToken: async (email, opts = {}) => {
      await createUser(handle.db, {
        email,
        password: 'pw-pw-pw-pw',
        isAdmin: opts.admin ?? false,
        role: opts.role ?? null,
        profile: opts.profile ?? null,
      });
      return login(email, 'pw-pw-pw-pw');
    },
    close: async () => {
      await app.close();
      await engine.metadata.close();
      await handle.destroy();
      await database.drop();
    },
  };
}

/** A profile document that allows everything on `modules` (a non-admin without one can do nothing). */
export function fullProfile(modules: string[], name = 'full'): Record<string, unknown> {
  const all = { create: true, read: true, update: true, delete: true, import: true, export: true };
  return { kind: 'profile', name, modules: Object.fromEntries(modules.map((m) => [m, all])) };
}

/** `filter` query parameter of a JSON Logic expression. */
export function filterParam(logic: unknown): string {
  return encodeURIComponent(JSON.stringify(logic));
}
