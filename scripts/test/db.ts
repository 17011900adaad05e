/**
 * Per-test databases on the server provided by `global-setup.ts`.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import {
  createDatabaseIfMissing,
  dropDatabase,
  withDatabaseName,
} from '../../apps/server/src/database.js';

// Also declared in global-setup.ts, which provides these values; repeated here so that
// test files importing this module type-check `inject()` on their own.
declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database on the test server whose user may create databases. */
    pgAdminUrl: string;
    /** Whether the server came from DATABASE_URL or was started for this run. */
    pgMode: 'external' | 'embedded';
  }
}

/** A database created for one test file or test. */
export interface TestDatabase {
  /** Connection string of the new, empty database. */
  url: string;
  /** Terminates its connections and drops it. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates an empty, uniquely named database (`atrium_t_<hex>`) on the test server and
 * returns its URL. Works whichever database the admin URL names (`test`, `postgres`,
 * `atrium`, ...). Call `drop()` when done, typically in `afterAll`.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('pgAdminUrl');
  const name = `atrium_t_${randomBytes(6).toString('hex')}`;
  const created = await createDatabaseIfMissing(adminUrl, name);
  if (!created) throw new Error(`test database ${name} already exists`);
  let dropped: Promise<void> | undefined;
  return {
    url: withDatabaseName(adminUrl, name),
    drop: () => {
      dropped ??= dropDatabase(adminUrl, name);
      return dropped;
    },
  };
}
