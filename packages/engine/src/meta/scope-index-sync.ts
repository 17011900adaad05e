import type { MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import { scopeIndexes } from '../access-indexes.js';
import type { Db } from '../db.js';
import { qt } from '../sql-names.js';
import { SCOPE_INDEX_MARK, stepSql } from './ddl.js';
import { META_LOCK } from './store.js';

/** A scope index before they carried the mark: `<module>__scope_<10 hex>__idx`. */
const UNMARKED = /__scope_[0-9a-f]{10}__idx$/;

/**
 * Brings a workspace's scope indexes (access-indexes.ts) to what its stored documents call for.
 * Plan and apply keep them in step with every sharing change; this runs when an engine opens a
 * workspace, for what plan cannot see: a release that changed their shape, or a workspace whose
 * sharing was applied before they existed. Creates the missing and drops the stale in one
 * transaction under the metadata lock (no apply or write runs meanwhile); when they already
 * match, it costs one catalog query. Returns the names created and dropped.
 */
export async function syncScopeIndexes(
  db: Db,
  schema: string,
  documents: readonly MetadataDoc[],
): Promise<{ created: string[]; dropped: string[] }> {
  const want = new Map(scopeIndexes(documents).map((i) => [i.name, i]));
  const found = await existing(db, schema);
  const missing = [...want.values()].filter((i) => !found.has(i.name));
  const stale = [...found].filter((name) => !want.has(name));
  if (missing.length === 0 && stale.length === 0) return { created: [], dropped: [] };
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${META_LOCK}, hashtext(${schema}))`.execute(trx);
    for (const name of stale)
      await sql.raw(`drop index if exists ${qt(schema, name)}`).execute(trx);
    for (const index of missing)
      for (const text of stepSql(
        schema,
        { kind: 'create_scope_index', module: index.module, index },
        0,
      ))
        await sql.raw(text).execute(trx);
  });
  return { created: missing.map((i) => i.name), dropped: stale };
}

async function existing(db: Db, schema: string): Promise<Set<string>> {
  const { rows } = await sql<{ name: string; note: string | null }>`
    select c.relname as name, obj_description(c.oid, 'pg_class') as note
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'i'`.execute(db);
  return new Set(
    rows.filter((r) => r.note === SCOPE_INDEX_MARK || UNMARKED.test(r.name)).map((r) => r.name),
  );
}
