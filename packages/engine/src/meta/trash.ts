import { sql } from 'kysely';
import type { Db } from '../db.js';
import { q, qt, trashSchema } from '../sql-names.js';
import type { Workspace } from '../system/workspace.js';

export interface TrashEntry {
  id: number;
  revision: number;
  module: string;
  field: string | null;
  storedAs: string;
  /** ISO time. */
  droppedAt: string;
}

/** Dropped fields and modules whose data is still kept. */
export async function listTrash(db: Db, ws: Workspace): Promise<TrashEntry[]> {
  const r =
    await sql<TrashEntry>`select id, revision, module, field, stored_as as "storedAs", dropped_at as "droppedAt"
    from ${sql.raw(qt(ws.schema, '_trash'))} where purged_at is null order by id`.execute(db);
  return r.rows;
}

/**
 * Deletes for good the data of fields and modules dropped more than `days` days ago, in one
 * transaction. Dropping a column only touches the catalog, whatever the table's size.
 */
export async function purgeTrash(db: Db, ws: Workspace, days: number): Promise<TrashEntry[]> {
  return db.transaction().execute(async (trx) => {
    const due =
      await sql<TrashEntry>`select id, revision, module, field, stored_as as "storedAs", dropped_at as "droppedAt"
      from ${sql.raw(qt(ws.schema, '_trash'))}
      where purged_at is null and dropped_at < now() - make_interval(days => ${days}) for update`.execute(
        trx,
      );
    for (const entry of due.rows) {
      const statement = entry.field
        ? `alter table ${qt(ws.schema, entry.module)} drop column if exists ${q(entry.storedAs)}`
        : `drop table if exists ${qt(trashSchema(ws.schema), entry.storedAs.split('.').pop() as string)}`;
      await sql.raw(statement).execute(trx);
      await sql`update ${sql.raw(qt(ws.schema, '_trash'))} set purged_at = now() where id = ${entry.id}`.execute(
        trx,
      );
    }
    return due.rows;
  });
}
