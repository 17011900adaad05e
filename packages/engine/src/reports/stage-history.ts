import type { MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { META_LOCK } from '../meta/store.js';
import { qt } from '../sql-names.js';

/** A stage field a funnel reads. */
export interface StageField {
  module: string;
  field: string;
}

/** The stage fields the funnel reports of `documents` read, once each. */
export function stageFields(documents: readonly MetadataDoc[]): StageField[] {
  const modules = new Set(documents.flatMap((d) => (d.kind === 'module' ? [d.name] : [])));
  const out = new Map<string, StageField>();
  for (const d of documents)
    if (d.kind === 'report' && d.type === 'funnel' && d.field && modules.has(d.module))
      out.set(`${d.module}.${d.field}`, { module: d.module, field: d.field });
  return [...out.values()];
}

/**
 * Keeps the stage history (`_stage_history`: one narrow row per history entry that set a
 * tracked field, derived by a trigger on `_history` from whatever writes it) tracking exactly
 * the fields funnels read. A field newly tracked gets its past from the field history (entries
 * of records still in the table); one no longer read loses its rows. A funnel then reads the
 * rows of its period from one index (module, field, at) instead of the wide history entries.
 * Runs in apply's transaction and when an engine opens a workspace (under the metadata lock);
 * when nothing changed, it costs one query.
 */
export async function syncStageFields(
  trx: Db,
  schema: string,
  documents: readonly MetadataDoc[],
): Promise<{ tracked: string[]; untracked: string[] }> {
  const fields = sql.raw(qt(schema, '_stage_fields'));
  const rows = sql.raw(qt(schema, '_stage_history'));
  const { tracked, untracked } = await stageChanges(trx, schema, documents);
  for (const [, f] of untracked) {
    await sql`delete from ${fields} where module = ${f.module} and field = ${f.field}`.execute(trx);
    await sql`delete from ${rows} where module = ${f.module} and field = ${f.field}`.execute(trx);
  }
  for (const [, f] of tracked) {
    await sql`insert into ${fields} (module, field) values (${f.module}, ${f.field})`.execute(trx);
    // A module dropped and made again under its name keeps the old one's history: only the
    // entries of records in the table now count.
    await sql`insert into ${rows} (history_id, module, field, record_id, value, at, left_at)
      select h.id, h.module, ${f.field}, h.record_id, h.changes -> ${f.field} ->> 'to', h.at,
        lead(h.at) over (partition by h.record_id order by h.id)
      from ${sql.raw(qt(schema, '_history'))} h
      where h.module = ${f.module} and h.changes ? ${f.field}
        and exists (select from ${sql.raw(qt(schema, f.module))} r where r.id = h.record_id)`.execute(
      trx,
    );
  }
  return { tracked: tracked.map(([key]) => key), untracked: untracked.map(([key]) => key) };
}

/** The stage fields to start and to stop tracking, by `module.field`. */
async function stageChanges(
  db: Db,
  schema: string,
  documents: readonly MetadataDoc[],
): Promise<{ tracked: [string, StageField][]; untracked: [string, StageField][] }> {
  const want = new Map<string, StageField>(
    stageFields(documents).map((f) => [`${f.module}.${f.field}`, f]),
  );
  const have = (
    await sql<StageField>`select module, field from ${sql.raw(qt(schema, '_stage_fields'))}`.execute(
      db,
    )
  ).rows.map((f): [string, StageField] => [`${f.module}.${f.field}`, f]);
  const known = new Set<string>(have.map(([key]) => key));
  return {
    tracked: [...want].filter(([key]) => !known.has(key)),
    untracked: have.filter(([key]) => !want.has(key)),
  };
}

/**
 * syncStageFields when an engine opens a workspace: one query when nothing changed; else in a
 * transaction of its own, under the metadata lock (no apply or write runs meanwhile).
 */
export async function syncStageHistory(
  db: Db,
  schema: string,
  documents: readonly MetadataDoc[],
): Promise<{ tracked: string[]; untracked: string[] }> {
  const changes = await stageChanges(db, schema, documents);
  if (changes.tracked.length === 0 && changes.untracked.length === 0)
    return { tracked: [], untracked: [] };
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${META_LOCK}, hashtext(${schema}))`.execute(trx);
    return syncStageFields(trx, schema, documents);
  });
}
