import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { findFreePort, makeTempDir } from '../../../scripts/test/global-setup.js';
import { startEmbeddedPostgres } from '../src/embedded-postgres.js';

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('startEmbeddedPostgres', () => {
  let dir: string | undefined;
  const stops: Array<() => Promise<void>> = [];

  afterAll(async () => {
    for (const stop of stops) await stop();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('initialises, serves, stops, and restarts with the data kept', async () => {
    dir = await makeTempDir('atrium-embedded-pg-test-');
    const port = await findFreePort();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);

    let t0 = Date.now();
    const first = await startEmbeddedPostgres({ dataDir: dir, port, log });
    stops.push(first.stop);
    const firstMs = Date.now() - t0;
    expect(first.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/atrium`);
    expect(await query(first.url, 'select 1 as one')).toEqual([{ one: 1 }]);
    await query(first.url, "create table kept (v text); insert into kept values ('hello')");
    expect(lines.some((l) => l.includes('initialising'))).toBe(true);
    await first.stop();
    await first.stop(); // idempotent
    await expect(query(first.url, 'select 1')).rejects.toThrow();

    const pgVersion = path.join(dir, 'pg', 'PG_VERSION');
    await expect(fs.stat(pgVersion)).resolves.toBeTruthy();

    lines.length = 0;
    t0 = Date.now();
    const second = await startEmbeddedPostgres({ dataDir: dir, port, log });
    stops.push(second.stop);
    const secondMs = Date.now() - t0;
    expect(lines.some((l) => l.includes('initialising'))).toBe(false);
    expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'hello' }]);
    await second.stop();
    console.log(`embedded Postgres: first start ${firstMs} ms, restart ${secondMs} ms`);
  });
});
