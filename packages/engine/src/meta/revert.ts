import type { MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { AtriumError } from '../errors.js';
import { qt } from '../sql-names.js';
import type { Workspace } from '../system/workspace.js';
import type { ChangeRequest } from './apply.js';

interface RevisionChange {
  key: string;
  before: MetadataDoc | null;
  after: MetadataDoc | null;
}

/**
 * The change that undoes revision `n`: every document it touched goes back to how it was before
 * (added ones are removed), and what it dropped comes back from the trash with its data. It is
 * planned and applied like any other change, as a new revision.
 */
export async function revertRequest(db: Db, ws: Workspace, n: number): Promise<ChangeRequest> {
  const r = await sql<{ changes: RevisionChange[] }>`select changes
    from ${sql.raw(qt(ws.schema, '_meta_revisions'))} where n = ${n}`.execute(db);
  const revision = r.rows[0];
  if (!revision) {
    throw new AtriumError('NOT_FOUND', [{ path: 'n', message: `no revision ${n}` }], {
      en: 'No such revision',
      'zh-CN': '修订不存在',
    });
  }
  return {
    documents: revision.changes.flatMap((c) => (c.before ? [c.before] : [])),
    remove: revision.changes.filter((c) => c.before === null).map((c) => c.key),
    restoreFrom: n,
  };
}
