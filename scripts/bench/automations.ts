import { randomBytes } from 'node:crypto';
import { createAjv, type MetadataDoc } from '@atrium/metadata';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { Scenario } from './load.js';

/**
 * The `create_automations` scenario: creating a lead that three automations act on — a
 * before-save field update (its score), a related record (a follow-up task due in 3 days,
 * linked back) and an after-commit webhook job in the outbox — against a hand-written route
 * doing the same work in one transaction: validate, compute the score, insert the lead, the
 * task, their history rows and the job, answer the lead. The generic side also keeps a trace
 * row per automation run; that is part of what automations cost.
 */
export const AUTOMATION_BENCH_DOCUMENTS: MetadataDoc[] = [
  {
    kind: 'module',
    name: 'bench_leads',
    recordName: 'name',
    fields: [
      { name: 'name', type: 'text', required: true },
      { name: 'email', type: 'email' },
      { name: 'company', type: 'text' },
      { name: 'score', type: 'integer' },
    ],
  },
  {
    kind: 'module',
    name: 'bench_lead_tasks',
    recordName: 'subject',
    fields: [
      { name: 'subject', type: 'text', required: true },
      { name: 'due', type: 'date' },
      { name: 'lead', type: 'lookup', target: 'bench_leads' },
    ],
  },
  {
    kind: 'automation',
    module: 'bench_leads',
    name: 'a_score',
    trigger: { on: 'create' },
    actions: [{ type: 'update_fields', values: { score: { if: [{ var: 'company' }, 50, 10] } } }],
  },
  {
    kind: 'automation',
    module: 'bench_leads',
    name: 'b_task',
    trigger: { on: 'create' },
    actions: [
      {
        type: 'create_record',
        module: 'bench_lead_tasks',
        values: {
          subject: { cat: ['Call ', { var: 'name' }] },
          due: { date_add: ['today', 3] },
          lead: { var: 'id' },
        },
      },
    ],
  },
  {
    kind: 'automation',
    module: 'bench_leads',
    name: 'c_hook',
    trigger: { on: 'create' },
    actions: [{ type: 'webhook', url: 'https://hooks.example.com/bench' }],
  },
];

let n = 0;
const leadBody = () =>
  JSON.stringify({ name: `Bench lead ${++n}`, email: 'lead@example.com', company: 'Acme' });

/** Both sides of the scenario. */
export function automationScenario(): Scenario & { key: 'create_automations' } {
  return {
    key: 'create_automations',
    name: 'create auto',
    generic: { method: 'POST', path: () => '/api/records/bench_leads', body: leadBody },
    baseline: { method: 'POST', path: () => '/bench/leads', body: leadBody },
  };
}

const LEADS = '"ws_main"."bench_leads"';
const TASKS = '"ws_main"."bench_lead_tasks"';
const HISTORY = '"ws_main"."_history"';
const JOBS = '"ws_main"."_jobs"';
const SYSTEM = new Set(
  'id created_at updated_at created_by updated_by version deleted_at'.split(' '),
);

type Row = Record<string, unknown>;
type JwtRequest = FastifyRequest & { jwtVerify<T>(): Promise<T> };

/** The hand-written twin: POST /bench/leads. */
export function automationBaselineRoutes(pool: pg.Pool) {
  const validate = createAjv().compile<Row>({
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 255 },
      email: { type: ['string', 'null'], maxLength: 254, format: 'email' },
      company: { type: ['string', 'null'], maxLength: 255 },
      score: { type: ['integer', 'null'] },
    },
  });
  return async (app: FastifyInstance): Promise<void> => {
    app.post('/bench/leads', async (request, reply) => {
      let actor: string;
      try {
        actor = (await (request as JwtRequest).jwtVerify<{ sub: string }>()).sub;
      } catch {
        return reply
          .status(401)
          .send({ error: { code: 'UNAUTHORIZED', message: 'Sign in first', details: [] } });
      }
      const body = request.body as Row;
      if (body === null || typeof body !== 'object' || !validate(body))
        return reply.status(400).send({
          error: { code: 'VALIDATION_FAILED', message: 'Some values are not valid', details: [] },
        });
      const lead: Row = { ...body, score: body.company ? 50 : 10 };
      const id = uuidv7();
      const taskId = uuidv7();
      const due = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
      const client = await pool.connect();
      try {
        await client.query('begin');
        const columns = Object.keys(lead);
        const r = await client.query(
          `insert into ${LEADS} (id, created_by, updated_by, owner_id, ${columns.map((c) => `"${c}"`).join(', ')})
           values ($1, $2, $2, $2, ${columns.map((_, i) => `$${i + 3}`).join(', ')}) returning *`,
          [id, actor, ...columns.map((c) => lead[c])],
        );
        const row = r.rows[0] as Row;
        const t = await client.query(
          `insert into ${TASKS} (id, created_by, updated_by, owner_id, subject, due, lead)
           values ($1, $2, $2, $2, $3, $4, $5) returning *`,
          [taskId, actor, `Call ${row.name}`, due, id],
        );
        await client.query(
          `insert into ${HISTORY} (module, record_id, action, changes, actor)
           select h.module, h.id, 'create', h.changes::jsonb, $4
           from unnest($1::text[], $2::uuid[], $3::text[]) as h(module, id, changes)`,
          [
            ['bench_leads', 'bench_lead_tasks'],
            [id, taskId],
            [JSON.stringify(created(row)), JSON.stringify(created(t.rows[0] as Row))],
            actor,
          ],
        );
        const payload = {
          url: 'https://hooks.example.com/bench',
          body: {
            event: 'create',
            module: 'bench_leads',
            record: row,
            automation: 'c_hook',
            at: new Date().toISOString(),
          },
        };
        await client.query(
          `insert into ${JOBS} (kind, idempotency_key, payload) values ('webhook', $1, $2::jsonb)
           on conflict (idempotency_key) do nothing`,
          [`c_hook:bench_leads:${id}:1:0`, JSON.stringify(payload)],
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
  };
}

/** A create's history entry: every tracked field with a value, from null. */
function created(row: Row): Row {
  const changes: Row = {};
  for (const [k, v] of Object.entries(row))
    if (!SYSTEM.has(k) && v !== null) changes[k] = { from: null, to: v };
  return changes;
}

function uuidv7(): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
