import type { Locale } from '@atrium/metadata';
import type { AccessPolicy } from './access.js';
import { signedInMayDoAll } from './access.js';
import type { Db } from './db.js';
import { AtriumError } from './errors.js';
import { MetadataCache } from './meta/metadata-cache.js';
import type { CompiledModule, Snapshot } from './records/compiled-module.js';
import type { Actor } from './system/users.js';
import { ensureWorkspace, type Workspace } from './system/workspace.js';

/**
 * The explicit context every service takes: the database, the workspace, this process's
 * compiled metadata and the access policy. No singletons.
 */
export interface Engine {
  db: Db;
  workspace: Workspace;
  metadata: MetadataCache;
  access: AccessPolicy;
}

/** Who asks, and in which language refusals should read. */
export interface RequestContext {
  actor: Actor;
  locale: Locale;
}

/** Opens (creating if needed) a workspace and loads its metadata. System migrations must have run. */
export async function createEngine(
  db: Db,
  options: { workspace: string; access?: AccessPolicy },
): Promise<Engine> {
  const workspace = await ensureWorkspace(db, options.workspace);
  const metadata = await MetadataCache.load(db, workspace.schema);
  return { db, workspace, metadata, access: options.access ?? signedInMayDoAll };
}

/** The compiled module or a 404 naming it. */
export function moduleOf(snapshot: Snapshot, name: string): CompiledModule {
  const m = snapshot.modules.get(name);
  if (!m)
    throw new AtriumError('UNKNOWN_MODULE', [
      { path: 'module', message: `no module named "${name}"` },
    ]);
  return m;
}
