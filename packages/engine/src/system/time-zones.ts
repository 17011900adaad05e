import { sql } from 'kysely';
import type { Db } from '../db.js';
import { DEFAULT_WORKSPACE_SETTINGS } from './workspace.js';

const TTL_MS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_ENTRIES = 10_000;

/**
 * The time zone each caller's relative dates are read in: the user's own, else the workspace's.
 * A request must not pay a query for it, so answers are kept for a few seconds per user; a
 * change made through this node is seen at once (`forget`), one made through another node
 * within TTL_MS. Nothing here outlives a restart or is needed by another node: the database
 * holds the truth.
 */
export class TimeZones {
  private readonly known = new Map<string, { zone: string; at: number }>();

  constructor(
    private readonly db: Db,
    private readonly workspace: string,
  ) {}

  /** The zone in effect for user `id` (the workspace's when the user has none). */
  async forUser(id: string): Promise<string> {
    const hit = this.known.get(id);
    const now = Date.now();
    if (hit && now - hit.at < TTL_MS) return hit.zone;
    const r = await sql<{ zone: string | null }>`
      select coalesce(u.time_zone, w.settings->>'timeZone') as zone
      from atrium.workspaces w left join atrium.users u on u.id = ${UUID.test(id) ? id : null}::uuid
      where w.name = ${this.workspace}`.execute(this.db);
    const zone = r.rows[0]?.zone ?? DEFAULT_WORKSPACE_SETTINGS.timeZone;
    // Bounded: ids come from verified tokens, but a node may see many users over time.
    if (this.known.size >= MAX_ENTRIES) this.known.clear();
    this.known.set(id, { zone, at: now });
    return zone;
  }

  /** Drops what is known of one user (after they changed their zone), or of all (the workspace's). */
  forget(id?: string): void {
    if (id === undefined) this.known.clear();
    else this.known.delete(id);
  }
}
