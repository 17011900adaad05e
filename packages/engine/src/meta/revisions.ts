import type { MetadataDoc } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { AtriumError } from '../errors.js';
import { qt } from '../sql-names.js';
import { metaMsg } from './meta-messages.js';
import type { PlannedStep } from './plan.js';

/** One document a revision changed: `before` is null for an addition, `after` for a removal. */
export interface RevisionChange {
  key: string;
  before: MetadataDoc | null;
  after: MetadataDoc | null;
}

/** A revision as listed: who applied it, when, and a one-line summary. */
export interface RevisionSummary {
  n: number;
  actor: string | null;
  at: Date;
  summary: string;
}

/** A revision with what it changed: per-document before/after and the steps it ran. */
export interface Revision extends RevisionSummary {
  changes: RevisionChange[];
  steps: PlannedStep[];
}

/** Revisions newest first, `limit` of them, older than `before` when given. */
export async function listRevisions(
  db: Db,
  schema: string,
  options: { limit: number; before?: number | undefined },
): Promise<RevisionSummary[]> {
  const { limit, before } = options;
  const r = await sql<RevisionSummary>`select n, actor, at, summary
    from ${sql.raw(qt(schema, '_meta_revisions'))}
    ${before === undefined ? sql`` : sql`where n < ${before}`} order by n desc limit ${limit}`.execute(
    db,
  );
  return r.rows;
}

/** Revision `n`, or a 404 naming it. */
export async function getRevision(db: Db, schema: string, n: number): Promise<Revision> {
  const r = await sql<Revision>`select n, actor, at, summary, changes, steps
    from ${sql.raw(qt(schema, '_meta_revisions'))} where n = ${n}`.execute(db);
  const revision = r.rows[0];
  if (!revision) {
    throw new AtriumError('NOT_FOUND', [metaMsg.at('n', 'noRevision', { n })], {
      en: 'No such revision',
      'zh-CN': '修订不存在',
    });
  }
  return revision;
}
