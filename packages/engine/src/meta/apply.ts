import {
  checkDocumentShapes,
  checkDocuments,
  docKey,
  followRenames,
  type MetadataDoc,
  type Problem,
} from '@atrium/metadata';
import { sql } from 'kysely';
import { scheduleAutomations } from '../automation/timed.js';
import type { Db } from '../db.js';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { measureBlueprints } from '../process/blueprint-impact.js';
import { textCollations } from '../records/collation.js';
import { syncStageFields } from '../reports/stage-history.js';
import { qt, trashName, trashSchema } from '../sql-names.js';
import { recordAudit } from '../system/audit.js';
import type { Workspace } from '../system/workspace.js';
import { accessInUseProblems } from './access-in-use.js';
import { measureImpact, resolutionProblems, runDataStep } from './data-impact.js';
import { stepSql } from './ddl.js';
import { metaMsg } from './meta-messages.js';
import { type Plan, plan, type Resolutions, summaryMessage } from './plan.js';
import { loadMetadata, META_CHANNEL, META_LOCK, mergeDocuments } from './store.js';

/** What plan and apply need of the engine: its database, workspace and metadata cache. */
export type MetaEngine = Pick<Engine, 'db' | 'workspace' | 'metadata'>;

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
   * How to treat values already stored that the change would leave invalid, by `module.field`:
   * `{"deals.stage": {"map": {"lost": "closed_lost"}}, "deals.region": {"fill": "EMEA"}}`.
   */
  resolutions?: Resolutions;
  /**
   * Renames not written in the documents, `module.new` → old name (set by a revert of a rename;
   * not part of the HTTP body).
   */
  renames?: Record<string, string>;
  /**
   * Fields and modules dropped by this revision come back with their data from the trash
   * (set by a revert; not part of the HTTP body).
   */
  restoreFrom?: number;
}

export interface PlanResult extends Plan {
  revision: number;
  /** What apply would refuse because of the data already stored (see each step's impact). */
  conflicts: Problem[];
}

export interface ApplyResult extends Plan {
  revision: number;
  /** False when the documents already matched: no revision was written. */
  changed: boolean;
}

/**
 * Plans a change against the stored metadata without changing anything, and measures what it
 * would do to the rows already stored (each `check_values` step's `impact`).
 */
export async function planChange(engine: MetaEngine, request: ChangeRequest): Promise<PlanResult> {
  const { db, workspace: ws } = engine;
  const stored = await loadMetadata(db, ws.schema);
  const restorable = await restorableFrom(db, ws, request.restoreFrom);
  const collation = (await textCollations(db)).default;
  const planned = desiredPlan(stored.documents, request, ws, restorable, collation);
  const conflicts = await measureImpact(db, ws.schema, planned);
  conflicts.push(...(await accessInUseProblems(db, planned)));
  await measureBlueprints(db, ws.schema, planned, stored.documents);
  return { ...planned, revision: stored.revision, conflicts };
}

/**
 * Applies a change: metadata writes, DDL and the data the request resolves in ONE transaction,
 * recorded as a revision. Anything failing rolls everything back. Destructive steps need
 * `allowDestructive`; values the change would leave invalid refuse it unless resolved. Once
 * committed, this process's metadata cache holds the new revision (other nodes hear of it).
 */
export async function applyChange(
  engine: MetaEngine,
  request: ChangeRequest,
  actorId: string | null,
): Promise<ApplyResult> {
  const applied = await applyInTransaction(engine.db, engine.workspace, request, actorId);
  if (applied.changed) {
    await engine.metadata.refresh(applied.revision);
    // Each schedule automation has its next tick pending, and none removed keeps one.
    await scheduleAutomations(engine, actorId);
  }
  return applied;
}

async function applyInTransaction(
  db: Db,
  ws: Workspace,
  request: ChangeRequest,
  actorId: string | null,
): Promise<ApplyResult> {
  const collation = (await textCollations(db)).default;
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${META_LOCK}, hashtext(${ws.schema}))`.execute(trx);
    const stored = await loadMetadata(trx, ws.schema);
    if (request.baseRevision !== undefined && request.baseRevision !== stored.revision) {
      throw new AtriumError('METADATA_CHANGED', [
        metaMsg.at('baseRevision', 'atRevision', { revision: stored.revision }),
      ]);
    }
    const restorable = await restorableFrom(trx, ws, request.restoreFrom);
    const planned = desiredPlan(stored.documents, request, ws, restorable, collation);
    if (planned.steps.length === 0)
      return { ...planned, revision: stored.revision, changed: false };
    if (planned.destructive && !request.allowDestructive) {
      throw new AtriumError(
        'DESTRUCTIVE_CHANGE',
        planned.steps
          .filter((s) => s.destructive)
          .map((s) => ({ ...summaryMessage(s), path: stepPath(s.step) })),
      );
    }
    // Under the exclusive lock no write can slip in between this measure and the DDL.
    const conflicts = await measureImpact(trx, ws.schema, planned);
    conflicts.push(...(await accessInUseProblems(trx, planned)));
    if (conflicts.length > 0) throw new AtriumError('DATA_CONFLICT', conflicts);
    const revision = stored.revision + 1;
    for (const { step, ...said } of planned.steps) {
      const summary = summaryMessage(said);
      if (step.kind === 'fill_values' || step.kind === 'map_values') {
        try {
          await runDataStep(trx, ws.schema, step, actorId);
        } catch (e) {
          throw new AtriumError('APPLY_FAILED', [
            {
              path: `resolutions.${step.module}.${step.column.name}`,
              ...metaMsg('stepFailed', { summary, reason: (e as Error).message }),
            },
          ]);
        }
        continue;
      }
      for (const statement of stepSql(ws.schema, step, revision)) {
        try {
          await sql.raw(statement).execute(trx);
        } catch (e) {
          throw new AtriumError('APPLY_FAILED', [
            {
              path: stepPath(step),
              ...metaMsg('stepFailed', { summary, reason: (e as Error).message }),
            },
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
    // The funnels' stage history follows the reports now stored.
    const after = new Map(before);
    for (const c of changes) c.after ? after.set(c.key, c.after) : after.delete(c.key);
    await syncStageFields(trx, ws.schema, [...after.values()]);
    const summary = changes
      .map((c) => `${c.before ? (c.after ? 'update' : 'remove') : 'add'} ${c.key}`)
      .join(', ');
    await sql`insert into ${sql.raw(qt(ws.schema, '_meta_revisions'))} (n, actor, summary, changes, steps)
      values (${revision}, ${actorId}, ${summary}, ${JSON.stringify(changes)}::jsonb,
              ${JSON.stringify(planned.steps)}::jsonb)`.execute(trx);
    // Roles, profiles and sharing are documents too: their changes are audited here.
    await recordAudit(trx, {
      actorId,
      action: 'meta.apply',
      target: `workspace:${ws.name}`,
      details: { revision, summary },
    });
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
  sortCollation: string | undefined,
): Plan {
  if (!Array.isArray(request.documents)) {
    throw new AtriumError('INVALID_METADATA', [metaMsg.at('documents', 'documentsList')]);
  }
  // References are checked on the merged set: a request may name modules it does not send.
  const requested = checkDocumentShapes(request.documents);
  if (requested.problems.length > 0) throw new AtriumError('INVALID_METADATA', requested.problems);
  const merged = mergeDocuments(current, requested.documents, request);
  const desired = followRenames(merged.desired);
  const kept = merged.kept;
  const whole = checkDocuments(desired);
  if (whole.problems.length > 0) {
    const n = requested.documents.length;
    throw new AtriumError(
      'INVALID_METADATA',
      whole.problems.map((p) => keptPath(p, n, kept)),
    );
  }
  const planned = plan(current, whole.documents, {
    trigram: ws.trigram,
    ...(sortCollation && { sortCollation }),
    restorable,
    renames: new Map(Object.entries(request.renames ?? {})),
    ...(request.resolutions && { resolutions: request.resolutions }),
  });
  const problems = resolutionProblems(planned, request.resolutions);
  if (problems.length > 0) throw new AtriumError('INVALID_METADATA', problems);
  return planned;
}

/** A problem in a stored document the request did not send names it by key. */
function keptPath(p: Problem, requestedCount: number, kept: MetadataDoc[]): Problem {
  const m = /^documents\[(\d+)\](.*)$/.exec(p.path);
  const i = Number(m?.[1]);
  if (!m || i < requestedCount) return p;
  const doc = kept[i - requestedCount];
  return { ...p, path: `existing[${doc ? docKey(doc) : i}]${m[2]}` };
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
      // Roles and profiles belong to no module; a module has one sharing document.
      const module = d.kind === 'module' ? d.name : 'module' in d ? d.module : '';
      const name = 'name' in d ? d.name : '';
      await sql`insert into ${meta} (key, kind, module, name, body, revision)
        values (${step.key}, ${d.kind}, ${module}, ${name}, ${JSON.stringify(d)}::jsonb, ${revision})
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
