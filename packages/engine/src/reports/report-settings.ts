import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { Engine } from '../engine.js';

/**
 * Runs a report's statement in a transaction of its own, with settings that end with it: no
 * JIT (a report's estimates cross jit_above_cost on large modules, and compiling costs more
 * than it saves), and, beside a dashboard's other widgets (`alongside`), no parallel workers:
 * the widgets already keep the cores busy, and workers would only compete with them.
 */
export function withReportSettings<T>(
  engine: Engine,
  alongside: boolean | undefined,
  run: (trx: Db) => Promise<T>,
): Promise<T> {
  return engine.db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    if (alongside) await sql`set local max_parallel_workers_per_gather = 0`.execute(trx);
    return run(trx);
  });
}
