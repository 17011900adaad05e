import type { Db } from '../db.js';
import type { Workspace } from '../system/workspace.js';
import type { ChangeRequest } from './apply.js';
import { getRevision, type RevisionChange } from './revisions.js';

/**
 * The change that undoes revision `n`: every document it touched goes back to how it was before
 * (added ones are removed), what it dropped comes back from the trash with its data, and what it
 * renamed is renamed back. It is planned and applied like any other change, as a new revision.
 */
export async function revertRequest(db: Db, ws: Workspace, n: number): Promise<ChangeRequest> {
  const revision = await getRevision(db, ws.schema, n);
  return {
    documents: revision.changes.flatMap((c) => (c.before ? [c.before] : [])),
    remove: revision.changes.filter((c) => c.before === null).map((c) => c.key),
    restoreFrom: n,
    renames: renamedBy(revision.changes),
  };
}

/** The renames a revision made, reversed: `module.old` → new name. */
function renamedBy(changes: readonly RevisionChange[]): Record<string, string> {
  const back: Record<string, string> = {};
  for (const { before, after } of changes) {
    if (before?.kind !== 'module' || after?.kind !== 'module') continue;
    const had = new Set(before.fields.map((f) => f.name));
    for (const f of after.fields) {
      if (f.renamedFrom && had.has(f.renamedFrom) && !had.has(f.name))
        back[`${after.name}.${f.renamedFrom}`] = f.name;
    }
  }
  return back;
}
