import type { AutomationDoc, BlueprintTransition } from '@atrium/metadata';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import type { CompiledModule } from '../records/compiled-module.js';
import type { Row } from '../records/row-writes.js';
import { applyAfter } from './actions.js';
import type { AfterAction, CompiledAutomation } from './compiled.js';
import { recordData } from './record-data.js';

/**
 * A blueprint transition's `after` actions, run exactly as an automation's after-save actions
 * (related records through the write path, jobs into the outbox with the same payloads and
 * once-per-event keys), so a webhook or a notification reads the same whichever rule sent it.
 * Before-save kinds (update_fields, assign) have no place after a transition and are refused
 * when the blueprint is applied.
 */
export async function transitionAfterActions(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  transition: BlueprintTransition,
  row: Row,
): Promise<void> {
  const steps = (transition.after ?? []).flatMap((action, index) =>
    action.type === 'update_fields' || action.type === 'assign'
      ? []
      : [{ index, action: action as AfterAction }],
  );
  if (steps.length === 0) return;
  const name = `transition_${transition.name}`;
  const auto: CompiledAutomation = {
    doc: {
      kind: 'automation',
      module: m.doc.name,
      name,
      ...(transition.label ? { label: transition.label } : {}),
      trigger: { on: 'update' },
      actions: transition.after ?? [],
    } as AutomationDoc,
    key: `${m.doc.name}.${name}`,
    when: undefined,
    before: [],
    after: steps,
    lookups: [],
  };
  const data = await recordData(trx, m, [], row);
  const event = { id: `${m.doc.name}:${row.id}:${row.version}`, name: 'transition' };
  for (const step of steps) await applyAfter(trx, engine, ctx, m, auto, step, row, data, event);
}
