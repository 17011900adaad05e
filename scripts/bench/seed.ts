import type { CompiledModule } from '@atrium/engine';
import pg from 'pg';
import { PRODUCTS, SOURCES, STAGES } from './modules.js';

const list = (values: readonly string[]) => `array[${values.map((v) => `'${v}'`).join(', ')}]`;

/**
 * The value of every column of a seeded deal, as SQL over `i` (the series number), `r1`..`r5`
 * (uniform randoms of the row) and `owner` (the creator) and `owners` (the
 * owners, spread at random over the rows). Seeded rows look like rows the API writes: the
 * formula is computed, money has its currency, system columns are filled.
 */
function dealValues(accounts: number): Record<string, string> {
  const amount = 'round((r1 * 1000000)::numeric, 2)';
  const probability = 'round((r2 * 100)::numeric, 2)';
  return {
    // UUIDv7 layout: 48-bit milliseconds, version 7, then the series number (unique, ordered).
    id: `(lpad(to_hex(t0 + i), 12, '0') || '7' || lpad(to_hex(i % 4096), 3, '0') || '8' || lpad(to_hex(i), 15, '0'))::uuid`,
    created_at: `to_timestamp((t0 + i) / 1000.0)`,
    updated_at: `to_timestamp((t0 + i) / 1000.0)`,
    created_by: 'owner',
    updated_by: 'owner',
    owner_id: 'owners[1 + floor(r5 * cardinality(owners))::int]',
    version: '1',
    deleted_at: 'null',
    name: `'Deal ' || i`,
    contact_email: `'buyer' || i || '@example.com'`,
    contact_phone: `'+1 555 ' || lpad((i % 10000000)::text, 7, '0')`,
    stage: `(${list(STAGES)})[1 + floor(r3 * ${STAGES.length})::int]`,
    amount,
    quantity: `1 + floor(r4 * 100)::int`,
    discount: `round((r4 * 1000)::numeric, 2)`,
    probability,
    is_priority: 'r2 < 0.2',
    close_date: `date '2024-01-01' + floor(r3 * 730)::int`,
    next_call_at: `timestamptz '2025-01-01 00:00:00Z' + r4 * interval '365 days'`,
    products: `(${list(PRODUCTS)})[1:1 + (i % ${PRODUCTS.length})]`,
    labels: `case i % 3 when 0 then null when 1 then array['hot'] else array['hot', 'enterprise'] end`,
    description: `'Seeded deal number ' || i || ', generated for the benchmark.'`,
    website: `'https://example.com/deals/' || i`,
    account: `accounts[1 + (i % ${accounts})]`,
    weighted_amount: `round(${amount} * ${probability} / 100, 2)`,
    source: `(${list(SOURCES)})[1 + (i % ${SOURCES.length})]`,
    region: `(array['north', 'south', 'east', 'west'])[1 + (i % 4)]`,
    score: `floor(r2 * 101)::int`,
    competitor: `case when i % 7 = 0 then 'Rival Inc' end`,
    notes: 'null',
    currency_code: `'USD'`,
  };
}

export interface SeedResult {
  rows: number;
  insertMs: number;
  indexMs: number;
  analyzeMs: number;
}

/**
 * Fills `bench_accounts` and `bench_deals` with one INSERT … SELECT over generate_series. The
 * secondary indexes are dropped first and rebuilt after (the usual bulk-load order; the
 * definitions are read back from pg_indexes, so the schema ends exactly as the engine made it).
 */
export async function seed(
  url: string,
  modules: { deals: CompiledModule; accounts: CompiledModule },
  /** `owners`: whom the deals belong to, at random (default: all to `owner`). */
  options: { rows: number; accounts: number; owner: string; owners?: string[] },
): Promise<SeedResult> {
  const { deals, accounts } = modules;
  const values = dealValues(options.accounts);
  const missing = deals.columns.filter((c) => !(c in values));
  if (missing.length > 0) throw new Error(`the seed has no value for ${missing.join(', ')}`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`set maintenance_work_mem = '512MB'`);
    await client.query('set synchronous_commit = off');
    await client.query(
      `insert into ${accounts.table} (id, created_by, updated_by, owner_id, name, industry)
       select gen_random_uuid(), $1, $1, $1, 'Account ' || i, (array['software', 'retail', 'finance'])[1 + i % 3]
       from generate_series(1, $2::int) i`,
      [options.owner, options.accounts],
    );
    const [schema, table] = deals.table.split('.').map((s) => s.replaceAll('"', ''));
    const indexes = await client.query<{ name: string; def: string }>(
      `select indexname as name, indexdef as def from pg_indexes
       where schemaname = $1 and tablename = $2 and indexname not like '%pkey'`,
      [schema, table],
    );
    for (const ix of indexes.rows) await client.query(`drop index "${schema}"."${ix.name}"`);

    let started = performance.now();
    const columns = deals.columns;
    await client.query(
      `insert into ${deals.table} (${columns.map((c) => `"${c}"`).join(', ')})
       select ${columns.map((c) => values[c]).join(',\n  ')}
       from (
         select i, random() as r1, random() as r2, random() as r3, random() as r4, random() as r5
         from generate_series(1, $1::int) i
       ) s,
       (select (extract(epoch from now()) * 1000)::bigint - $1::int as t0, $2::uuid as owner, $3::uuid[] as owners,
               (select array_agg(id order by id) from ${accounts.table}) as accounts) k`,
      [options.rows, options.owner, options.owners ?? [options.owner]],
    );
    const insertMs = performance.now() - started;

    started = performance.now();
    for (const ix of indexes.rows) await client.query(ix.def);
    const indexMs = performance.now() - started;

    started = performance.now();
    await client.query(`vacuum analyze ${accounts.table}`);
    await client.query(`vacuum analyze ${deals.table}`);
    const analyzeMs = performance.now() - started;
    return { rows: options.rows, insertMs, indexMs, analyzeMs };
  } finally {
    await client.end();
  }
}

/** Up to `n` ids of seeded deals, in random order, for the get-by-id scenario. */
export async function sampleIds(url: string, deals: CompiledModule, n: number): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ id: string }>(
      `select id from ${deals.table} where deleted_at is null order by random() limit $1`,
      [n],
    );
    return r.rows.map((row) => row.id);
  } finally {
    await client.end();
  }
}
