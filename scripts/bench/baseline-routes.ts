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
const ACCOUNTS = '"ws_main"."bench_accounts"';
const HISTORY = '"ws_main"."_history"';
const COLUMNS = (
  'id created_at updated_at created_by updated_by owner_id version deleted_at name contact_email ' +
  'contact_phone stage amount quantity discount probability is_priority close_date next_call_at ' +
  'products labels description website account weighted_amount source region score competitor ' +
  'notes currency_code'
).split(' ');
const SELECT = COLUMNS.map((c) => `"${c}"`).join(', ');
// `narrow=true`: the columns a list screen shows, plus id, version, the sort key and the currency
// that travels with an amount, in the table's order — what the engine answers for the same `fields=`.
const NARROW = new Set(
  'id version amount name stage close_date account owner_id currency_code'.split(' '),
);
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

/**
 * Mounts GET /bench/deals/:id, GET /bench/deals?stage=&limit=&narrow=&sort=, POST /bench/deals
 * and POST /bench/deals/bulk.
 */
export function baselineRoutes(pool: pg.Pool) {
  const validate = createAjv().compile<Row>(dealCreateSchema);
  // Text sorts use ICU's root collation when the server has it, as the engine's do.
  let collate: Promise<string> | undefined;
  const collation = () => {
    collate ??= pool
      .query(`select 1 from pg_collation where collname = 'und-x-icu' and collprovider = 'i'`)
      .then((r) => (r.rows.length > 0 ? ' collate "und-x-icu"' : ''));
    return collate;
  };
  /** Validates and completes one new deal: the values to insert, or the problems. */
  const prepare = (body: unknown, actor: string): Row | { path: string; message: string }[] => {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return [{ path: '(body)', message: 'must be a JSON object' }];
    }
    const values: Row = {};
    for (const [k, v] of Object.entries(body)) values[k] = typeof v === 'string' ? v.trim() : v;
    if (!validate(values)) {
      return (validate.errors ?? []).map((e) => ({
        path: e.instancePath || '(root)',
        message: e.message ?? 'is invalid',
      }));
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
      return [{ path: 'amount', message: 'The amount cannot be negative' }];
    }
    values.id = uuidv7();
    values.created_by = actor;
    values.updated_by = actor;
    values.owner_id ??= actor;
    return values;
  };

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

        scope.get<{
          Querystring: { stage?: string; limit?: string; narrow?: string; sort?: string };
        }>('/deals', async (request, reply) => {
          const { stage, sort } = request.query;
          const limit = request.query.limit === undefined ? 50 : Number(request.query.limit);
          if (
            stage === undefined ||
            !STAGES.has(stage) ||
            !Number.isInteger(limit) ||
            limit < 1 ||
            limit > 200 ||
            (sort !== undefined && sort !== 'name' && sort !== 'account')
          ) {
            return reply.status(400).send({
              error: { code: 'INVALID_QUERY', message: 'stage and limit', details: [] },
            });
          }
          const columns = request.query.narrow === 'true' ? SELECT_NARROW : SELECT;
          // Empty text sorts last either way; an account in the recycle bin is no account.
          const collate = sort ? await collation() : '';
          const r =
            sort === 'account'
              ? await pool.query(
                  `select ${qualified(columns, 'd')}, nullif(a.name, '') as __key from ${TABLE} d
                     left join ${ACCOUNTS} a on a.id = d.account and a.deleted_at is null
                     where d.deleted_at is null and d.stage = $1
                     order by nullif(a.name, '')${collate} asc nulls last, d.id asc limit $2`,
                  [stage, limit + 1],
                )
              : sort === 'name'
                ? await pool.query(
                    `select ${columns}, nullif(name, '') as __key from ${TABLE}
                       where deleted_at is null and stage = $1
                       order by nullif(name, '')${collate} asc nulls last, id asc limit $2`,
                    [stage, limit + 1],
                  )
                : await pool.query(
                    `select ${columns}, amount as __key from ${TABLE} where deleted_at is null and stage = $1
                       order by amount desc nulls first, id desc nulls first limit $2`,
                    [stage, limit + 1],
                  );
          const data = r.rows.slice(0, limit);
          const last = data[data.length - 1];
          const nextCursor =
            r.rows.length > limit && last
              ? Buffer.from(JSON.stringify([last.__key, last.id])).toString('base64url')
              : null;
          for (const row of data) delete row.__key;
          return { data, nextCursor };
        });

        scope.post('/deals', async (request, reply) => {
          const actor = (request as JwtRequest).benchActor as string;
          const values = prepare(request.body, actor);
          if (Array.isArray(values)) return invalid(reply, values);
          const [row] = await insertDeals([values], actor);
          return reply.status(201).send(row);
        });

        // `{create: [...]}` only: the bench's bulk request. All or nothing, in one transaction.
        scope.post('/deals/bulk', async (request, reply) => {
          const actor = (request as JwtRequest).benchActor as string;
          const list = (request.body as { create?: unknown } | null)?.create;
          if (!Array.isArray(list) || list.length === 0 || list.length > 1000) {
            return invalid(reply, [{ path: 'create', message: 'must be a list of 1 to 1000' }]);
          }
          const rows: Row[] = [];
          const problems: { path: string; message: string }[] = [];
          list.forEach((item, i) => {
            const values = prepare(item, actor);
            if (Array.isArray(values))
              problems.push(...values.map((p) => ({ ...p, path: `create[${i}].${p.path}` })));
            else rows.push(values);
          });
          if (problems.length > 0) return invalid(reply, problems);
          const created = await insertDeals(rows, actor);
          return { created, updated: [], deleted: [] };
        });
      },
      { prefix: '/bench' },
    );
  };

  /**
   * Inserts deals (one statement) and their history rows (one statement) in one transaction;
   * rows come back in order. Like the single create before it, it leaves checking that the
   * accounts exist to the foreign key (the engine also refuses accounts in the recycle bin).
   */
  async function insertDeals(list: Row[], actor: string): Promise<Row[]> {
    const columns = [...new Set(list.flatMap((v) => Object.keys(v)))];
    const params: unknown[] = [];
    const tuples = list.map(
      (v) =>
        `(${columns.map((c) => (v[c] === undefined ? 'default' : `$${params.push(v[c])}`)).join(', ')})`,
    );
    const client = await pool.connect();
    try {
      await client.query('begin');
      const r = await client.query(
        `insert into ${TABLE} (${columns.map((c) => `"${c}"`).join(', ')})
         values ${tuples.join(', ')} returning ${SELECT}`,
        params,
      );
      const history = r.rows.map((row: Row) => {
        const changes: Row = {};
        for (const [k, v] of Object.entries(row))
          if (!UNTRACKED.has(k) && v !== null) changes[k] = { from: null, to: v };
        return { id: row.id, changes: JSON.stringify(changes) };
      });
      await client.query(
        `insert into ${HISTORY} (module, record_id, action, changes, actor)
         select 'bench_deals', h.id, 'create', h.changes::jsonb, $3
         from unnest($1::uuid[], $2::text[]) as h(id, changes)`,
        [history.map((h) => h.id), history.map((h) => h.changes), actor],
      );
      await client.query('commit');
      return r.rows;
    } catch (e) {
      await client.query('rollback').catch(() => {});
      throw e;
    } finally {
      client.release();
    }
  }
}

/** `"a", "b"` → `d."a", d."b"` */
function qualified(columns: string, alias: string): string {
  return columns
    .split(', ')
    .map((c) => `${alias}.${c}`)
    .join(', ');
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
