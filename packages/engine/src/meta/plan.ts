import {
  type ColumnSpec,
  docKey,
  FIELD_TYPES,
  type FieldDef,
  fieldColumns,
  type Message,
  type MessageParams,
  type MetadataDoc,
  type ModuleDoc,
  valueSpec,
} from '@atrium/metadata';
import type { ScopeIndex } from '../access-indexes.js';
import { derivedIndexes } from './derived-indexes.js';
import { metaMsg } from './meta-messages.js';
import { planMsg } from './plan-messages.js';

/**
 * A rule the values already stored must meet after the change. plan() lists them; the engine
 * measures them against the rows (see data-impact.ts) before anything runs.
 */
export type ValueCheck =
  /** The field becomes required: empty records stay, but are reported (or filled). */
  | { rule: 'required' }
  /** The field becomes unique: duplicates among live records refuse the change. */
  | { rule: 'unique' }
  /** Only these option values stay valid (options removed, or a text field became a picklist). */
  | { rule: 'options'; allowed: string[] }
  /** Text longer than this no longer fits. */
  | { rule: 'maxLength'; max: number }
  /** Numbers outside this range no longer fit. */
  | { rule: 'range'; min?: number; max?: number }
  /** The column type narrows: values that do not convert exactly refuse the change. */
  | { rule: 'type'; from: string; to: string };

/**
 * How a change request resolves what existing values would otherwise refuse, keyed by
 * `module.field`: `fill` gives empty records of a newly required field a value; `map` moves
 * records off removed picklist options (`{"old": "new"}`, or null to empty them).
 */
export interface Resolution {
  fill?: unknown;
  map?: Record<string, string | null>;
}
export type Resolutions = Record<string, Resolution>;

/** One step of a plan. DDL steps change tables; document steps change metadata. */
export type Step =
  | { kind: 'create_table'; module: string; columns: ColumnSpec[] }
  | { kind: 'restore_table'; module: string; columns: ColumnSpec[]; revision: number }
  | { kind: 'add_column'; module: string; column: ColumnSpec }
  | { kind: 'restore_column'; module: string; column: ColumnSpec; revision: number }
  | { kind: 'alter_column_type'; module: string; column: string; from: string; to: string }
  | { kind: 'create_index'; module: string; column: ColumnSpec }
  | { kind: 'drop_index'; module: string; column: ColumnSpec }
  /** The index a text sort in `collation` reads (see records/sort.ts `textSortSql`). */
  | { kind: 'create_sort_index'; module: string; column: ColumnSpec; collation: string }
  | { kind: 'drop_sort_index'; module: string; column: ColumnSpec }
  | { kind: 'create_scope_index'; module: string; index: ScopeIndex }
  | { kind: 'drop_scope_index'; module: string; index: ScopeIndex }
  | { kind: 'add_foreign_key'; module: string; column: ColumnSpec }
  | { kind: 'drop_foreign_key'; module: string; column: ColumnSpec }
  | { kind: 'set_autonumber'; module: string; column: ColumnSpec }
  | { kind: 'drop_column'; module: string; column: string }
  | { kind: 'drop_table'; module: string }
  | { kind: 'rename_column'; module: string; from: ColumnSpec; to: string }
  | {
      kind: 'check_values';
      module: string;
      column: string;
      /**
       * The column's name and type before the change (the rows are measured before it runs);
       * null for a column the change adds.
       */
      stored: { name: string; type: string } | null;
      checks: ValueCheck[];
    }
  | { kind: 'fill_values'; module: string; column: ColumnSpec; value: unknown }
  | { kind: 'map_values'; module: string; column: ColumnSpec; map: Record<string, string | null> }
  | { kind: 'put_document'; key: string; document: MetadataDoc }
  | { kind: 'delete_document'; key: string };

export interface PlannedStep {
  step: Step;
  /** Drops or may lose data: needs an explicit allowDestructive. */
  destructive: boolean;
  /** A sentence for the person applying it, in English (the CLI prints it). */
  summary: string;
  /** The summary's catalog key and parameters, to say it in the caller's language (`planMsg`). */
  summaryKey?: string;
  summaryParams?: MessageParams;
  /** What the step does to the rows already stored (set by the engine, which measures it). */
  impact?: Impact[];
}

/** A step's summary as a message: said in the caller's language where it has a key. */
export function summaryMessage(
  s: Pick<PlannedStep, 'summary' | 'summaryKey' | 'summaryParams'>,
): Message {
  return {
    message: s.summary,
    ...(s.summaryKey !== undefined && { key: s.summaryKey }),
    ...(s.summaryParams !== undefined && { params: s.summaryParams }),
  };
}

/** One measured rule of a `check_values` step. */
export interface Impact extends Message {
  /** `blueprint_states`: records per state of a blueprint's field (process/blueprint-impact.ts). */
  rule: ValueCheck['rule'] | 'blueprint_states';
  /** Records concerned (`more`: there are more than counted; data checks count exactly). */
  records: number;
  more: boolean;
  /** A few offending values (or record ids for empty ones), with how many records hold each. */
  examples: { value: unknown; records: number }[];
  /** ok: no record concerned; warning: they stay as they are; resolved: the request says how; refused. */
  outcome: 'ok' | 'warning' | 'resolved' | 'refused';
}

export interface Plan {
  steps: PlannedStep[];
  destructive: boolean;
}

export interface PlanOptions {
  /** pg_trgm is installed: searchable text columns get trigram indexes. */
  trigram: boolean;
  /**
   * The collation text sorts use (records/collation.ts), when the server has it: the record
   * name and indexed text fields get an index on their sort expression in it. Absent, none.
   */
  sortCollation?: string;
  /**
   * Dropped fields (`module.field`) and modules (`module`) still in the trash, with the revision
   * that dropped them: a field or module coming back takes its data back from there.
   */
  restorable?: ReadonlyMap<string, number>;
  /**
   * Renames not written in the documents (`module.new` → old name), as a revert of a rename
   * needs; documents declare theirs with `renamedFrom`.
   */
  renames?: ReadonlyMap<string, string>;
  resolutions?: Resolutions;
}

/** Execution order: drops of indexes and keys first, data drops last, documents at the end. */
const ORDER: Step['kind'][] = [
  // Renames first: the steps after it name the column, its index and key by the new name.
  'rename_column',
  'check_values',
  'drop_foreign_key',
  'drop_index',
  'drop_sort_index',
  'drop_scope_index',
  'create_table',
  'restore_table',
  'add_column',
  'restore_column',
  'alter_column_type',
  'set_autonumber',
  'fill_values',
  'map_values',
  'add_foreign_key',
  'create_index',
  'create_sort_index',
  'create_scope_index',
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
  const add = (step: Step, summary: string | Message, destructive = false) =>
    steps.push(
      typeof summary === 'string'
        ? { step, summary, destructive }
        : {
            step,
            summary: summary.message,
            ...(summary.key !== undefined && { summaryKey: summary.key }),
            ...(summary.params !== undefined && { summaryParams: summary.params }),
            destructive,
          },
    );
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
    const columns = fieldColumns(module).map((c) => withCapabilities(c, options));
    if (!old) {
      const kept = options.restorable?.get(name);
      if (kept !== undefined) {
        // Its indexes and keys come back with the table.
        add(
          { kind: 'restore_table', module: name, columns, revision: kept },
          planMsg('restoreTable', { module: name, revision: kept }),
        );
        continue;
      }
      add(
        { kind: 'create_table', module: name, columns },
        planMsg('createTable', { module: name }),
      );
      for (const c of columns) addColumnExtras(name, c, add, options);
      continue;
    }
    const oldColumns = new Map(
      fieldColumns(old).map((c) => [c.name, withCapabilities(c, options)]),
    );
    const renamed = renamesOf(module, oldColumns, options);
    for (const c of columns) {
      const from = renamed.get(c.name);
      const stored = from === undefined ? oldColumns.get(c.name) : oldColumns.get(from);
      if (stored && from !== undefined) {
        add(
          { kind: 'rename_column', module: name, from: stored, to: c.name },
          planMsg('renameField', { module: name, from, to: c.name }),
        );
      }
      const was = stored && { ...stored, name: c.name };
      const kept = was ? undefined : options.restorable?.get(`${name}.${c.name}`);
      // A field coming back from the trash brings the values it had.
      if (kept === undefined)
        valueSteps(name, stored, c, options.resolutions?.[`${name}.${c.name}`], add);
      if (!was) {
        if (kept !== undefined) {
          add(
            { kind: 'restore_column', module: name, column: c, revision: kept },
            planMsg('restoreField', { module: name, field: c.name, revision: kept }),
          );
        } else {
          add(
            { kind: 'add_column', module: name, column: c },
            planMsg('addColumn', { module: name, field: c.name, type: c.type }),
          );
        }
        addColumnExtras(name, c, add, options);
        continue;
      }
      diffColumn(name, was, c, add, options);
    }
    const renamedAway = new Set(renamed.values());
    for (const [col, was] of oldColumns) {
      if (columns.some((c) => c.name === col) || renamedAway.has(col)) continue;
      if (was.references)
        add(
          { kind: 'drop_foreign_key', module: name, column: was },
          planMsg('dropForeignKey', { module: name, field: col }),
        );
      if (was.index)
        add(
          { kind: 'drop_index', module: name, column: was },
          planMsg('dropIndex', { module: name, field: col }),
        );
      if (was.sortIndex)
        add(
          { kind: 'drop_sort_index', module: name, column: was },
          planMsg('dropSortIndex', { module: name, field: col }),
        );
      add(
        { kind: 'drop_column', module: name, column: col },
        metaMsg('dropField', { module: name, field: col }),
        true,
      );
    }
  }
  for (const name of before.keys()) {
    if (!after.has(name))
      add({ kind: 'drop_table', module: name }, metaMsg('dropModule', { module: name }), true);
  }
  scopeIndexSteps(current, desired, add);
  for (const [key, doc] of next) {
    const old = now.get(key);
    if (!old || !sameJson(old, doc))
      add(
        { kind: 'put_document', key, document: doc },
        planMsg(old ? 'updateDocument' : 'addDocument', { key }),
      );
  }
  for (const key of now.keys()) {
    if (!next.has(key)) add({ kind: 'delete_document', key }, planMsg('removeDocument', { key }));
  }
  steps.sort((a, b) => ORDER.indexOf(a.step.kind) - ORDER.indexOf(b.step.kind));
  return { steps, destructive: steps.some((s) => s.destructive) };
}

/** Adds a step with its summary: a catalog message (or, for now, English text alone). */
type Add = (step: Step, summary: string | Message, destructive?: boolean) => void;

/** The derived indexes (derived-indexes.ts) the desired documents call for and the current lack. */
function scopeIndexSteps(
  current: readonly MetadataDoc[],
  desired: readonly MetadataDoc[],
  add: Add,
): void {
  const had = new Map(derivedIndexes(current).map((i) => [i.name, i]));
  const want = new Map(derivedIndexes(desired).map((i) => [i.name, i]));
  const describe = (i: ScopeIndex) =>
    `${i.module} (${i.columns.join(', ')})${i.include?.length ? ` include (${i.include.join(', ')})` : ''}${i.where ? ` where ${i.where}` : ''}`;
  const report = (i: ScopeIndex) => i.purpose === 'report';
  for (const [name, i] of had)
    if (!want.has(name))
      add(
        { kind: 'drop_scope_index', module: i.module, index: i },
        planMsg(report(i) ? 'dropReportIndex' : 'dropScopeIndex', { index: describe(i) }),
      );
  for (const [name, i] of want)
    if (!had.has(name))
      add(
        { kind: 'create_scope_index', module: i.module, index: i },
        planMsg(report(i) ? 'reportIndex' : 'scopeIndex', { index: describe(i) }),
      );
}

/** New column name → old one, for renames whose old column exists and whose new one does not. */
function renamesOf(
  module: ModuleDoc,
  oldColumns: ReadonlyMap<string, ColumnSpec>,
  options: PlanOptions,
): Map<string, string> {
  const renamed = new Map<string, string>();
  const names = new Set(module.fields.map((f) => f.name));
  for (const f of module.fields) {
    const from = f.renamedFrom ?? options.renames?.get(`${module.name}.${f.name}`);
    if (from && oldColumns.has(from) && !oldColumns.has(f.name) && !names.has(from))
      renamed.set(f.name, from);
  }
  return renamed;
}

/**
 * The rules stored values must meet once `stored` (undefined: a new column) becomes `c`, as a
 * `check_values` step, and the resolutions that apply to them as `fill_values` / `map_values`.
 */
function valueSteps(
  module: string,
  stored: ColumnSpec | undefined,
  c: ColumnSpec,
  resolution: Resolution | undefined,
  add: Add,
): void {
  const f = c.field;
  if (!f) return;
  const checks = valueChecks(stored, c);
  if (checks.length === 0) return;
  const rules = checks.map((k) => k.rule).join(', ');
  add(
    {
      kind: 'check_values',
      module,
      column: c.name,
      stored: stored ? { name: stored.name, type: stored.type } : null,
      checks,
    },
    planMsg('checkValues', { module, field: c.name, rules }),
  );
  if (resolution?.fill !== undefined && checks.some((k) => k.rule === 'required')) {
    add(
      { kind: 'fill_values', module, column: c, value: resolution.fill },
      planMsg('fillValues', { module, field: c.name, value: JSON.stringify(resolution.fill) }),
    );
  }
  if (resolution?.map && checks.some((k) => k.rule === 'options')) {
    const pairs = Object.entries(resolution.map).map(([from, to]) =>
      to === null ? planMsg('movePairEmpty', { from }) : planMsg('movePair', { from, to }),
    );
    add(
      { kind: 'map_values', module, column: c, map: resolution.map },
      planMsg('moveValues', { module, field: c.name, pairs }),
    );
  }
}

function valueChecks(stored: ColumnSpec | undefined, c: ColumnSpec): ValueCheck[] {
  const f = c.field as FieldDef;
  const was = stored?.field;
  const checks: ValueCheck[] = [];
  const computed = FIELD_TYPES[f.type].computed;
  if (f.required && !computed && !was?.required) checks.push({ rule: 'required' });
  // A new column is empty: nothing to measure but emptiness.
  if (!stored || !was) return checks;
  if (c.index === 'unique' && stored.index !== 'unique') checks.push({ rule: 'unique' });
  const options = (d: FieldDef) =>
    d.type === 'picklist' || d.type === 'multipicklist'
      ? (d.options ?? []).map((o) => o.value)
      : [];
  if (options(f).length > 0) {
    const allowed = options(f);
    const before = options(was);
    if (was.type !== f.type || before.some((v) => !allowed.includes(v)))
      checks.push({ rule: 'options', allowed });
  } else {
    const max = (d: FieldDef) => valueSpec(d).valueSchema(d).maxLength;
    const now = max(f);
    const then = valueSpec(was).valueKind === 'string' ? max(was) : undefined;
    // Numbers, dates and ids written as text are short: only text can be too long for text.
    if (c.type === 'text' && now !== undefined) {
      const longer = then === undefined ? stored.type === 'text' || now < 64 : now < then;
      if (longer) checks.push({ rule: 'maxLength', max: now });
    }
  }
  const narrower = (a: number | undefined, b: number | undefined, dir: 1 | -1) =>
    a !== undefined && (b === undefined || dir * a > dir * b);
  const minUp = narrower(f.min, was.min, 1);
  const maxDown = narrower(f.max, was.max, -1);
  if (valueSpec(f).valueKind === 'number' || valueSpec(f).valueKind === 'integer') {
    if (minUp || maxDown)
      checks.push({
        rule: 'range',
        ...(f.min !== undefined && { min: f.min }),
        ...(f.max !== undefined && { max: f.max }),
      });
  }
  if (stored.type !== c.type && !isWidening(stored.type, c.type))
    checks.push({ rule: 'type', from: stored.type, to: c.type });
  return checks;
}

function addColumnExtras(module: string, c: ColumnSpec, add: Add, options: PlanOptions): void {
  if (c.autonumber)
    add(
      { kind: 'set_autonumber', module, column: c },
      planMsg('autonumber', { module, field: c.name }),
    );
  if (c.references)
    add(
      { kind: 'add_foreign_key', module, column: c },
      planMsg('addForeignKey', { module, field: c.name, target: refName(c) }),
    );
  if (c.index)
    add(
      { kind: 'create_index', module, column: c },
      planMsg('createIndex', { module, field: c.name, index: c.index }),
    );
  if (c.sortIndex) addSortIndex(module, c, add, options);
}

function addSortIndex(module: string, c: ColumnSpec, add: Add, options: PlanOptions): void {
  const collation = options.sortCollation as string;
  add(
    { kind: 'create_sort_index', module, column: c, collation },
    planMsg('createSortIndex', { module, field: c.name, collation }),
  );
}

function diffColumn(
  module: string,
  was: ColumnSpec,
  c: ColumnSpec,
  add: Add,
  options: PlanOptions,
): void {
  const typeChanges = was.type !== c.type;
  const refChanges = !sameJson(was.references ?? null, c.references ?? null);
  const indexChanges = was.index !== c.index || (typeChanges && c.index !== undefined);
  if (was.references && (refChanges || typeChanges)) {
    add(
      { kind: 'drop_foreign_key', module, column: was },
      planMsg('dropForeignKey', { module, field: c.name }),
    );
  }
  if (was.index && indexChanges)
    add(
      { kind: 'drop_index', module, column: was },
      planMsg('dropIndex', { module, field: c.name }),
    );
  // The sort expression depends on the column's type: a type change rebuilds it.
  const sortIndexChanges = !was.sortIndex !== !c.sortIndex || typeChanges;
  if (was.sortIndex && sortIndexChanges)
    add(
      { kind: 'drop_sort_index', module, column: was },
      planMsg('dropSortIndex', { module, field: c.name }),
    );
  if (typeChanges) {
    const safe = isWidening(was.type, c.type);
    add(
      { kind: 'alter_column_type', module, column: c.name, from: was.type, to: c.type },
      planMsg(safe ? 'alterType' : 'alterTypeUnsafe', {
        module,
        field: c.name,
        from: was.type,
        to: c.type,
      }),
      !safe,
    );
  }
  if (c.autonumber && !sameJson(was.autonumber ?? null, c.autonumber)) {
    add(
      { kind: 'set_autonumber', module, column: c },
      planMsg('autonumber', { module, field: c.name }),
    );
  }
  if (c.references && (refChanges || typeChanges)) {
    add(
      { kind: 'add_foreign_key', module, column: c },
      planMsg('addForeignKey', { module, field: c.name, target: refName(c) }),
    );
  }
  if (c.index && indexChanges)
    add(
      { kind: 'create_index', module, column: c },
      planMsg('createIndex', { module, field: c.name, index: c.index }),
    );
  if (c.sortIndex && sortIndexChanges) addSortIndex(module, c, add, options);
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

/** The column as this server can index it: no trigram index without pg_trgm, no sort index without the collation. */
function withCapabilities(c: ColumnSpec, options: PlanOptions): ColumnSpec {
  let out = c;
  if (out.index === 'trgm' && !options.trigram) {
    const { index: _, ...rest } = out;
    out = rest;
  }
  if (out.sortIndex && !options.sortCollation) {
    const { sortIndex: _, ...rest } = out;
    out = rest;
  }
  return out;
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
