import { docKey, type MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { qt } from '../sql-names.js';

/** The documents and revision number as stored in a workspace. */
export interface StoredMetadata {
  revision: number;
  documents: MetadataDoc[];
}

export async function loadMetadata(db: Db, schema: string): Promise<StoredMetadata> {
  // The number first: documents read after it are at least that new. The other way round, an
  // apply committing in between would label the old documents with the new number for good.
  const revision = await currentRevision(db, schema);
  const docs = await sql<{
    body: MetadataDoc;
  }>`select body from ${sql.raw(qt(schema, '_meta_documents'))}
    order by kind = 'module' desc, key`.execute(db);
  return { revision, documents: docs.rows.map((r) => r.body) };
}

/** The notification channel on which nodes hear of new revisions. */
export const META_CHANNEL = 'atrium_meta';

/** Advisory lock key (with the schema's hash) that apply holds exclusively and writes share. */
export const META_LOCK = 7_240_003;

/**
 * The revision a write transaction works under. The shared lock keeps an apply from committing
 * new rules (or DDL) between this read and the write's commit.
 *
 * The revision is read by a second statement, after the lock is held: under READ COMMITTED a
 * statement sees the data committed when it began, so a read in the statement that waited
 * behind an apply would still see the revision from before that apply. The two statements run
 * inside one function call, so a write pays one round trip for them.
 */
export async function lockRevisionShared(trx: Db, schema: string): Promise<number> {
  // Both in one round trip: a function (workspace.ts) whose second statement takes a new
  // snapshot. Its lock key is META_LOCK's.
  const r = await sql<{
    n: number;
  }>`select ${sql.raw(qt(schema, '_lock_revision_shared'))}() as n`.execute(trx);
  return r.rows[0]?.n ?? 0;
}

export async function currentRevision(db: Db, schema: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`select coalesce(max(n), 0)::int as n from ${sql.raw(qt(schema, '_meta_revisions'))}`.execute(
    db,
  );
  return r.rows[0]?.n ?? 0;
}

/**
 * The desired document set: `documents` replace current ones with the same key, `remove` keys
 * are dropped, and with `replaceAll` everything not listed goes. Requested documents come first
 * so problem paths `documents[i]` point into the request.
 */
export function mergeDocuments(
  current: readonly MetadataDoc[],
  requested: readonly MetadataDoc[],
  options: { remove?: readonly string[]; replaceAll?: boolean },
): { desired: MetadataDoc[]; kept: MetadataDoc[] } {
  const requestedKeys = new Set(requested.map(docKey));
  const removed = new Set(options.remove ?? []);
  const candidates = options.replaceAll
    ? []
    : current.filter((d) => !requestedKeys.has(docKey(d)) && !removed.has(docKey(d)));
  // A kept layout, view, blueprint or automation goes with its module.
  const modules = new Set(
    [...requested, ...candidates].flatMap((d) => (d.kind === 'module' ? [d.name] : [])),
  );
  const kept = candidates.filter(
    (d) => d.kind === 'module' || !('module' in d) || modules.has(d.module),
  );
  return { desired: [...requested, ...kept], kept };
}
