import { evaluate, type LayoutDoc, truthy } from '@atrium/metadata';

/** Which fields the layout's rules hide and require for the values the user has typed so far. */
export interface RuleState {
  hidden: Set<string>;
  required: Set<string>;
}

/**
 * Applies a layout's `rules` to `values`: a field named in some rule's `show` is hidden until one
 * of those rules holds; `hide` hides while its rule holds; `require` requires while it holds.
 * Evaluated with the same JSON Logic as the server, in the user's time zone.
 */
export function applyLayoutRules(
  layout: LayoutDoc | undefined,
  values: Record<string, unknown>,
  timeZone: string,
): RuleState {
  const hidden = new Set<string>();
  const required = new Set<string>();
  const shown = new Set<string>();
  const showable = new Set<string>();
  for (const rule of layout?.rules ?? []) {
    let holds = false;
    try {
      holds = truthy(evaluate(rule.when, values, { timeZone }));
    } catch {
      holds = false;
    }
    for (const f of rule.show ?? []) {
      showable.add(f);
      if (holds) shown.add(f);
    }
    if (!holds) continue;
    for (const f of rule.hide ?? []) hidden.add(f);
    for (const f of rule.require ?? []) required.add(f);
  }
  for (const f of showable) if (!shown.has(f)) hidden.add(f);
  for (const f of hidden) required.delete(f);
  return { hidden, required };
}
