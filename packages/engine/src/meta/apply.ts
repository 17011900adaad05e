import {
  checkDocumentShapes,
  checkDocuments,
  docKey,
  type MetadataDoc,
  type Problem,
} from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { AtriumError } from '../errors.js';
import { qt } from '../sql-names.js';
import type { Workspace } from '../system/workspace.js';
import { stepSql, trashName, trashSchema } from './ddl.js';
import { type Plan, plan } from './plan.js';
import { loadMetadata, META_LOCK, mergeDocuments } from './store.js';

/** What a client asks to change: the body of /api/meta/plan and /api/meta/apply. */
export interface ChangeRequest {
  documents: unknown[];
  /** Keys (`module:deals`, `view:deals.open`) of documents to remove. */
  remove?: string[];
  /** The request is the whole set: documents not in it are removed. */
  replaceAll?: boolean;
  /** Refuse when the workspace is no longer at this revision. */
  baseRevision?: number;
  allowDestructive?: boolean;
  /**
   * Fields and modules dropped by this revision come back with their data from the trash
   * (set by a revert; not part of the HTTP body).
   */
  restoreFrom?: number;
}

export interface PlanResult extends Plan {
  revision: number;
}

export interface ApplyResult extends Plan {
  revision: number;
  /** False when the documents already matched: no revision was written. */
  changed: boolean;
}

/** The notification channel on which nodes hear of new revisions. */
export const META_CHANNEL = 'atrium_meta';

/** Plans a change against the stored metadata without changing anything. */
export async function planChange(
  db: Db,
  ws: Workspace,
  request: ChangeRequest,
): Promise<PlanResult> {
  const stored = await loadMetadata(db, ws.schema);
  const restorable = await restorableFrom(db, ws, request.restoreFrom);
  return { ...desiredPlan(stored.documents, request, ws, restorable), revision: stored.revision };
}

/**
 * Applies a change: metadata writes and DDL in ONE transaction, recorded as a revision.
 * Anything failing rolls everything back. Destructive steps need `allowDestructive`.
 */
export async function applyChange(
  db: Db,
  ws: Workspace,
  request: ChangeRequest,
  actorId: string | null,
): Promise<ApplyResult> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${META_LOCK}, hashtext(${ws.schema}))`.execute(trx);
    const stored = await loadMetadata(trx, ws.schema);
    if (request.baseRevision !== undefined && request.baseRevision !== stored.revision) {
      throw new AtriumError('METADATA_CHANGED', [
        { path: 'baseRevision', message: `the workspace is at revision ${stored.revision}` },
      ]);
    }
    const restorable = await restorableFrom(trx, ws, request.restoreFrom);
    const planned = desiredPlan(stored.documents, request, ws, restorable);
    if (planned.steps.length === 0)
      return { ...planned, revision: stored.revision, changed: false };
    if (planned.destructive && !request.allowDestructive) {
      throw new AtriumError(
        'DESTRUCTIVE_CHANGE',
        planned.steps
          .filter((s) => s.destructive)
          .map((s) => ({ path: stepPath(s.step), message: s.summary })),
      );
    }
    const revision = stored.revision + 1;
    for (const { step, summary } of planned.steps) {
      for (const statement of stepSql(ws.schema, step, revision)) {
        try {
          await sql.raw(statement).execute(trx);
        } catch (e) {
          throw new AtriumError('APPLY_FAILED', [
            { path: stepPath(step), message: `${summary}: ${(e as Error).message}` },
          ]);
        }
      }
      await writeBookkeeping(trx, ws.schema, step, revision);
    }
    const before = new Map(stored.documents.map((d) => [docKey(d), d]));
    type Change = { key: string; before: MetadataDoc | null; after: MetadataDoc | null };
    const changes = planned.steps.flatMap(({ step }): Change[] =>
      step.kind === 'put_document'
        ? [{ key: step.key, before: before.get(step.key) ?? null, after: step.document }]
        : step.kind === 'delete_document'
          ? [{ key: step.key, before: before.get(step.key) ?? null, after: null }]
          : [],
    );
    const summary = changes
      .map((c) => `${c.before ? (c.after ? 'update' : 'remove') : 'add'} ${c.key}`)
      .join(', ');
    await sql`insert into ${sql.raw(qt(ws.schema, '_meta_revisions'))} (n, actor, summary, changes, steps)
      values (${revision}, ${actorId}, ${summary}, ${JSON.stringify(changes)}::jsonb,
              ${JSON.stringify(planned.steps)}::jsonb)`.execute(trx);
    await sql`select pg_notify(${META_CHANNEL}, ${`${ws.schema}:${revision}`})`.execute(trx);
    return { ...planned, revision, changed: true };
  });
}

/** What revision `n` dropped and the trash still holds: `module` or `module.field` → n. */
async function restorableFrom(
  db: Db,
  ws: Workspace,
  n: number | undefined,
): Promise<Map<string, number>> {
  if (n === undefined) return new Map();
  const r = await sql<{ module: string; field: string | null }>`select module, field
    from ${sql.raw(qt(ws.schema, '_trash'))} where revision = ${n} and purged_at is null`.execute(
    db,
  );
  return new Map(r.rows.map((e) => [e.field ? `${e.module}.${e.field}` : e.module, n]));
}

function desiredPlan(
  current: MetadataDoc[],
  request: ChangeRequest,
  ws: Workspace,
  restorable: ReadonlyMap<string, number>,
): Plan {
  if (!Array.isArray(request.documents)) {
    throw new AtriumError('INVALID_METADATA', [
      { path: 'documents', message: 'must be a list of documents' },
    ]);
  }
  // References are checked on the merged set: a request may name modules it does not send.
  const requested = checkDocumentShapes(request.documents);
  if (requested.problems.length > 0) throw new AtriumError('INVALID_METADATA', requested.problems);
  const { desired, kept } = mergeDocuments(current, requested.documents, request);
  const whole = checkDocuments(desired);
  if (whole.problems.length > 0) {
    const n = requested.documents.length;
    throw new AtriumError(
      'INVALID_METADATA',
      whole.problems.map((p) => keptPath(p, n, kept)),
    );
  }
  return plan(current, whole.documents, { trigram: ws.trigram, restorable });
}

/** A problem in a stored document the request did not send names it by key. */
function keptPath(p: Problem, requestedCount: number, kept: MetadataDoc[]): Problem {
  const m = /^documents\[(\d+)\](.*)$/.exec(p.path);
  const i = Number(m?.[1]);
  if (!m || i < requestedCount) return p;
  const doc = kept[i - requestedCount];
  return { path: `existing[${doc ? docKey(doc) : i}]${m[2]}`, message: p.message };
}

async function writeBookkeeping(
  trx: Db,
  schema: string,
  step: Plan['steps'][number]['step'],
  revision: number,
) {
  const meta = sql.raw(qt(schema, '_meta_documents'));
  const trash = sql.raw(qt(schema, '_trash'));
  switch (step.kind) {
    case 'put_document': {
      const d = step.document;
      const module = d.kind === 'module' ? d.name : d.module;
      await sql`insert into ${meta} (key, kind, module, name, body, revision)
        values (${step.key}, ${d.kind}, ${module}, ${d.name}, ${JSON.stringify(d)}::jsonb, ${revision})
        on conflict (key) do update set body = excluded.body, revision = excluded.revision`.execute(
        trx,
      );
      return;
    }
    case 'delete_document':
      await sql`delete from ${meta} where key = ${step.key}`.execute(trx);
      return;
    case 'drop_column':
      await sql`insert into ${trash} (revision, module, field, stored_as)
        values (${revision}, ${step.module}, ${step.column}, ${trashName(revision, step.column)})`.execute(
        trx,
      );
      return;
    case 'drop_table':
      await sql`insert into ${trash} (revision, module, stored_as)
        values (${revision}, ${step.module}, ${`${trashSchema(schema)}.${trashName(revision, step.module)}`})`.execute(
        trx,
      );
      return;
    case 'restore_column':
    case 'restore_table':
      await sql`delete from ${trash} where revision = ${step.revision} and module = ${step.module}
        and field is not distinct from ${step.kind === 'restore_column' ? step.column.name : null}
        and purged_at is null`.execute(trx);
      return;
    default:
      return;
  }
}

function stepPath(step: Plan['steps'][number]['step']): string {
  if ('module' in step && typeof step.module === 'string') {
    const column =
      'column' in step
        ? typeof step.column === 'string'
          ? step.column
          : step.column.name
        : undefined;
    return column ? `${step.module}.${column}` : step.module;
  }
  return 'key' in step ? step.key : '';
}
