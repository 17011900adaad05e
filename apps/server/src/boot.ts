import { randomBytes } from 'node:crypto';
import {
  assertSystemMigrated,
  countUsers,
  createDb,
  createEngine,
  createUser,
  type DbHandle,
  type Engine,
  getOrCreateSetting,
  migrateSystem,
} from '@atrium/engine';
import type { Config } from './config.js';
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
 * this build does not match, and opens the workspace.
 */
export async function boot(
  config: Config,
  log: (line: string) => void = console.log,
): Promise<Booted> {
  const database = await openDatabase(config);
  const handle = createDb(database.url);
  try {
    const applied = await migrateSystem(handle.db);
    if (applied.length > 0) log(`applied system migrations ${applied.join(', ')}`);
    await assertSystemMigrated(handle.db);
    const engine = await createEngine(handle.db, { workspace: config.workspace });
    const jwtSecret =
      config.jwtSecret ??
      (await getOrCreateSetting(handle.db, 'jwt_secret', () =>
        randomBytes(32).toString('base64url'),
      ));
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
