import { createDb, type DbHandle } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';

/**
 * The pool's clients hold a transaction's `begin` back until its first statement (db.ts); every
 * other way of calling them passes through unchanged — pg's own `pool.query` (a callback call)
 * included, which once closed the client instead of running.
 */
describe('the pool createDb opens', () => {
  let database: TestDatabase;
  let h: DbHandle;
  beforeAll(async () => {
    database = await createTestDatabase();
    h = createDb(database.url, { max: 2 });
  });
  afterAll(async () => {
    await h?.destroy();
    await database?.drop();
  });

  it('answers pool.query, with and without values, and keeps its clients', async () => {
    expect((await h.pool.query('select 1 as x')).rows).toEqual([{ x: 1 }]);
    expect((await h.pool.query('select $1::int as x', [2])).rows).toEqual([{ x: 2 }]);
    expect(h.pool.totalCount).toBeGreaterThan(0);
    expect((await h.pool.query('select 3 as x')).rows).toEqual([{ x: 3 }]);
  });

  it('answers a callback query on a checked-out client', async () => {
    const client = await h.pool.connect();
    try {
      const rows = await new Promise((resolve, reject) =>
        client.query('select 4 as x', undefined as never, (e: Error | null, r) =>
          e ? reject(e) : resolve(r.rows),
        ),
      );
      expect(rows).toEqual([{ x: 4 }]);
    } finally {
      client.release();
    }
  });

  it('runs a transaction whose first statement has no parameters, and one whose has', async () => {
    await sql`create table t (n int)`.execute(h.db);
    await h.db.transaction().execute(async (trx) => {
      await sql`insert into t values (1)`.execute(trx);
      await sql`insert into t values (${2})`.execute(trx);
    });
    await h.db
      .transaction()
      .execute(async (trx) => {
        await sql`insert into t values (${3})`.execute(trx);
        throw new Error('rolled back');
      })
      .catch(() => {});
    const { rows } = await sql<{ n: number }>`select n from t order by n`.execute(h.db);
    expect(rows.map((r) => r.n)).toEqual([1, 2]);
  });
});
