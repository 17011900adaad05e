import { randomBytes } from 'node:crypto';
import { createAjv } from '@atrium/metadata';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
import { dealCreateSchema, STAGES } from './baseline-schema.js';

/**
 * The hand-written twin of the generic API for `bench_deals`: what a developer would write for
 * this one table with Fastify and pg. It does the same work as the engine — verifies the same
 * JWT, validates the same body, computes the same formula and rule, writes the record and its
 * history row in one transaction, runs the same SQL — and answers the same JSON. Only the
 * genericity is missing: no metadata, no filter language, no query builder.
 */

const TABLE = '"ws_main"."bench_deals"';
const HISTORY = '"ws_main"."_history"';
const COLUMNS = (
  'id created_at updated_at created_by updated_by owner_id version deleted_at name contact_email ' +
  'contact_phone stage amount quantity discount probability is_priority close_date next_call_at ' +
  'products labels description website account weighted_amount source region score competitor ' +
  'notes currency_code'
).split(' ');
const SELECT = COLUMNS.map((c) => `"${c}"`).join(', ');
// `narrow=true`: the columns a list screen shows, plus id, version and the sort key, in the
// table's order — what the engine answers for the same `fields=`.
const NARROW = new Set('id version amount name stage close_date account owner_id'.split(' '));
const SELECT_NARROW = COLUMNS.filter((c) => NARROW.has(c))
  .map((c) => `"${c}"`)
  .join(', ');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UNTRACKED = new Set(
  'id created_at updated_at created_by updated_by version deleted_at'.split(' '),
);

interface Claims {
  sub: string;
  email: string;
  admin: boolean;
}
type Row = Record<string, unknown>;
type JwtRequest = FastifyRequest & { jwtVerify<T>(): Promise<T>; benchActor?: string };

// The same parsing as the engine's pool: numeric and bigint as numbers, dates as text.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 1700 || oid === 20) return (v: string) => Number(v);
    if (oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** A pool of the engine's size, for the baseline routes. */
export function baselinePool(url: string, max: number): pg.Pool {
  return new pg.Pool({ connectionString: url, max, types });
}

/** Mounts GET /bench/deals/:id, GET /bench/deals?stage=&limit=&narrow=, POST /bench/deals. */
export function baselineRoutes(pool: pg.Pool) {
  const validate = createAjv().compile<Row>(dealCreateSchema);

  return async (app: FastifyInstance): Promise<void> => {
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', async (request, reply) => {
          try {
            const claims = await (request as JwtRequest).jwtVerify<Claims>();
            (request as JwtRequest).benchActor = claims.sub;
          } catch {
            return reply
              .status(401)
              .send({ error: { code: 'UNAUTHORIZED', message: 'Sign in first', details: [] } });
          }
        });

        scope.get<{ Params: { id: string } }>('/deals/:id', async (request, reply) => {
          const { id } = request.params;
          if (!UUID.test(id)) return notFound(reply, id);
          const r = await pool.query(`select ${SELECT} from ${TABLE} where id = $1`, [id]);
          const row = r.rows[0];
          if (!row || row.deleted_at !== null) return notFound(reply, id);
          return row;
        });

        scope.get<{ Querystring: { stage?: string; limit?: string; narrow?: string } }>(
          '/deals',
          async (request, reply) => {
            const { stage } = request.query;
            const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
            if (
              stage === undefined ||
              !STAGES.has(stage) ||
              !Number.isInteger(limit) ||
              limit < 1 ||
              limit > 200
            ) {
              return reply.status(400).send({
                error: { code: 'INVALID_QUERY', message: 'stage and limit', details: [] },
              });
            }
            const r = await pool.query(
              `select ${request.query.narrow === 'true' ? SELECT_NARROW : SELECT} from ${TABLE} where deleted_at is null and stage = $1
             order by amount desc nulls first, id desc nulls first limit $2`,
              [stage, limit + 1],
            );
            const data = r.rows.slice(0, limit);
            const last = data[data.length - 1];
            const nextCursor =
              r.rows.length > limit && last
                ? Buffer.from(JSON.stringify([last.amount, last.id])).toString('base64url')
                : null;
            return { data, nextCursor };
          },
        );

        scope.post('/deals', async (request, reply) => {
          const body = request.body;
          if (body === null || typeof body !== 'object' || Array.isArray(body)) {
            return invalid(reply, [{ path: '(body)', message: 'must be a JSON object' }]);
          }
          const values: Row = {};
          for (const [k, v] of Object.entries(body))
            values[k] = typeof v === 'string' ? v.trim() : v;
          if (!validate(values)) {
            const details = (validate.errors ?? []).map((e) => ({
              path: e.instancePath || '(root)',
              message: e.message ?? 'is invalid',
            }));
            return invalid(reply, details);
          }
          // Stored and returned as the engine does: a datetime in canonical ISO form.
          if (typeof values.next_call_at === 'string') {
            const at = Date.parse(values.next_call_at);
            if (!Number.isNaN(at)) values.next_call_at = new Date(at).toISOString();
          }
          values.stage ??= 'lead';
          values.currency_code ??= 'USD';
          values.weighted_amount = weighted(values.amount, values.probability);
          if (typeof values.amount === 'number' && values.amount < 0) {
            return invalid(reply, [{ path: 'amount', message: 'The amount cannot be negative' }]);
          }
          const actor = (request as JwtRequest).benchActor as string;
          values.id = uuidv7();
          values.created_by = actor;
          values.updated_by = actor;
          values.owner_id ??= actor;
          const columns = Object.keys(values);
          const client = await pool.connect();
          try {
            await client.query('begin');
            const r = await client.query(
              `insert into ${TABLE} (${columns.map((c) => `"${c}"`).join(', ')})
               values (${columns.map((_, i) => `$${i + 1}`).join(', ')}) returning ${SELECT}`,
              columns.map((c) => values[c]),
            );
            const row = r.rows[0] as Row;
            const changes: Row = {};
            for (const [k, v] of Object.entries(row))
              if (!UNTRACKED.has(k) && v !== null) changes[k] = { from: null, to: v };
            await client.query(
              `insert into ${HISTORY} (module, record_id, action, changes, actor) values ($1, $2, 'create', $3::jsonb, $4)`,
              ['bench_deals', row.id, JSON.stringify(changes), actor],
            );
            await client.query('commit');
            return reply.status(201).send(row);
          } catch (e) {
            await client.query('rollback').catch(() => {});
            throw e;
          } finally {
            client.release();
          }
        });
      },
      { prefix: '/bench' },
    );
  };
}

/** amount × probability / 100, rounded to cents; null when either is missing. */
function weighted(amount: unknown, probability: unknown): number | null {
  if (typeof amount !== 'number' || typeof probability !== 'number') return null;
  return Math.round(amount * (probability / 100) * 100) / 100;
}

function notFound(reply: FastifyReply, id: string) {
  return reply.status(404).send({
    error: {
      code: 'NOT_FOUND',
      message: 'No such record',
      details: [{ path: 'id', message: `record ${id} does not exist` }],
    },
  });
}

function invalid(reply: FastifyReply, details: { path: string; message: string }[]) {
  return reply
    .status(400)
    .send({ error: { code: 'VALIDATION_FAILED', message: 'Some values are not valid', details } });
}

function uuidv7(): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
