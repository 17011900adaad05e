import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { applyChange, type ChangeRequest, planChange } from '../meta/apply.js';
import { revertRequest } from '../meta/revert.js';
import { qt } from '../sql-names.js';
import { contextOf, requireAdmin } from './request-context.js';

const changeBody = {
  type: 'object',
  required: ['documents'],
  additionalProperties: false,
  properties: {
    documents: { type: 'array' },
    remove: { type: 'array', items: { type: 'string' } },
    replaceAll: { type: 'boolean' },
    baseRevision: { type: 'integer', minimum: 0 },
    allowDestructive: { type: 'boolean' },
  },
} as const;

/** /api/meta: read the metadata, plan and apply changes, browse revisions. */
export async function metaRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  const revisions = sql.raw(qt(engine.workspace.schema, '_meta_revisions'));

  app.get('/meta', async (request) => {
    contextOf(request);
    const { revision, documents } = engine.metadata.current;
    return { revision, documents };
  });

  app.post<{ Body: ChangeRequest }>(
    '/meta/plan',
    { schema: { body: changeBody } },
    async (request) => {
      requireAdmin(request);
      const planned = await planChange(engine.db, engine.workspace, request.body);
      return { revision: planned.revision, destructive: planned.destructive, steps: planned.steps };
    },
  );

  app.post<{ Body: ChangeRequest }>(
    '/meta/apply',
    { schema: { body: changeBody } },
    async (request) => {
      const ctx = requireAdmin(request);
      const applied = await applyChange(engine.db, engine.workspace, request.body, ctx.actor.id);
      await engine.metadata.refresh(applied.revision);
      return {
        revision: applied.revision,
        changed: applied.changed,
        destructive: applied.destructive,
        steps: applied.steps,
      };
    },
  );

  app.get<{ Querystring: { limit?: number; before?: number } }>(
    '/meta/revisions',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 200 },
            before: { type: 'integer', minimum: 0, maximum: MAX_REVISION },
          },
        },
      },
    },
    async (request) => {
      contextOf(request);
      const { limit = 50, before } = request.query;
      const rows = await sql`select n, actor, at, summary from ${revisions}
        ${before === undefined ? sql`` : sql`where n < ${before}`} order by n desc limit ${limit}`.execute(
        engine.db,
      );
      return { data: rows.rows };
    },
  );

  app.get<{ Params: { n: string } }>('/meta/revisions/:n', async (request) => {
    contextOf(request);
    const n = revisionNumber(request.params.n);
    const rows =
      await sql`select n, actor, at, summary, changes, steps from ${revisions} where n = ${n}`.execute(
        engine.db,
      );
    if (!rows.rows[0])
      throw new AtriumError('NOT_FOUND', [{ path: 'n', message: `no revision ${n}` }], {
        en: 'No such revision',
        'zh-CN': '修订不存在',
      });
    return rows.rows[0];
  });

  app.post<{ Params: { n: string }; Body: { allowDestructive?: boolean; dryRun?: boolean } }>(
    '/meta/revisions/:n/revert',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: { allowDestructive: { type: 'boolean' }, dryRun: { type: 'boolean' } },
        },
      },
    },
    async (request) => {
      const ctx = requireAdmin(request);
      const n = revisionNumber(request.params.n);
      const change = await revertRequest(engine.db, engine.workspace, n);
      const { allowDestructive = false, dryRun = false } = request.body ?? {};
      if (dryRun) {
        const planned = await planChange(engine.db, engine.workspace, change);
        return {
          revision: planned.revision,
          destructive: planned.destructive,
          steps: planned.steps,
        };
      }
      const applied = await applyChange(
        engine.db,
        engine.workspace,
        { ...change, allowDestructive },
        ctx.actor.id,
      );
      await engine.metadata.refresh(applied.revision);
      return {
        revision: applied.revision,
        changed: applied.changed,
        destructive: applied.destructive,
        steps: applied.steps,
      };
    },
  );
}

/** Revisions are numbered by a Postgres `integer`. */
const MAX_REVISION = 2_147_483_647;

/** A revision number from the path: digits only, within the column's range, else 400. */
function revisionNumber(raw: string): number {
  const n = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_REVISION)) {
    throw new AtriumError('INVALID_QUERY', [
      { path: 'n', message: `must be a revision number from 1 to ${MAX_REVISION}` },
    ]);
  }
  return n;
}
