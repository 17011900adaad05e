import {
  type AutomationAction,
  type AutomationDoc,
  type JsonLogic,
  MERGE_FIELD,
  type MetadataDoc,
  renameVars,
  usedVars,
} from '@atrium/metadata';
import type { CompiledModule } from '../records/compiled-module.js';

/** Actions that change the record itself, before it is saved. */
export type BeforeAction = Extract<AutomationAction, { type: 'update_fields' | 'assign' }>;
/** Actions that run once the record is saved: a related record, or a job in the outbox. */
export type AfterAction = Exclude<AutomationAction, BeforeAction>;

/** One automation as the write path runs it, compiled once per metadata revision. */
export interface CompiledAutomation {
  doc: AutomationDoc;
  /** `module.name`: what the recursion guard and the trace name. */
  key: string;
  /** The condition, its lookup paths read from the data's `<lookup>__` entries (see recordData). */
  when: JsonLogic | undefined;
  /** Before-save actions with their index in the document, in their order. */
  before: { index: number; action: BeforeAction }[];
  /** After-save actions with their index in the document, in their order. */
  after: { index: number; action: AfterAction }[];
  /** Lookup fields whose target record the expressions read (`account` for `account.industry`). */
  lookups: string[];
}

/** A module's automations by what starts them, each list in the order they run (by name). */
export interface ModuleAutomations {
  /** The workspace schema (for the trace and round-robin tables). */
  schema: string;
  onCreate: CompiledAutomation[];
  onUpdate: CompiledAutomation[];
  onDelete: CompiledAutomation[];
  /** `date` and `no_activity`: one job per record, rescheduled as the record changes. */
  timed: CompiledAutomation[];
  /** `schedule` (cron): one job per tick. */
  scheduled: CompiledAutomation[];
  byName: ReadonlyMap<string, CompiledAutomation>;
}

/**
 * Compiles the active automations of each module. A module with none gets no entry, so the
 * write path pays nothing for it (one property check). The order in which automations of one
 * event run is their name's (code-point order): deterministic, and visible in the studio.
 */
export function compileAutomations(
  schema: string,
  documents: readonly MetadataDoc[],
  modules: ReadonlyMap<string, CompiledModule>,
): Map<string, ModuleAutomations> {
  const out = new Map<string, ModuleAutomations>();
  const docs = documents
    .filter((d): d is AutomationDoc => d.kind === 'automation' && d.active !== false)
    .filter((d) => modules.has(d.module))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const doc of docs) {
    let ma = out.get(doc.module);
    if (!ma) {
      ma = {
        schema,
        onCreate: [],
        onUpdate: [],
        onDelete: [],
        timed: [],
        scheduled: [],
        byName: new Map(),
      };
      out.set(doc.module, ma);
    }
    const a = compileOne(doc);
    (ma.byName as Map<string, CompiledAutomation>).set(doc.name, a);
    switch (doc.trigger.on) {
      case 'create':
        ma.onCreate.push(a);
        break;
      case 'update':
      case 'field_change':
        ma.onUpdate.push(a);
        break;
      case 'delete':
        ma.onDelete.push(a);
        break;
      case 'date':
      case 'no_activity':
        ma.timed.push(a);
        break;
      case 'schedule':
        ma.scheduled.push(a);
        break;
    }
  }
  return out;
}

/** `account.industry` → `account__.industry`: the lookup's record sits beside its id. */
export const lookupPath = (path: string): string => {
  const dot = path.indexOf('.');
  return dot < 0 ? path : `${path.slice(0, dot)}__${path.slice(dot)}`;
};

function compileOne(doc: AutomationDoc): CompiledAutomation {
  const rename = (e: JsonLogic) => renameVars(e, lookupPath);
  const lookups = new Set<string>();
  const read = (e: JsonLogic | undefined) => {
    for (const v of usedVars(e ?? null))
      if (v.includes('.')) lookups.add(v.split('.')[0] as string);
  };
  read(doc.when);
  const before: CompiledAutomation['before'] = [];
  const after: CompiledAutomation['after'] = [];
  doc.actions.forEach((action, index) => {
    switch (action.type) {
      case 'update_fields':
        Object.values(action.values).forEach(read);
        before.push({ index, action: { ...action, values: mapValues(action.values, rename) } });
        return;
      case 'assign':
        for (const r of action.rules ?? []) read(r.when);
        before.push({
          index,
          action: {
            ...action,
            ...(action.rules && {
              rules: action.rules.map((r) => ({ ...r, when: rename(r.when) })),
            }),
          },
        });
        return;
      case 'create_record':
        Object.values(action.values).forEach(read);
        after.push({ index, action: { ...action, values: mapValues(action.values, rename) } });
        return;
      case 'send_email':
        read(action.to);
        for (const text of [...Object.values(action.subject), ...Object.values(action.body)])
          for (const m of String(text).matchAll(MERGE_FIELD))
            if (m[1]?.includes('.')) lookups.add(m[1].split('.')[0] as string);
        after.push({ index, action: { ...action, to: rename(action.to) } });
        return;
      case 'webhook':
      case 'notify':
        after.push({ index, action });
        return;
    }
  });
  return {
    doc,
    key: `${doc.module}.${doc.name}`,
    when: doc.when === undefined ? undefined : rename(doc.when),
    before,
    after,
    lookups: [...lookups],
  };
}

function mapValues(
  values: Record<string, JsonLogic>,
  f: (e: JsonLogic) => JsonLogic,
): Record<string, JsonLogic> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, f(v)]));
}
