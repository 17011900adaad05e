import { randomBytes } from 'node:crypto';
import path from 'node:path';
import {
  assertSystemMigrated,
  countUsers,
  createDb,
  createEngine,
  createUser,
  type DbHandle,
  type Engine,
  migrateSystem,
} from '@atrium/engine';
import { sql } from 'kysely';
import { type Config, REPO_ROOT } from './config.js';
import { moveEarlierDataDir, readOrCreateJwtSecret } from './data-dir.js';
import { type OpenDatabase, openDatabase } from './database.js';

/** A database with the system schema migrated and the workspace's engine loaded. */
export interface Booted {
  database: OpenDatabase;
  handle: DbHandle;
  engine: Engine;
  jwtSecret: string;
  close(): Promise<void>;
}

/**
 * Opens the database (embedded or DATABASE_URL), applies system migrations, refuses a schema
 * this build does not match, and opens the workspace. The session signing secret comes from
 * `ATRIUM_JWT_SECRET` or the data dir's `jwt-secret` file (0600), never from the database:
 * whoever can read the database must not be able to sign an administrator's token.
 */
export async function boot(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<Booted> {
  if (config.dataDir === path.join(REPO_ROOT, '.data')) {
    await moveEarlierDataDir(path.join(REPO_ROOT, 'apps/server/.data'), config.dataDir, log);
  }
  const database = await openDatabase(config, log);
  const handle = createDb(database.url);
  // An idle connection closed by Postgres (Ctrl-C reaches the embedded one too) must not
  // crash the process; the pool opens a new one when asked.
  handle.pool.on('error', (e) => log(`database connection closed: ${e.message}`));
  try {
    const applied = await migrateSystem(handle.db);
    if (applied.length > 0) log(`applied system migrations ${applied.join(', ')}`);
    await assertSystemMigrated(handle.db);
    const engine = await createEngine(handle.db, { workspace: config.workspace });
    const jwtSecret = config.jwtSecret ?? (await readOrCreateJwtSecret(config.dataDir));
    // Earlier versions kept the secret in the database; a token signed with it must not live on.
    const legacy = await sql`delete from atrium.settings where key = 'jwt_secret'`.execute(
      handle.db,
    );
    if (Number(legacy.numAffectedRows ?? 0) > 0) {
      log(
        'removed the session secret from the database (it lives in the data dir now); sign in again',
      );
    }
    return {
      database,
      handle,
      engine,
      jwtSecret,
      close: async () => {
        await engine.metadata.close();
        await handle.destroy();
        await database.close();
      },
    };
  } catch (e) {
    await handle.destroy().catch(() => {});
    await database.close().catch(() => {});
    throw e;
  }
}

/**
 * The first administrator: from ATRIUM_ADMIN_EMAIL / ATRIUM_ADMIN_PASSWORD, or with a generated
 * password printed once. Does nothing when any user exists.
 */
export async function ensureFirstAdmin(
  booted: Booted,
  config: Config,
  log: (line: string) => void,
): Promise<void> {
  if ((await countUsers(booted.handle.db)) > 0) return;
  const email = config.adminEmail ?? 'admin@atrium.local';
  const password = config.adminPassword ?? randomBytes(9).toString('base64url');
  await createUser(booted.handle.db, { email, password, name: 'Administrator', isAdmin: true });
  if (config.adminPassword) log(`created the first administrator ${email}`);
  else
    log(
      `created the first administrator — e-mail: ${email}  password: ${password}  (shown once; change it)`,
    );
}
