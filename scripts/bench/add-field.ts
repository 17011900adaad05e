import { applyChange, type Engine } from '@atrium/engine';
import type { FieldDef, ModuleDoc } from '@atrium/metadata';
import { withField } from './modules.js';

export interface AddFieldResult {
  field: string;
  type: string;
  ms: number;
  /** The plan's steps, e.g. "add column …", "create index …". */
  steps: string[];
}

/**
 * Adds `field` to the deals module through the one metadata path (applyChange: plan, DDL and
 * bookkeeping in one transaction) and returns its wall time.
 */
export async function timeAddField(
  engine: Engine,
  module: ModuleDoc,
  field: FieldDef,
  actorId: string,
): Promise<{ result: AddFieldResult; module: ModuleDoc }> {
  const next = withField(field, module);
  const started = performance.now();
  const applied = await applyChange(engine, { documents: [next] }, actorId);
  const ms = performance.now() - started;
  const steps = applied.steps.filter((s) => s.step.kind !== 'put_document').map((s) => s.summary);
  return { result: { field: field.name, type: field.type, ms, steps }, module: next };
}
