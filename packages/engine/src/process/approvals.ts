import {
  type BlueprintTransition,
  evaluate,
  type Locale,
  labelText,
  truthy,
  valueMsg,
} from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { listMsg } from '../records/list-messages.js';
import { recordMsg } from '../records/messages.js';
import { listRecords } from '../records/read.js';
import { type Row, writeHistory } from '../records/row-writes.js';
import { canonicalTimes, type Values } from '../records/values.js';
import { inWriteTransaction } from '../records/write.js';
import { qt } from '../sql-names.js';
import { type Actor, getUser } from '../system/users.js';
import { approvalMsg } from './approval-messages.js';
import { enqueueJob } from './jobs.js';
import { transitionWithin } from './transition.js';

/** Who must approve a transition, as its blueprint says (`approval`). */
export type ApprovalRule = NonNullable<BlueprintTransition['approval']>;

/**
 * A request to run a transition that waits for someone's decision. Created instead of moving
 * the stage when the transition's `approval` applies; while pending, the record is locked
 * (approval-lock.ts). Approving runs the transition through the write path as the requester,
 * with the values they sent; rejecting only unlocks. Each step lands in the record's history
 * (`action: "approval"`) and notifies those concerned.
 */
export interface Approval {
  id: number;
  module: string;
  recordId: string;
  transition: string;
  /** The values the requester sent with the transition. */
  values: Values;
  requestedBy: string;
  /** Who may decide (administrators always may); empty: no one was found, administrators decide. */
  approvers: string[];
  rule: ApprovalRule;
  status: 'pending' | 'approved' | 'rejected';
  comment: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

/** An approval as a list answers it: with the record's name as the caller may read it. */
export interface ListedApproval extends Approval {
  /** The record's name field, read through the read path; null when the caller may not read it. */
  recordName: string | null;
}

const COLUMNS = sql.raw(`id::int as id, module, record_id as "recordId", transition,
  "values", requested_by as "requestedBy", approvers, rule, status, comment,
  decided_by as "decidedBy", decided_at as "decidedAt", created_at as "createdAt"`);

const table = (schema: string) => sql.raw(qt(schema, '_approvals'));

/**
 * The approval rule that applies when `t` runs to these values (the record merged with what
 * was sent): the transition's `approval`, when it has one and its `when` holds (a `when` that
 * cannot be evaluated counts as holding: better a needless approval than a skipped one).
 */
export function approvalNeeded(
  m: CompiledModule,
  t: BlueprintTransition,
  values: Values,
  ctx: RequestContext,
): ApprovalRule | undefined {
  const rule = t.approval;
  if (!rule) return undefined;
  if (rule.when === undefined) return rule;
  try {
    const data = canonicalTimes(m, { ...values });
    return truthy(evaluate(rule.when, data, ctx.timeZone ? { timeZone: ctx.timeZone } : {}))
      ? rule
      : undefined;
  } catch {
    return rule;
  }
}

/**
 * The users who decide, found when the request is made: the owner's manager (the active users
 * of the nearest role above the owner's role that has any), a role's active users, or one
 * active user by e-mail. The requester never approves their own request.
 */
async function resolveApprovers(
  trx: Db,
  m: CompiledModule,
  rule: ApprovalRule,
  record: Row,
  requester: string,
): Promise<string[]> {
  const ids = async (where: ReturnType<typeof sql>) =>
    (
      await sql<{ id: string }>`select id from atrium.users
        where active and id <> ${requester} and ${where} order by email`.execute(trx)
    ).rows.map((r) => r.id);
  if (rule.by === 'role') return ids(sql`role = ${rule.role ?? ''}`);
  if (rule.by === 'user') return ids(sql`lower(email) = lower(${rule.user ?? ''})`);
  const owner = await sql<{ role: string | null }>`select role from atrium.users
    where id = ${record.owner_id as string}`.execute(trx);
  const role = owner.rows[0]?.role;
  // `above` lists the roles above, nearest first.
  for (const up of role ? (m.access.above.get(role) ?? []) : []) {
    const found = await ids(sql`role = ${up}`);
    if (found.length > 0) return found;
  }
  return [];
}

/** Creates the pending approval of a transition, writes its history entry, tells the approvers. */
export async function requestApproval(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  record: Row,
  transition: string,
  values: Values,
  rule: ApprovalRule,
): Promise<Approval> {
  const approvers = await resolveApprovers(trx, m, rule, record, ctx.actor.id);
  const r = await sql<Approval>`insert into ${table(m.schema)}
      (module, record_id, transition, "values", requested_by, approvers, rule)
    values (${m.doc.name}, ${record.id as string}, ${transition}, ${JSON.stringify(values)}::jsonb,
      ${ctx.actor.id}, ${approvers}::uuid[], ${JSON.stringify(rule)}::jsonb)
    returning ${COLUMNS}`.execute(trx);
  const approval = r.rows[0] as Approval;
  await writeHistory(
    trx,
    engine,
    ctx,
    m.doc.name,
    [
      {
        id: approval.recordId,
        cause: { approval: approval.id, transition, decision: 'requested' },
      },
    ],
    'approval',
  );
  const to = approvers.length > 0 ? approvers : await administrators(trx);
  await notify(trx, m, approval, record, 'requested', to);
  return approval;
}

/** `POST /api/approvals/:id/approve|reject` `{comment?}`. */
export async function decideApproval(
  engine: Engine,
  ctx: RequestContext,
  id: string,
  decision: 'approve' | 'reject',
  body: unknown,
): Promise<{ approval: Approval; record: Row | null }> {
  const comment = commentOf(body);
  if (!/^[1-9][0-9]{0,17}$/.test(id)) throw missing(id);
  const first = await sql<{ module: string }>`select module from ${table(engine.workspace.schema)}
    where id = ${id}`.execute(engine.db);
  const module = first.rows[0]?.module;
  if (module === undefined) throw missing(id);
  return inWriteTransaction(engine, module, async (trx, m, snapshot) => {
    const locked = await sql<Approval>`select ${COLUMNS} from ${table(m.schema)}
      where id = ${id} for update`.execute(trx);
    const a = locked.rows[0] as Approval;
    if (a.status !== 'pending')
      throw new AtriumError('APPROVAL_DECIDED', [
        approvalMsg.at('id', 'decided', { id, status: approvalMsg(`${a.status}Status`) }),
      ]);
    if (!ctx.actor.isAdmin && !a.approvers.includes(ctx.actor.id))
      throw new AtriumError('FORBIDDEN', [approvalMsg.at('id', 'notApprover', { id })]);
    const status = decision === 'approve' ? 'approved' : 'rejected';
    const decided = await sql<Approval>`update ${table(m.schema)} set status = ${status},
        comment = ${comment}, decided_by = ${ctx.actor.id}, decided_at = now()
      where id = ${id} returning ${COLUMNS}`.execute(trx);
    const approval = decided.rows[0] as Approval;
    await writeHistory(
      trx,
      engine,
      ctx,
      m.doc.name,
      [
        {
          id: a.recordId,
          cause: { approval: a.id, transition: a.transition, decision: status, comment },
        },
      ],
      'approval',
    );
    let record: Row | null = null;
    if (status === 'approved') {
      const requester = await getUser(trx, a.requestedBy);
      if (!requester) throw missing(id);
      const actor: Actor = {
        id: requester.id,
        email: requester.email,
        isAdmin: requester.isAdmin,
        role: requester.role,
        profile: requester.profile,
      };
      const v = await sql<{ version: number }>`select version from ${sql.raw(m.table)}
        where id = ${a.recordId}`.execute(trx);
      // The transition runs as the requester asked it, through the one write path; its
      // refusal (the requester may no longer run it, a value no longer passes) refuses the
      // decision too, and the approval stays pending.
      const outcome = await transitionWithin(
        trx,
        engine,
        {
          actor,
          locale: ctx.locale,
          ...(ctx.timeZone ? { timeZone: ctx.timeZone } : {}),
          approval: a.id,
        },
        snapshot,
        m,
        a.recordId,
        a.transition,
        a.values,
        v.rows[0]?.version,
      );
      record = outcome.record;
    }
    const current = record ?? (await recordRow(trx, m, a.recordId));
    const others = a.approvers.filter((u) => u !== ctx.actor.id);
    await notify(trx, m, approval, current, status, [a.requestedBy, ...others]);
    return { approval, record };
  });
}

/**
 * `GET /api/approvals`: with `mine=true` the pending approvals waiting for the caller (an
 * administrator also gets those nobody else may decide); otherwise the caller's own requests,
 * any status. Newest first, 100 at most; `status` narrows either list.
 */
export async function listApprovals(
  engine: Engine,
  ctx: RequestContext,
  query: { mine?: string; status?: string },
): Promise<{ data: ListedApproval[] }> {
  const problems = [];
  if (query.mine !== undefined && query.mine !== 'true' && query.mine !== 'false')
    problems.push(listMsg.at('mine', 'trueOrFalse'));
  const statuses = ['pending', 'approved', 'rejected'];
  if (query.status !== undefined && !statuses.includes(query.status))
    problems.push(valueMsg.at('status', 'oneOf', { values: statuses }));
  if (problems.length > 0) throw new AtriumError('INVALID_QUERY', problems);
  const me = ctx.actor.id;
  const who =
    query.mine === 'true'
      ? sql`status = 'pending' and (${me}::uuid = any(approvers)
          ${ctx.actor.isAdmin ? sql`or cardinality(approvers) = 0` : sql``})`
      : sql`requested_by = ${me}`;
  const r = await sql<Approval>`select ${COLUMNS} from ${table(engine.workspace.schema)}
    where ${who} ${query.status ? sql`and status = ${query.status}` : sql``}
    order by id desc limit 100`.execute(engine.db);
  const names = await recordNames(engine, ctx, r.rows);
  return {
    data: r.rows.map((a) => ({ ...a, recordName: names.get(`${a.module}:${a.recordId}`) ?? null })),
  };
}

/**
 * The names of the approvals' records, one read per module through the one read path (the
 * caller's scope and field masks hold): a record the caller may not read, or a module they may
 * not read at all, has no name here.
 */
async function recordNames(
  engine: Engine,
  ctx: RequestContext,
  approvals: readonly Approval[],
): Promise<Map<string, string | null>> {
  const byModule = new Map<string, Set<string>>();
  for (const a of approvals) {
    const ids = byModule.get(a.module) ?? new Set<string>();
    byModule.set(a.module, ids.add(a.recordId));
  }
  const names = new Map<string, string | null>();
  await Promise.all(
    [...byModule].map(async ([module, ids]) => {
      const m = engine.metadata.current.modules.get(module);
      const field = m?.doc.recordName ?? m?.doc.fields.find((f) => f.type === 'text')?.name;
      if (!m || !field) return;
      try {
        const page = await listRecords(engine, ctx, module, {
          filter: JSON.stringify({ in: [{ var: 'id' }, [...ids]] }),
          fields: field,
          limit: 100,
        });
        for (const row of page.data) {
          const v = row[field];
          names.set(`${module}:${row.id}`, v === null || v === undefined ? null : String(v));
        }
      } catch (e) {
        // Not readable by the caller (module or field): no names, as the records' own pages.
        if (!(e instanceof AtriumError) || e.status >= 500) throw e;
      }
    }),
  );
  return names;
}

/** The pending approval of a record, if any (for its transitions list). */
export async function pendingApproval(
  db: Db,
  m: CompiledModule,
  recordId: string,
): Promise<Approval | null> {
  if (!m.blueprint?.approvals) return null;
  const r = await sql<Approval>`select ${COLUMNS} from ${table(m.schema)}
    where module = ${m.doc.name} and record_id = ${recordId} and status = 'pending'`.execute(db);
  return r.rows[0] ?? null;
}

async function administrators(trx: Db): Promise<string[]> {
  const r = await sql<{
    id: string;
  }>`select id from atrium.users where is_admin and active`.execute(trx);
  return r.rows.map((u) => u.id);
}

async function recordRow(trx: Db, m: CompiledModule, id: string): Promise<Row> {
  const r = await sql<Row>`select ${sql.raw(m.selectList)} from ${sql.raw(m.table)} r
    where r.id = ${id}`.execute(trx);
  return r.rows[0] ?? { id };
}

/**
 * Tells `userIds` (once each) about an approval, in each one's language: one `notify` job per
 * language, keyed by the approval and the step, so the same step never notifies twice.
 */
async function notify(
  trx: Db,
  m: CompiledModule,
  approval: Approval,
  record: Row,
  step: 'requested' | 'approved' | 'rejected',
  userIds: string[],
): Promise<void> {
  const unique = [...new Set(userIds)];
  if (unique.length === 0) return;
  const users = await sql<{ id: string; locale: string }>`select id, locale from atrium.users
    where id = any(${unique}::uuid[])`.execute(trx);
  const requester = await sql<{ name: string; email: string }>`select name, email
    from atrium.users where id = ${approval.requestedBy}`.execute(trx);
  const who = requester.rows[0];
  const byLocale = new Map<Locale, string[]>();
  for (const u of users.rows) {
    const locale: Locale = /^zh/i.test(u.locale) ? 'zh-CN' : 'en';
    byLocale.set(locale, [...(byLocale.get(locale) ?? []), u.id]);
  }
  const t = m.blueprint?.transitions.get(approval.transition);
  const recordName = String(record[m.doc.recordName ?? ''] ?? record.id ?? approval.recordId);
  for (const [locale, ids] of byLocale) {
    await enqueueJob(trx, m.schema, {
      kind: 'notify',
      idempotencyKey: `approval:${m.schema}:${approval.id}:${step}:${locale}`,
      payload: {
        userIds: ids,
        title: approvalMsg.text(locale, step, {
          requester: who?.name || who?.email || '',
          transition: labelText(t?.label, locale, approval.transition),
          record: recordName,
        }),
        ...(step !== 'requested' && approval.comment ? { body: approval.comment } : {}),
        module: m.doc.name,
        recordId: approval.recordId,
      },
    });
  }
}

function commentOf(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  if (typeof body !== 'object' || Array.isArray(body))
    throw new AtriumError('VALIDATION_FAILED', [recordMsg.at('(body)', 'jsonObject')]);
  const { comment, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest).map((k) => valueMsg.at(k, 'unknownField'));
  if (unknown.length > 0) throw new AtriumError('VALIDATION_FAILED', unknown);
  if (comment === undefined || comment === null) return null;
  if (typeof comment !== 'string' || comment.length > MAX_COMMENT)
    throw new AtriumError('VALIDATION_FAILED', [
      approvalMsg.at('comment', 'comment', { max: MAX_COMMENT }),
    ]);
  return comment;
}

const MAX_COMMENT = 2000;

function missing(id: string): AtriumError {
  return new AtriumError('NOT_FOUND', [approvalMsg.at('id', 'missing', { id })], {
    en: 'No such approval',
    'zh-CN': '审批不存在',
  });
}
