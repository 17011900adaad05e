import type { MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { binIndexName, qt } from '../sql-names.js';
import {
  BIN_INDEX_MARK,
  binIndexSql,
  REPORT_INDEX_MARK,
  SCOPE_INDEX_MARK,
  stepSql,
} from './ddl.js';
import { derivedIndexes } from './derived-indexes.js';
import { META_LOCK } from './store.js';

/** A scope index before they carried the mark: `<module>__scope_<10 hex>__idx`. */
const UNMARKED = /__scope_[0-9a-f]{10}__idx$/;

/**
 * Brings a workspace's derived indexes (scope and report: derived-indexes.ts) and its modules' recycle-bin indexes
 * (ddl.ts binIndexSql) to what its stored documents call for. Plan and apply keep them in step
 * with every change; this runs when an engine opens a workspace, for what plan cannot see: a
 * release that changed their shape or added one, or a workspace whose documents were applied
 * before they existed. Creates the missing and drops the stale in one transaction under the
 * metadata lock (no apply or write runs meanwhile); when they already match, it costs one
 * catalog query. Returns the names created and dropped.
 */
export async function syncKeptIndexes(
  db: Db,
  schema: string,
  documents: readonly MetadataDoc[],
): Promise<{ created: string[]; dropped: string[] }> {
  const want = new Map(derivedIndexes(documents).map((i) => [i.name, i]));
  const bins = new Map(
    documents.flatMap((d) => (d.kind === 'module' ? [[binIndexName(d.name), d.name]] : [])),
  );
  const found = await existing(db, schema);
  const missing = [...want.values()].filter((i) => !found.scope.has(i.name));
  const missingBins = [...bins].filter(([name]) => !found.bin.has(name));
  const stale = [
    ...[...found.scope].filter((name) => !want.has(name)),
    ...[...found.bin].filter((name) => !bins.has(name)),
  ];
  if (missing.length === 0 && missingBins.length === 0 && stale.length === 0)
    return { created: [], dropped: [] };
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
    for (const [, module] of missingBins)
      for (const text of binIndexSql(schema, module)) await sql.raw(text).execute(trx);
  });
  return {
    created: [...missing.map((i) => i.name), ...missingBins.map(([name]) => name)],
    dropped: stale,
  };
}

async function existing(db: Db, schema: string): Promise<{ scope: Set<string>; bin: Set<string> }> {
  const { rows } = await sql<{ name: string; note: string | null }>`
    select c.relname as name, obj_description(c.oid, 'pg_class') as note
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = ${schema} and c.relkind = 'i'`.execute(db);
  const named = (keep: (r: (typeof rows)[number]) => boolean) =>
    new Set(rows.filter(keep).map((r) => r.name));
  return {
    scope: named(
      (r) => r.note === SCOPE_INDEX_MARK || r.note === REPORT_INDEX_MARK || UNMARKED.test(r.name),
    ),
    bin: named((r) => r.note === BIN_INDEX_MARK),
  };
}
