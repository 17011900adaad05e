import { automationDocMsg as say } from './automation-document-messages.js';
import { documentMsg } from './document-messages.js';
import type { AutomationAction, AutomationDoc, JsonLogic, ModuleDoc } from './documents.js';
import { fieldValue } from './field-value.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import { usedVars } from './logic/evaluate.js';
import { listOnlyProblemAt } from './logic/list-only.js';
import type { Message, Problem } from './messages.js';
import { fieldResolver } from './module-fields.js';

/** Which trigger properties each `on` takes (besides `on`). */
const TRIGGER_PROPERTIES: Record<string, readonly string[]> = {
  create: [],
  update: ['fields'],
  field_change: ['field', 'fields', 'from', 'to'],
  delete: [],
  date: ['field', 'offset', 'at'],
  schedule: ['cron'],
  no_activity: ['days'],
};

/** Actions that change the record before it is saved: nothing to change once it is deleted. */
const BEFORE_SAVE = new Set(['update_fields', 'assign']);

/** `{{account.name}}` in a mail's subject or body. */
export const MERGE_FIELD = /\{\{\s*([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)?)\s*\}\}/g;

/** A cron expression of five fields (minute hour day month weekday), as cron-parser reads it. */
const CRON = /^\s*(\S+\s+){4}\S+\s*$/;

/**
 * The cross-document checks of one automation (its shape is checked by its schema): the trigger
 * takes the properties of its `on`; the fields and lookups (one level deep) its condition and
 * values read exist; values go to writable fields; a created record's module exists; roles and
 * user fields named exist. `at` is the document's path.
 */
export function automationProblems(
  doc: AutomationDoc,
  module: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
  roles: ReadonlySet<string>,
  at: string,
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: Message) =>
    problems.push({ ...message, path: `${at}${path}` });
  const resolve = fieldResolver(module, modules);
  const own = (name: string) => {
    const ref = resolve(name);
    return ref && ref.path.length === 1 ? ref.field : undefined;
  };
  // Conditions and values are evaluated on one record in memory: no list-only operator.
  const reads = (expression: JsonLogic, path: string) => {
    for (const v of usedVars(expression)) {
      if (!resolve(v)) add(path, say('unknownVar', { name: v }));
    }
    const listOnly = listOnlyProblemAt(expression);
    if (listOnly) add(`${path}${listOnly.path}`, listOnly);
  };

  const t = doc.trigger;
  const allowed = TRIGGER_PROPERTIES[t.on] ?? [];
  for (const key of Object.keys(t)) {
    if (key !== 'on' && !allowed.includes(key))
      add(`.trigger.${key}`, say('triggerTakes', { on: t.on, key }));
  }
  (t.fields ?? []).forEach((f, i) => {
    if (!own(f))
      add(`.trigger.fields[${i}]`, documentMsg('unknownFieldIn', { name: f, module: module.name }));
  });
  if (t.field !== undefined && !own(t.field))
    add('.trigger.field', documentMsg('unknownField', { name: t.field }));
  if (t.on === 'field_change' && t.field === undefined && (t.fields ?? []).length === 0)
    add('.trigger.field', say('triggerNeeds', { on: t.on, key: 'field' }));
  if (t.on === 'date') {
    const f = t.field === undefined ? undefined : own(t.field);
    if (t.field === undefined)
      add('.trigger.field', say('triggerNeeds', { on: t.on, key: 'field' }));
    else if (f && !isDateField(f.type, f.returns))
      add('.trigger.field', say('notDateField', { name: t.field }));
  }
  if (t.on === 'schedule') {
    if (t.cron === undefined) add('.trigger.cron', say('triggerNeeds', { on: t.on, key: 'cron' }));
    else if (!CRON.test(t.cron)) add('.trigger.cron', say('cronFields'));
    // A schedule picks its records in SQL: its condition must compile to a filter (a list-only
    // operator in it is reported once, below, as for every condition).
    if (doc.when !== undefined && !listOnlyProblemAt(doc.when)) {
      try {
        compileFilter(doc.when, resolve, { path: 'when' });
      } catch (e) {
        if (!(e instanceof FilterError)) throw e;
        add(`.${e.path}`, e.problem);
      }
    }
  }
  if (t.on === 'no_activity' && t.days === undefined)
    add('.trigger.days', say('triggerNeeds', { on: t.on, key: 'days' }));
  if (doc.when !== undefined) reads(doc.when, '.when');

  doc.actions.forEach((a, i) => {
    const path = `.actions[${i}]`;
    if (t.on === 'delete' && BEFORE_SAVE.has(a.type))
      add(`${path}.type`, say('deletedRecord', { type: a.type }));
    actionProblems(a, path);
  });
  return problems;

  function actionProblems(a: AutomationAction, path: string): void {
    switch (a.type) {
      case 'update_fields':
        for (const [field, expression] of Object.entries(a.values)) {
          const f = own(field);
          if (!f || !writable(module, field))
            add(`${path}.values.${field}`, say('notSettable', { name: field }));
          reads(expression, `${path}.values.${field}`);
        }
        return;
      case 'create_record': {
        const target = modules.get(a.module);
        if (!target) {
          add(`${path}.module`, documentMsg('noModule', { name: a.module }));
          return;
        }
        for (const [field, expression] of Object.entries(a.values)) {
          if (!writable(target, field))
            add(`${path}.values.${field}`, say('notSettableIn', { name: field, module: a.module }));
          reads(expression, `${path}.values.${field}`);
        }
        return;
      }
      case 'assign': {
        const field = a.field ?? 'owner_id';
        const f = own(field);
        if (!f || (f.type !== 'user' && field !== 'owner_id'))
          add(`${path}.field`, say('notUserField', { name: field }));
        if (a.strategy === 'round_robin') {
          if (a.role === undefined) add(`${path}.role`, say('roundRobinRole'));
          else if (!roles.has(a.role)) add(`${path}.role`, documentMsg('noRole', { name: a.role }));
        } else if ((a.rules ?? []).length === 0) {
          add(`${path}.rules`, say('needsRule'));
        }
        (a.rules ?? []).forEach((r, j) => {
          reads(r.when, `${path}.rules[${j}].when`);
        });
        return;
      }
      case 'send_email':
        reads(a.to, `${path}.to`);
        for (const part of ['subject', 'body'] as const) {
          for (const [locale, text] of Object.entries(a[part])) {
            for (const m of String(text).matchAll(MERGE_FIELD)) {
              if (!resolve(m[1] as string))
                add(
                  `${path}.${part}.${locale}`,
                  say('unknownMergeField', { field: `{{${m[1]}}}` }),
                );
            }
          }
        }
        return;
      case 'notify': {
        const list = Array.isArray(a.to) ? a.to : [a.to];
        list.forEach((r, j) => {
          const at = Array.isArray(a.to) ? `${path}.to[${j}]` : `${path}.to`;
          if (typeof r === 'object' && 'field' in r) {
            const f = own(r.field);
            if (f?.type !== 'user') add(`${at}.field`, say('notUserField', { name: r.field }));
          }
          if (typeof r === 'object' && 'role' in r && !roles.has(r.role))
            add(`${at}.role`, documentMsg('noRole', { name: r.role }));
        });
        return;
      }
      case 'webhook':
        return;
    }
  }
}

function isDateField(type: string, returns: string | undefined): boolean {
  const t = type === 'formula' ? returns : type;
  return t === 'date' || t === 'datetime';
}

/** A field a write may set: a stored, non-computed field, or the owner. */
function writable(module: ModuleDoc, field: string): boolean {
  if (field === 'owner_id') return true;
  const f = module.fields.find((x) => x.name === field);
  return f !== undefined && !fieldValue(f).computed;
}
