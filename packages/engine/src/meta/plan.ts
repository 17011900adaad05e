import {
  type ColumnSpec,
  docKey,
  fieldColumns,
  type MetadataDoc,
  type ModuleDoc,
} from '@atrium/metadata';

/** One step of a plan. DDL steps change tables; document steps change metadata. */
export type Step =
  | { kind: 'create_table'; module: string; columns: ColumnSpec[] }
  | { kind: 'restore_table'; module: string; columns: ColumnSpec[]; revision: number }
  | { kind: 'add_column'; module: string; column: ColumnSpec }
  | { kind: 'restore_column'; module: string; column: ColumnSpec; revision: number }
  | { kind: 'alter_column_type'; module: string; column: string; from: string; to: string }
  | { kind: 'create_index'; module: string; column: ColumnSpec }
  | { kind: 'drop_index'; module: string; column: ColumnSpec }
  | { kind: 'add_foreign_key'; module: string; column: ColumnSpec }
  | { kind: 'drop_foreign_key'; module: string; column: ColumnSpec }
  | { kind: 'set_autonumber'; module: string; column: ColumnSpec }
  | { kind: 'drop_column'; module: string; column: string }
  | { kind: 'drop_table'; module: string }
  | { kind: 'put_document'; key: string; document: MetadataDoc }
  | { kind: 'delete_document'; key: string };

export interface PlannedStep {
  step: Step;
  /** Drops or may lose data: needs an explicit allowDestructive. */
  destructive: boolean;
  /** A sentence for the person applying it. */
  summary: string;
}

export interface Plan {
  steps: PlannedStep[];
  destructive: boolean;
}

export interface PlanOptions {
  /** pg_trgm is installed: searchable text columns get trigram indexes. */
  trigram: boolean;
  /**
   * Dropped fields (`module.field`) and modules (`module`) still in the trash, with the revision
   * that dropped them: a field or module coming back takes its data back from there.
   */
  restorable?: ReadonlyMap<string, number>;
}

/** Execution order: drops of indexes and keys first, data drops last, documents at the end. */
const ORDER: Step['kind'][] = [
  'drop_foreign_key',
  'drop_index',
  'create_table',
  'restore_table',
  'add_column',
  'restore_column',
  'alter_column_type',
  'set_autonumber',
  'add_foreign_key',
  'create_index',
  'drop_column',
  'drop_table',
  'put_document',
  'delete_document',
];

/**
 * Computes the ordered steps that turn `current` into `desired`. Pure: no I/O, so the same plan
 * is shown to the user and then applied.
 */
export function plan(
  current: readonly MetadataDoc[],
  desired: readonly MetadataDoc[],
  options: PlanOptions,
): Plan {
  const steps: PlannedStep[] = [];
  const add = (step: Step, summary: string, destructive = false) =>
    steps.push({ step, summary, destructive });
  const now = byKey(current);
  const next = byKey(desired);
  const modules = (docs: Map<string, MetadataDoc>) =>
    new Map(
      [...docs.values()].filter((d): d is ModuleDoc => d.kind === 'module').map((m) => [m.name, m]),
    );
  const before = modules(now);
  const after = modules(next);

  for (const [name, module] of after) {
    const old = before.get(name);
    const columns = fieldColumns(module).map((c) => withTrigram(c, options));
    if (!old) {
      const kept = options.restorable?.get(name);
      if (kept !== undefined) {
        // Its indexes and keys come back with the table.
        add(
          { kind: 'restore_table', module: name, columns, revision: kept },
          `bring module ${name} back from the trash (dropped in revision ${kept}) with its records`,
        );
        continue;
      }
      add({ kind: 'create_table', module: name, columns }, `create table for module ${name}`);
      for (const c of columns) addColumnExtras(name, c, add);
      continue;
    }
    const oldColumns = new Map(fieldColumns(old).map((c) => [c.name, withTrigram(c, options)]));
    for (const c of columns) {
      const was = oldColumns.get(c.name);
      if (!was) {
        const kept = options.restorable?.get(`${name}.${c.name}`);
        if (kept !== undefined) {
          add(
            { kind: 'restore_column', module: name, column: c, revision: kept },
            `bring field ${name}.${c.name} back from the trash (dropped in revision ${kept}) with its values`,
          );
        } else {
          add(
            { kind: 'add_column', module: name, column: c },
            `add column ${name}.${c.name} (${c.type})`,
          );
        }
        addColumnExtras(name, c, add);
        continue;
      }
      diffColumn(name, was, c, add);
    }
    for (const [col, was] of oldColumns) {
      if (columns.some((c) => c.name === col)) continue;
      if (was.references)
        add(
          { kind: 'drop_foreign_key', module: name, column: was },
          `drop foreign key of ${name}.${col}`,
        );
      if (was.index)
        add({ kind: 'drop_index', module: name, column: was }, `drop index of ${name}.${col}`);
      add(
        { kind: 'drop_column', module: name, column: col },
        `drop field ${name}.${col} (kept in the trash)`,
        true,
      );
    }
  }
  for (const name of before.keys()) {
    if (!after.has(name))
      add({ kind: 'drop_table', module: name }, `drop module ${name} (kept in the trash)`, true);
  }
  for (const [key, doc] of next) {
    const old = now.get(key);
    if (!old || !sameJson(old, doc))
      add({ kind: 'put_document', key, document: doc }, `${old ? 'update' : 'add'} ${key}`);
  }
  for (const key of now.keys()) {
    if (!next.has(key)) add({ kind: 'delete_document', key }, `remove ${key}`);
  }
  steps.sort((a, b) => ORDER.indexOf(a.step.kind) - ORDER.indexOf(b.step.kind));
  return { steps, destructive: steps.some((s) => s.destructive) };
}

type Add = (step: Step, summary: string, destructive?: boolean) => void;

function addColumnExtras(module: string, c: ColumnSpec, add: Add): void {
  if (c.autonumber)
    add({ kind: 'set_autonumber', module, column: c }, `number ${module}.${c.name} automatically`);
  if (c.references)
    add(
      { kind: 'add_foreign_key', module, column: c },
      `link ${module}.${c.name} to ${refName(c)}`,
    );
  if (c.index)
    add({ kind: 'create_index', module, column: c }, `index ${module}.${c.name} (${c.index})`);
}

function diffColumn(module: string, was: ColumnSpec, c: ColumnSpec, add: Add): void {
  const typeChanges = was.type !== c.type;
  const refChanges = !sameJson(was.references ?? null, c.references ?? null);
  const indexChanges = was.index !== c.index || (typeChanges && c.index !== undefined);
  if (was.references && (refChanges || typeChanges)) {
    add(
      { kind: 'drop_foreign_key', module, column: was },
      `drop foreign key of ${module}.${c.name}`,
    );
  }
  if (was.index && indexChanges)
    add({ kind: 'drop_index', module, column: was }, `drop index of ${module}.${c.name}`);
  if (typeChanges) {
    const safe = isWidening(was.type, c.type);
    add(
      { kind: 'alter_column_type', module, column: c.name, from: was.type, to: c.type },
      `change ${module}.${c.name} from ${was.type} to ${c.type}${safe ? '' : ' (values that do not fit fail the apply)'}`,
      !safe,
    );
  }
  if (c.autonumber && !sameJson(was.autonumber ?? null, c.autonumber)) {
    add({ kind: 'set_autonumber', module, column: c }, `number ${module}.${c.name} automatically`);
  }
  if (c.references && (refChanges || typeChanges)) {
    add(
      { kind: 'add_foreign_key', module, column: c },
      `link ${module}.${c.name} to ${refName(c)}`,
    );
  }
  if (c.index && indexChanges)
    add({ kind: 'create_index', module, column: c }, `index ${module}.${c.name} (${c.index})`);
}

/** Type changes that cannot fail or lose data. */
export function isWidening(from: string, to: string): boolean {
  if (to === 'text') return !from.endsWith('[]');
  const num = (t: string) => /^numeric\((\d+),(\d+)\)$/.exec(t);
  const [, p2, s2] = num(to) ?? [];
  if (p2 === undefined || s2 === undefined) return false;
  const whole = Number(p2) - Number(s2);
  if (from === 'bigint') return whole >= 19;
  const [, p1, s1] = num(from) ?? [];
  if (p1 === undefined || s1 === undefined) return false;
  return Number(s2) >= Number(s1) && whole >= Number(p1) - Number(s1);
}

function withTrigram(c: ColumnSpec, options: PlanOptions): ColumnSpec {
  if (c.index !== 'trgm' || options.trigram) return c;
  const { index: _, ...rest } = c;
  return rest;
}

function refName(c: ColumnSpec): string {
  return c.references && 'module' in c.references ? c.references.module : 'users';
}

function byKey(docs: readonly MetadataDoc[]): Map<string, MetadataDoc> {
  return new Map(docs.map((d) => [docKey(d), d]));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}
