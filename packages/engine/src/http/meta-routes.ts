import { type Locale, messageIn, problemsIn } from '@atrium/metadata';
import type { FastifyInstance } from 'fastify';
import { documentsFor } from '../access-permissions.js';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { type ApplyResult, applyChange, type ChangeRequest, planChange } from '../meta/apply.js';
import { metaMsg } from '../meta/meta-messages.js';
import { type PlannedStep, summaryMessage } from '../meta/plan.js';
import { revertRequest } from '../meta/revert.js';
import { getRevision, listRevisions } from '../meta/revisions.js';
import { contextOf, localeOf, requireAdmin } from './request-context.js';

/** `{"module.field": {"fill": value}}` or `{"module.field": {"map": {"old": "new" | null}}}` */
const resolutions = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    additionalProperties: false,
    minProperties: 1,
    properties: {
      fill: {},
      map: { type: 'object', additionalProperties: { type: ['string', 'null'] } },
    },
  },
} as const;

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
    resolutions,
  },
} as const;

type RevertBody = Pick<ChangeRequest, 'allowDestructive' | 'resolutions'> & { dryRun?: boolean };

/** /api/meta: read the metadata, plan and apply changes, browse revisions. */
export async function metaRoutes(
  app: FastifyInstance,
  { engine }: { engine: Engine },
): Promise<void> {
  const schema = engine.workspace.schema;

  app.get('/meta', async (request) => {
    const { actor } = contextOf(request);
    const snapshot = engine.metadata.current;
    // A non-admin sees only the modules, fields and operations their profile allows.
    return { revision: snapshot.revision, documents: documentsFor(snapshot, actor) };
  });

  app.post<{ Body: ChangeRequest }>(
    '/meta/plan',
    { schema: { body: changeBody } },
    async (request) => {
      requireAdmin(request);
      return plannedIn(await planChange(engine, request.body), localeOf(request));
    },
  );

  app.post<{ Body: ChangeRequest }>(
    '/meta/apply',
    { schema: { body: changeBody } },
    async (request) => {
      const ctx = requireAdmin(request);
      return applied(await applyChange(engine, request.body, ctx.actor.id), localeOf(request));
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
      return { data: await listRevisions(engine.db, schema, { limit, before }) };
    },
  );

  app.get<{ Params: { n: string } }>('/meta/revisions/:n', async (request) => {
    contextOf(request);
    const revision = await getRevision(engine.db, schema, revisionNumber(request.params.n));
    // Its steps read as a plan's do: the English summary kept, localSummary in the caller's language.
    return { ...revision, steps: stepsIn(revision.steps, localeOf(request)) };
  });

  app.post<{ Params: { n: string }; Body: RevertBody }>(
    '/meta/revisions/:n/revert',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            allowDestructive: { type: 'boolean' },
            dryRun: { type: 'boolean' },
            resolutions,
          },
        },
      },
    },
    async (request) => {
      const ctx = requireAdmin(request);
      const n = revisionNumber(request.params.n);
      const { dryRun = false, ...options } = request.body ?? {};
      const change = { ...(await revertRequest(engine.db, engine.workspace, n)), ...options };
      if (dryRun) {
        const planned = await planChange(engine, change);
        return plannedIn(planned, localeOf(request));
      }
      return applied(await applyChange(engine, change, ctx.actor.id), localeOf(request));
    },
  );
}

function applied(result: ApplyResult, locale: Locale) {
  return {
    revision: result.revision,
    changed: result.changed,
    destructive: result.destructive,
    steps: stepsIn(result.steps, locale),
  };
}

/** A plan as the caller reads it: impacts and conflicts in their language. */
function plannedIn(planned: Awaited<ReturnType<typeof planChange>>, locale: Locale) {
  return {
    revision: planned.revision,
    destructive: planned.destructive,
    steps: stepsIn(planned.steps, locale),
    conflicts: problemsIn(planned.conflicts, locale),
  };
}

/**
 * A plan's steps as the caller reads them: `summary` stays English (as it always was), with
 * `summaryKey` naming it and `localSummary` saying it in their language; each impact's message
 * in their language.
 */
function stepsIn(steps: readonly PlannedStep[], locale: Locale) {
  return steps.map(({ summaryParams, ...s }) => {
    const local = messageIn(summaryMessage({ ...s, summaryParams }), locale);
    const said = { ...s, localSummary: local };
    return s.impact
      ? {
          ...said,
          impact: s.impact.map(({ key: _k, params: _p, ...i }) => ({
            ...i,
            message: messageIn({ message: i.message, key: _k, params: _p }, locale),
          })),
        }
      : said;
  });
}

/** Revisions are numbered by a Postgres `integer`. */
const MAX_REVISION = 2_147_483_647;

/** A revision number from the path: digits only, within the column's range, else 400. */
function revisionNumber(raw: string): number {
  const n = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_REVISION)) {
    throw new AtriumError('INVALID_QUERY', [
      metaMsg.at('n', 'revisionNumber', { max: MAX_REVISION }),
    ]);
  }
  return n;
}
