import { labelText, type Message } from '@atrium/metadata';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { enqueueJob } from '../process/jobs.js';
import type { CompiledModule } from '../records/compiled-module.js';
import type { Row } from '../records/row-writes.js';
import { canonicalTimes, type Values, validateBody } from '../records/values.js';
import { createWithin } from '../records/write.js';
import type { AfterAction, BeforeAction, CompiledAutomation } from './compiled.js';
import { automationMsg } from './messages.js';
import { nextInRoundRobin, recipientIds, userByName } from './recipients.js';
import { evaluateOn, mergeFields } from './record-data.js';
import { automationContext } from './run-context.js';
import type { ActionTrace } from './trace.js';

/**
 * Runs a before-save action on `values` (the record about to be saved), keeping `data` (what
 * later expressions read) in step. Values an automation sets meet the field's rules like any
 * sent value; a blueprint's field is refused (a transition moves it, never an automation).
 */
export async function applyBefore(
  trx: Db,
  ctx: RequestContext,
  m: CompiledModule,
  a: CompiledAutomation,
  step: { index: number; action: BeforeAction },
  values: Values,
  data: Values,
): Promise<ActionTrace> {
  const { index, action } = step;
  const set: Values = {};
  if (action.type === 'update_fields') {
    for (const [field, expression] of Object.entries(action.values))
      set[field] = evaluateOn(expression, data, ctx) ?? null;
  } else {
    const field = action.field ?? 'owner_id';
    const user = await assignee(trx, ctx, m, a, index, action, data);
    if (user === undefined) return { index, type: action.type, field, user: null };
    set[field] = user;
  }
  const bp = m.blueprint;
  if (bp && bp.field in set && set[bp.field] !== values[bp.field])
    throw new AtriumError('BLUEPRINT_FIELD', [
      automationMsg.at(bp.field, 'blueprintField', {
        name: a.key,
        field: bp.field,
        blueprint: bp.doc.name,
      }),
    ]);
  try {
    const { version: _, ...checked } = validateBody(
      m.validatePatch,
      { ...set, version: 1 },
      ctx.locale,
    );
    canonicalTimes(m, checked);
    Object.assign(values, checked);
    Object.assign(data, checked);
    return action.type === 'assign'
      ? {
          index,
          type: action.type,
          field: action.field ?? 'owner_id',
          user: checked[action.field ?? 'owner_id'],
        }
      : { index, type: action.type, values: checked };
  } catch (e) {
    throw rephrased(e, (message) => automationMsg('setBy', { name: a.key, message }));
  }
}

/** The user an `assign` action picks, if any: round robin over a role, or a rule table. */
async function assignee(
  trx: Db,
  ctx: RequestContext,
  m: CompiledModule,
  a: CompiledAutomation,
  index: number,
  action: Extract<BeforeAction, { type: 'assign' }>,
  data: Values,
): Promise<string | undefined> {
  const schema = m.automations?.schema as string;
  if (action.strategy === 'round_robin' && action.role !== undefined)
    return nextInRoundRobin(trx, schema, `${a.key}:${index}`, action.role, ctx.actor.id);
  for (const rule of action.rules ?? []) {
    if (!evaluateOn(rule.when, data, ctx)) continue;
    const user = await userByName(trx, rule.user);
    if (user) return user;
  }
  return action.fallback === undefined ? undefined : userByName(trx, action.fallback);
}

/** What an after-save action is told about the event that caused it. */
export interface AfterEvent {
  /** Unique per triggering write (or time-triggered job): the idempotency keys are built on it. */
  id: string;
  /** create, update, delete, or the time trigger (date, no_activity, schedule). */
  name: string;
}

/**
 * Runs an after-save action for the saved `row`: a related record through the write path (its
 * own automations fire, under the recursion guard), or one job in the outbox — in the write's
 * transaction, keyed `<automation>:<event id>:<action index>` so an event enqueues each side
 * effect once.
 */
export async function applyAfter(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  a: CompiledAutomation,
  step: { index: number; action: AfterAction },
  row: Row,
  data: Values,
  event: AfterEvent,
): Promise<ActionTrace> {
  const { index, action } = step;
  const fail = (e: unknown) =>
    rephrased(e, (message) =>
      automationMsg('actionFailed', { name: a.key, index, type: action.type, message }),
    );
  const recordId = row.id as string;
  let job: { kind: string; payload: unknown } | undefined;
  switch (action.type) {
    case 'create_record': {
      const snapshot = engine.metadata.current;
      const body: Values = {};
      for (const [field, expression] of Object.entries(action.values)) {
        const v = evaluateOn(expression, data, ctx);
        if (v !== undefined) body[field] = v;
      }
      try {
        const target = moduleOf(snapshot, action.module);
        const created = await createWithin(
          trx,
          engine,
          automationContext(ctx, a),
          snapshot,
          target,
          body,
        );
        return { index, type: action.type, module: action.module, id: created.id, values: body };
      } catch (e) {
        throw fail(e);
      }
    }
    case 'webhook':
      job = {
        kind: 'webhook',
        payload: {
          url: action.url,
          body: {
            event: event.name,
            module: m.doc.name,
            record: row,
            automation: a.doc.name,
            at: new Date().toISOString(),
          },
        },
      };
      break;
    case 'send_email': {
      const to = addresses(evaluateOn(action.to, data, ctx));
      if (to.length === 0) return { index, type: action.type, skipped: 'no recipient' };
      job = {
        kind: 'send_email',
        payload: {
          to,
          subject: mergeFields(labelText(action.subject, ctx.locale, ''), data),
          text: mergeFields(labelText(action.body, ctx.locale, ''), data),
          locale: ctx.locale,
          module: m.doc.name,
          recordId,
        },
      };
      break;
    }
    case 'notify': {
      const userIds = await recipientIds(trx, engine.metadata.current, row, action.to);
      if (userIds.length === 0) return { index, type: action.type, skipped: 'no recipient' };
      const title = action.title ?? a.doc.label;
      job = {
        kind: 'notify',
        payload: {
          userIds,
          title: mergeFields(labelText(title, ctx.locale, a.doc.name), data),
          ...(action.body && { body: mergeFields(labelText(action.body, ctx.locale, ''), data) }),
          module: m.doc.name,
          recordId,
        },
      };
      break;
    }
  }
  const idempotencyKey = `${a.doc.name}:${event.id}:${index}`;
  const enqueued = await enqueueJob(trx, engine.workspace.schema, { ...job, idempotencyKey });
  return { index, type: action.type, job: { ...job, idempotencyKey }, enqueued };
}

/** E-mail addresses from what `to` evaluated to: one, a list, or text with commas. */
function addresses(value: unknown): string[] {
  const list = (Array.isArray(value) ? value : [value])
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
    .map((v) => v.trim())
    .filter((v) => /^[^\s@]+@[^\s@]+$/.test(v));
  return [...new Set(list)];
}

/**
 * A refusal met while running an automation, with each detail saying which automation (and
 * action) met it. The recursion guard's own refusals pass as they are: they already say. The
 * detail's own message becomes a parameter, so the error handler says both in one language.
 */
export function rephrased(e: unknown, say: (message: Message) => Message): unknown {
  if (!(e instanceof AtriumError)) return e;
  if (e.code === 'AUTOMATION_LOOP' || e.code === 'AUTOMATION_DEPTH') return e;
  return new AtriumError(
    e.code,
    e.details.map(({ path, ...message }) => ({ path, ...say(message) })),
  );
}
