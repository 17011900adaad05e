import type { RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { CompiledAutomation } from './compiled.js';
import { automationMsg } from './messages.js';
import type { TraceRow } from './trace.js';

/** How deep automations may cause one another's writes (a create_record whose own automations fire…). */
export const MAX_AUTOMATION_DEPTH = 5;

/**
 * What a dry run collects instead of keeping: every automation run (in the order they started)
 * and every time-triggered job scheduled, from the write and the writes automations make.
 */
export interface Recorder {
  runs: TraceRow[];
  scheduled: { automation: string; recordId: string; runAt: string | null }[];
  seq: number;
}

const recorders = new WeakMap<object, Recorder>();

/** A context whose writes (and those its automations make) are recorded for a dry run. */
export function recordingContext(ctx: RequestContext, recorder: Recorder): RequestContext {
  const chain = { chain: ctx.automation?.chain ?? [] };
  recorders.set(chain, recorder);
  return { ...ctx, automation: chain };
}

/** The dry run's recorder, when this write is part of one. */
export function recorderOf(ctx: RequestContext): Recorder | undefined {
  return ctx.automation ? recorders.get(ctx.automation) : undefined;
}

/**
 * The recursion guard, before automation `a` acts on a write made in `ctx` (its trigger matched
 * and its condition holds — one whose condition fails ends the chain): an automation that would
 * act inside its own run (a → b → a) is a loop; a chain deeper than MAX_AUTOMATION_DEPTH is
 * refused too. Both refuse the whole write (422), so nothing is saved.
 */
export function guard(ctx: RequestContext, a: CompiledAutomation): void {
  const chain = ctx.automation?.chain ?? [];
  const trail = [...chain, a.key].join(' → ');
  if (chain.includes(a.key))
    throw new AtriumError('AUTOMATION_LOOP', [
      automationMsg.at(`automations.${a.key}`, 'loop', { name: a.key, chain: trail }),
    ]);
  if (chain.length >= MAX_AUTOMATION_DEPTH)
    throw new AtriumError('AUTOMATION_DEPTH', [
      automationMsg.at(`automations.${a.key}`, 'depth', {
        name: a.key,
        chain: trail,
        depth: chain.length + 1,
        max: MAX_AUTOMATION_DEPTH,
      }),
    ]);
}

/**
 * The context of the writes automation `a` makes: on behalf of the same user (the history names
 * them) with the rights of the system — an automation an administrator set up runs whoever
 * caused it, as in other CRMs — and `a` added to the chain the recursion guard reads. The
 * blueprint guard still holds: an administrator, too, moves a stage only by a transition.
 */
export function automationContext(ctx: RequestContext, a: CompiledAutomation): RequestContext {
  const chain = { chain: [...(ctx.automation?.chain ?? []), a.key] };
  const recorder = recorderOf(ctx);
  if (recorder) recorders.set(chain, recorder);
  return {
    actor: { ...ctx.actor, isAdmin: true },
    locale: ctx.locale,
    ...(ctx.timeZone !== undefined && { timeZone: ctx.timeZone }),
    automation: chain,
  };
}

/** The depth a write made in `ctx` runs at (0: a user's own write). */
export const depthOf = (ctx: RequestContext): number => ctx.automation?.chain.length ?? 0;
