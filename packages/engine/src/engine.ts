import type { Locale } from '@atrium/metadata';
import type { AccessPolicy } from './access.js';
import { rolesAndProfiles } from './access-policy.js';
import type { Db } from './db.js';
import { AtriumError } from './errors.js';
import { syncKeptIndexes } from './meta/index-sync.js';
import { MetadataCache } from './meta/metadata-cache.js';
import type { CompiledModule, Snapshot } from './records/compiled-module.js';
import { syncStageHistory } from './reports/stage-history.js';
import { requestMsg } from './request-messages.js';
import { TimeZones } from './system/time-zones.js';
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
  /** Each caller's time zone (theirs, else the workspace's), kept for a few seconds. */
  zones: TimeZones;
}

/** Who asks, in which language refusals should read, and on which calendar dates are read. */
export interface RequestContext {
  actor: Actor;
  locale: Locale;
  /** IANA name; relative periods (`date_in`) are computed in it. Absent: UTC. */
  timeZone?: string;
  /** The blueprint transition this write runs (process/transition.ts); absent for plain writes. */
  transition?: string;
  /** Set on writes automations make: the automations (`module.name`) that led here, outermost first. */
  automation?: { chain: readonly string[] };
  /**
   * The approval being carried out (process/approvals.ts): the write that runs an approved
   * transition, the one write its record's lock lets through.
   */
  approval?: number;
}

/** Opens (creating if needed) a workspace and loads its metadata. System migrations must have run. */
export async function createEngine(
  db: Db,
  options: { workspace: string; access?: AccessPolicy },
): Promise<Engine> {
  const workspace = await ensureWorkspace(db, options.workspace);
  const metadata = await MetadataCache.load(db, workspace.schema);
  await syncKeptIndexes(db, workspace.schema, metadata.current.documents);
  await syncStageHistory(db, workspace.schema, metadata.current.documents);
  return {
    db,
    workspace,
    metadata,
    access: options.access ?? rolesAndProfiles,
    zones: new TimeZones(db, workspace.name),
  };
}

/** The compiled module or a 404 naming it. */
export function moduleOf(snapshot: Snapshot, name: string): CompiledModule {
  const m = snapshot.modules.get(name);
  if (!m) throw new AtriumError('UNKNOWN_MODULE', [requestMsg.at('module', 'noModule', { name })]);
  return m;
}
