import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root (this file is apps/server/{src,dist}/config). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The directory the user stands in. Under `pnpm start` or `pnpm atrium` the process runs in
 * another directory; pnpm passes the one it was started from as `INIT_CWD`.
 */
export function callerDir(env: NodeJS.ProcessEnv = process.env): string {
  const viaScript = ['start', 'atrium', 'cli'].includes(env.npm_lifecycle_event ?? '');
  return viaScript && env.INIT_CWD ? env.INIT_CWD : process.cwd();
}

/** Runtime settings of the Atrium server, read once at start-up from the environment. */
export interface Config {
  /** TCP port the HTTP server listens on (`PORT`, default 3000; 0 picks a free port). */
  port: number;
  /** Interface the HTTP server binds to (`HOST`, default `127.0.0.1`). */
  host: string;
  /** External Postgres connection string (`DATABASE_URL`); when unset an embedded Postgres is used. */
  databaseUrl: string | undefined;
  /**
   * Absolute directory for local state: the embedded Postgres cluster, its passwords, the
   * signing secret (`ATRIUM_DATA_DIR`, relative to where the user stands; default `.data` at
   * the repository's root).
   */
  dataDir: string;
  /** E-mail of the administrator to create on first start (`ATRIUM_ADMIN_EMAIL`). */
  adminEmail: string | undefined;
  /** Password of that administrator (`ATRIUM_ADMIN_PASSWORD`). */
  adminPassword: string | undefined;
  /** Secret used to sign session tokens (`ATRIUM_JWT_SECRET`). */
  jwtSecret: string | undefined;
  /** Workspace name, also usable as a schema name (`ATRIUM_WORKSPACE`, default `main`). */
  workspace: string;
  /**
   * Port of the embedded Postgres when `DATABASE_URL` is unset (`ATRIUM_PG_PORT`, 1..65535).
   * Unset: the port recorded in the data dir, else 54329 or, when another process has it, a free one.
   */
  embeddedPgPort: number | undefined;
  /** Log level passed to the logger (`LOG_LEVEL`, default `info`). */
  logLevel: string;
  /** Template installed into an empty workspace at start (`ATRIUM_TEMPLATE`, default `b2b-sales`; `none` for none). */
  template: string | undefined;
  /** Other origins whose pages may call the API (`ATRIUM_CORS_ORIGINS`, comma-separated; default none). */
  corsOrigins: string[];
}

/** Allowed workspace names: a lower-case letter, then up to 30 lower-case letters, digits or `_`. */
const WORKSPACE_PATTERN = /^[a-z][a-z0-9_]{0,30}$/;

/** Returns the variable's value, treating an unset or blank value as absent. */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Parses a TCP port (an integer min..65535), throwing an error that names the variable. */
function readPort<F extends number | undefined>(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: F,
  min = 0,
): number | F {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(port) || port < min || port > 65535) {
    throw new Error(
      `${name} must be an integer between ${min} and 65535, got ${JSON.stringify(raw)}`,
    );
  }
  return port;
}

/**
 * Reads the server configuration from environment variables.
 *
 * Variables: `PORT` (default 3000), `HOST` (default `127.0.0.1`), `DATABASE_URL`,
 * `ATRIUM_DATA_DIR` (default `.data` at the repository root; relative to {@link callerDir}),
 * `ATRIUM_ADMIN_EMAIL`, `ATRIUM_ADMIN_PASSWORD`, `ATRIUM_JWT_SECRET`,
 * `ATRIUM_WORKSPACE` (default `main`, must match `^[a-z][a-z0-9_]{0,30}$`),
 * `ATRIUM_PG_PORT` (default: recorded in the data dir, else 54329), `LOG_LEVEL` (default
 * `info`), `ATRIUM_TEMPLATE` and `ATRIUM_CORS_ORIGINS`.
 * Empty values count as unset.
 *
 * @throws Error naming the variable when a value is invalid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const workspace = read(env, 'ATRIUM_WORKSPACE') ?? 'main';
  if (!WORKSPACE_PATTERN.test(workspace)) {
    throw new Error(
      `ATRIUM_WORKSPACE must match ${WORKSPACE_PATTERN.source}, got ${JSON.stringify(workspace)}`,
    );
  }
  return {
    port: readPort(env, 'PORT', 3000),
    host: read(env, 'HOST') ?? '127.0.0.1',
    databaseUrl: read(env, 'DATABASE_URL'),
    dataDir: path.resolve(
      read(env, 'ATRIUM_DATA_DIR') === undefined ? REPO_ROOT : callerDir(env),
      read(env, 'ATRIUM_DATA_DIR') ?? '.data',
    ),
    adminEmail: read(env, 'ATRIUM_ADMIN_EMAIL'),
    adminPassword: env.ATRIUM_ADMIN_PASSWORD === '' ? undefined : env.ATRIUM_ADMIN_PASSWORD,
    jwtSecret: env.ATRIUM_JWT_SECRET === '' ? undefined : env.ATRIUM_JWT_SECRET,
    workspace,
    embeddedPgPort: readPort(env, 'ATRIUM_PG_PORT', undefined, 1),
    logLevel: read(env, 'LOG_LEVEL') ?? 'info',
    template: templateName(read(env, 'ATRIUM_TEMPLATE') ?? 'b2b-sales'),
    corsOrigins: corsOrigins(read(env, 'ATRIUM_CORS_ORIGINS')),
  };
}

/** `https://a.example, http://localhost:5173` → exact origins (scheme, host, port; no path). */
function corsOrigins(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter((o) => o !== '')
    .map((o) => {
      let origin: string | undefined;
      try {
        origin = new URL(o).origin;
      } catch {}
      if (origin !== o || !/^https?:/.test(o)) {
        throw new Error(
          `ATRIUM_CORS_ORIGINS must list origins such as https://crm.example.com, got ${JSON.stringify(o)}`,
        );
      }
      return o;
    });
}

function templateName(raw: string): string | undefined {
  if (raw === 'none') return undefined;
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(raw)) {
    throw new Error(
      `ATRIUM_TEMPLATE must be a template folder name or none, got ${JSON.stringify(raw)}`,
    );
  }
  return raw;
}
