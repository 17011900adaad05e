import {
  type BlueprintDoc,
  type BlueprintTransition,
  evaluate,
  type Label,
  labelText,
  type Message,
  type MetadataDoc,
  type Problem,
  truthy,
} from '@atrium/metadata';
import type { RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { namedLabel } from '../label-messages.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { canonicalTimes, type Values } from '../records/values.js';
import type { Actor } from '../system/users.js';
import { blueprintMsg } from './blueprint-messages.js';

/**
 * A module's blueprint as the write path uses it, compiled once per metadata revision: the
 * picklist field it owns, the state a new record starts in and the transitions by name.
 */
export interface Blueprint {
  doc: BlueprintDoc;
  /** The picklist field whose value is the record's state. */
  field: string;
  /** The state of a new record: the field's default, else its first option. */
  initial: string;
  transitions: ReadonlyMap<string, BlueprintTransition>;
  /** Some transition needs approval: writes check the record is not waiting for one. */
  approvals: boolean;
}

/** A transition as `GET …/transitions` lists it: what it does and what it asks for. */
export interface AvailableTransition {
  name: string;
  label: string;
  from: string[];
  to: string;
  /** Fields that must hold a value once the transition has run. */
  require: { name: string; label: string; type: string }[];
  /**
   * Null when the transition runs at once. Otherwise who approves (`by`, with `role` or
   * `user`), whether that depends on a condition, and whether the record as it is now would
   * need it (values sent with the transition can change that).
   */
  approval: {
    by: 'manager' | 'role' | 'user';
    role?: string;
    user?: string;
    conditional: boolean;
    requiredNow: boolean;
  } | null;
}

/**
 * Compiles the blueprint of each module (one per module: the checker refuses a second on the
 * same field, and the first one found wins should two name different fields).
 */
export function compileBlueprints(
  documents: readonly MetadataDoc[],
  modules: ReadonlyMap<string, CompiledModule>,
): Map<string, Blueprint> {
  const out = new Map<string, Blueprint>();
  for (const doc of documents) {
    if (doc.kind !== 'blueprint' || out.has(doc.module)) continue;
    const field = modules.get(doc.module)?.fields.get(doc.field);
    if (!field) continue;
    const initial =
      typeof field.default === 'string' ? field.default : (field.options?.[0]?.value ?? '');
    out.set(doc.module, {
      doc,
      field: doc.field,
      initial,
      transitions: new Map(doc.transitions.map((t) => [t.name, t])),
      approvals: doc.transitions.some((t) => t.approval !== undefined),
    });
  }
  return out;
}

/**
 * The step of the write path that keeps a blueprint's field under the blueprint. It runs in
 * prepareCreate and prepareUpdate (and so in bulk), after the body is validated and before
 * formulas and rules:
 * - create: the record starts in the initial state; any other state sent is refused;
 * - update: the state cannot change, unless `ctx.transition` names the transition being run,
 *   in which case the transition must be available to this actor from the current state and its
 *   required fields must hold a value once the values are merged.
 * Refusals are 409 BLUEPRINT_FIELD at the field's path, naming the transitions available now.
 * Sets the state of a new record in `values`.
 */
export function blueprintGuard(
  m: CompiledModule,
  current: Values | undefined,
  values: Values,
  ctx: RequestContext,
): void {
  const bp = m.blueprint;
  if (!bp) {
    if (ctx.transition !== undefined) throw unknownTransition(ctx.transition);
    return;
  }
  const sent = values[bp.field];
  if (current === undefined) {
    if (sent !== undefined && sent !== null && sent !== bp.initial)
      throw fieldRefusal(m, bp, { ...values, [bp.field]: bp.initial }, ctx);
    values[bp.field] = bp.initial;
    return;
  }
  const state = current[bp.field];
  if (ctx.transition === undefined) {
    if (sent !== state) throw fieldRefusal(m, bp, current, ctx);
    return;
  }
  const t = bp.transitions.get(ctx.transition);
  if (!t) throw unknownTransition(ctx.transition);
  if (!isAvailable(bp, t, canonicalTimes(m, { ...current }), ctx.actor, ctx.timeZone)) {
    throw new AtriumError('TRANSITION_UNAVAILABLE', [
      blueprintMsg.at('transition', 'unavailable', {
        name: t.name,
        state: String(state ?? ''),
        available: listed(bp, availableTransitions(m, current, ctx)),
      }),
    ]);
  }
  values[bp.field] = t.to;
  const missing: Problem[] = (t.require ?? [])
    .filter((f) => isEmpty(values[f]))
    .map((f) => blueprintMsg.at(f, 'requiredBy', { name: t.name }));
  if (missing.length > 0) throw new AtriumError('VALIDATION_FAILED', missing);
}

/** The transitions the actor may run on the record now: from its state, allowed, `when` true. */
export function availableTransitions(
  m: CompiledModule,
  record: Values,
  ctx: RequestContext,
): AvailableTransition[] {
  const bp = m.blueprint;
  if (!bp) return [];
  // `when` reads datetimes as the rules do: one canonical ISO string.
  const data = canonicalTimes(m, { ...record });
  return [...bp.transitions.values()]
    .filter((t) => isAvailable(bp, t, data, ctx.actor, ctx.timeZone))
    .map((t) => ({
      name: t.name,
      label: labelText(t.label, ctx.locale, t.name),
      from: t.from,
      to: t.to,
      require: (t.require ?? []).map((name) => {
        const f = m.fields.get(name);
        return {
          name,
          label: labelText(f?.label as Label | undefined, ctx.locale, name),
          type: f?.type ?? 'text',
        };
      }),
      approval: t.approval ? approvalInfo(t.approval, data, ctx.timeZone) : null,
    }));
}

function approvalInfo(
  rule: NonNullable<BlueprintTransition['approval']>,
  record: Values,
  timeZone: string | undefined,
): NonNullable<AvailableTransition['approval']> {
  let requiredNow = true;
  if (rule.when !== undefined) {
    try {
      requiredNow = truthy(evaluate(rule.when, record, timeZone ? { timeZone } : {}));
    } catch {}
  }
  return {
    by: rule.by,
    ...(rule.role ? { role: rule.role } : {}),
    ...(rule.user ? { user: rule.user } : {}),
    conditional: rule.when !== undefined,
    requiredNow,
  };
}

function isAvailable(
  bp: Blueprint,
  t: BlueprintTransition,
  record: Values,
  actor: Actor,
  timeZone: string | undefined,
): boolean {
  if (!t.from.includes(record[bp.field] as string)) return false;
  if (!mayRun(t, record, actor)) return false;
  if (t.when === undefined) return true;
  try {
    return truthy(evaluate(t.when, record, timeZone ? { timeZone } : {}));
  } catch {
    return false;
  }
}

/**
 * Who may run a transition. Administrators always may. With no `who`, whoever may update the
 * record may. Otherwise any one of: the actor's profile is among `who.profiles`, the actor's
 * role among `who.roles`, or `who.owner` and the actor owns the record. `actor.profile` and
 * `actor.role` are read when the access layer provides them (a name, or an object with `name`).
 */
export function mayRun(t: BlueprintTransition, record: Values, actor: Actor): boolean {
  if (actor.isAdmin) return true;
  const who = t.who;
  if (!who || (who.profiles === undefined && who.roles === undefined && who.owner !== true))
    return true;
  const extra = actor as Actor & { profile?: unknown; role?: unknown };
  const nameOf = (v: unknown): string | undefined =>
    typeof v === 'string' ? v : ((v as { name?: string } | null | undefined)?.name ?? undefined);
  const profile = nameOf(extra.profile);
  const role = nameOf(extra.role);
  if (profile !== undefined && who.profiles?.includes(profile)) return true;
  if (role !== undefined && who.roles?.includes(role)) return true;
  return who.owner === true && record.owner_id === actor.id;
}

function fieldRefusal(
  m: CompiledModule,
  bp: Blueprint,
  record: Values,
  ctx: RequestContext,
): AtriumError {
  const available = availableTransitions(m, record, ctx);
  return new AtriumError('BLUEPRINT_FIELD', [
    blueprintMsg.at(bp.field, 'fieldOwned', {
      blueprint: bp.doc.name,
      state: String(record[bp.field] ?? ''),
      available: listed(bp, available),
    }),
  ]);
}

function unknownTransition(name: string): AtriumError {
  return new AtriumError('UNKNOWN_TRANSITION', [
    blueprintMsg.at('transition', 'unknown', { name }),
  ]);
}

/**
 * `Qualify (qualify), Mark as lost (lose)`, or a word saying there is none: messages, so each
 * label is said in the caller's language and the list joined the locale's way.
 */
function listed(bp: Blueprint, list: AvailableTransition[]): Message | Message[] {
  if (list.length === 0) return blueprintMsg('none');
  return list.map((t) => namedLabel(bp.transitions.get(t.name)?.label, t.name));
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/**
 * The names of the fewest transitions that lead from one state to another (none when equal),
 * or undefined when no path exists. Sample data installs records at later stages this way: through
 * the process, as a user would, not around it.
 */
export function transitionPath(bp: Blueprint, from: string, to: string): string[] | undefined {
  const paths = new Map<string, string[]>([[from, []]]);
  const queue = [from];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    const path = paths.get(state) as string[];
    if (state === to) return path;
    for (const t of bp.transitions.values()) {
      if (!t.from.includes(state) || paths.has(t.to)) continue;
      paths.set(t.to, [...path, t.name]);
      queue.push(t.to);
    }
  }
  return undefined;
}
