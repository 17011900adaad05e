import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';

describe('createTestDatabase', () => {
  const created: TestDatabase[] = [];
  afterAll(async () => {
    for (const db of created) await db.drop();
  });

  it('creates distinct, usable databases and drops them', async () => {
    expect(['external', 'embedded']).toContain(inject('pgMode'));
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    created.push(a, b);
    expect(a.url).not.toBe(b.url);

    const names: string[] = [];
    for (const db of [a, b]) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ db: string }>('select current_database() as db');
      await client.query('create table t (id int)');
      names.push(rows[0]?.db ?? '');
      // Left connected on purpose: drop() must terminate it.
      client.on('error', () => {});
    }
    expect(names[0]).toMatch(/^atrium_t_[0-9a-f]+$/);
    expect(names[0]).not.toBe(names[1]);

    await a.drop();
    await b.drop();
    await a.drop(); // idempotent

    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        'select datname from pg_database where datname = any($1)',
        [names],
      );
      expect(rows).toEqual([]);
    } finally {
      await admin.end();
    }
  });
});
