import type { ValidateFunction } from 'ajv';
import { type AccessDoc, accessProblems, isAccessDoc } from './access-documents.js';
import { ajvProblems, createAjv } from './ajv.js';
import { automationProblems } from './check-automation.js';
import { conversionProblems } from './conversion-documents.js';
import { isCurrencyCode } from './currency-codes.js';
import { documentMsg } from './document-messages.js';
import { DOCUMENT_SCHEMAS } from './document-schemas.js';
import type {
  DashboardDoc,
  FieldDef,
  JsonLogic,
  MetadataDoc,
  ModuleDoc,
  ModulePartDoc,
  ReportDoc,
} from './documents.js';
import { docKey } from './documents.js';
import { FIELD_TYPES, valueSpec } from './field-types.js';
import { fieldValue } from './field-value.js';
import { nameMessage } from './identifiers.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import { usedVars } from './logic/evaluate.js';
import { listOnlyProblemAt } from './logic/list-only.js';
import type { Message, MessageParams, Problem } from './messages.js';
import { fieldResolver, systemFields } from './module-fields.js';
import { reportProblems } from './report-documents.js';
import { valueMsg } from './value-messages.js';

export interface CheckResult {
  /** The documents, typed, when there are no problems. */
  documents: MetadataDoc[];
  problems: Problem[];
}

let validators: Record<string, ValidateFunction> | undefined;
function documentValidators(): Record<string, ValidateFunction> {
  validators ??= Object.fromEntries(
    Object.entries(DOCUMENT_SCHEMAS).map(([kind, schema]) => [kind, createAjv().compile(schema)]),
  );
  return validators;
}

/**
 * Checks a whole set of metadata documents: each against its JSON Schema, then across
 * documents (lookup targets, fields named by layouts and views, picklist values, formulas).
 * Paths are `documents[i]....` so a studio can point at the very property.
 */
export function checkDocuments(input: readonly unknown[], pathPrefix = 'documents'): CheckResult {
  const shapes = checkDocumentShapes(input, pathPrefix);
  if (shapes.problems.length > 0) return shapes;
  const problems: Problem[] = [];
  const docs = shapes.documents.map((doc, i) => ({ doc, at: `${pathPrefix}[${i}]` }));

  const modules = new Map<string, ModuleDoc>();
  const seen = new Map<string, string>();
  // At most one per module of these kinds: two blueprints would fight over the records, and
  // `POST …/:id/convert` names no conversion. The module → where the first one stands.
  const onePerModule = {
    blueprint: { key: 'oneBlueprint', seen: new Map<string, string>() },
    conversion: { key: 'oneConversion', seen: new Map<string, string>() },
  } as const;
  const roles = new Set<string>();
  for (const { doc, at } of docs) {
    const key = docKey(doc);
    if (seen.has(key))
      problems.push(documentMsg.at(`${at}.name`, 'definedTwiceAt', { key, other: seen.get(key) }));
    seen.set(key, at);
    if (doc.kind === 'blueprint' || doc.kind === 'conversion') {
      const one = onePerModule[doc.kind];
      const other = one.seen.get(doc.module);
      if (other)
        problems.push(documentMsg.at(`${at}.module`, one.key, { module: doc.module, other }));
      one.seen.set(doc.module, at);
    }
    if (doc.kind === 'module') modules.set(doc.name, doc);
    if (doc.kind === 'role') roles.add(doc.name);
  }
  const access: { doc: AccessDoc; at: string }[] = [];
  const reporting: { doc: ReportDoc | DashboardDoc; at: string }[] = [];
  for (const { doc, at } of docs) {
    const check = new Checker(modules, at, problems, roles);
    if (doc.kind === 'module') check.module(doc);
    else if (isAccessDoc(doc)) access.push({ doc, at });
    else if (doc.kind === 'report' || doc.kind === 'dashboard') reporting.push({ doc, at });
    else check.dependent(doc);
  }
  problems.push(...accessProblems(access, modules));
  problems.push(...reportProblems(reporting, modules));
  return { documents: problems.length === 0 ? docs.map((d) => d.doc) : [], problems };
}

/**
 * Checks each document against its JSON Schema alone, without looking across documents: for a
 * partial set (a change request) whose references are resolved against stored documents.
 */
export function checkDocumentShapes(
  input: readonly unknown[],
  pathPrefix = 'documents',
): CheckResult {
  const problems: Problem[] = [];
  const documents: MetadataDoc[] = [];
  input.forEach((raw, i) => {
    const at = `${pathPrefix}[${i}]`;
    const kind = (raw as { kind?: unknown } | null)?.kind;
    const validate = typeof kind === 'string' ? documentValidators()[kind] : undefined;
    if (!validate) {
      problems.push(valueMsg.at(`${at}.kind`, 'oneOf', { values: Object.keys(DOCUMENT_SCHEMAS) }));
    } else if (!validate(raw)) {
      problems.push(...ajvProblems(validate.errors, at));
    } else {
      documents.push(raw as MetadataDoc);
    }
  });
  return problems.length > 0 ? { documents: [], problems } : { documents, problems };
}

class Checker {
  constructor(
    private readonly modules: ReadonlyMap<string, ModuleDoc>,
    private readonly at: string,
    private readonly problems: Problem[],
    private readonly roles: ReadonlySet<string> = new Set(),
  ) {}

  private add(path: string, message: Message): void {
    this.problems.push({ ...message, path: `${this.at}${path}` });
  }

  /** Adds the documents-catalog message `key` at `path`. */
  private say(path: string, key: Parameters<typeof documentMsg>[0], params?: MessageParams): void {
    this.add(path, documentMsg(key, params));
  }

  module(doc: ModuleDoc): void {
    const bad = nameMessage(doc.name, 'module');
    if (bad) this.add('.name', bad);
    const names = new Set<string>();
    doc.fields.forEach((f, i) => {
      const at = `.fields[${i}]`;
      const badName = nameMessage(f.name, 'field');
      if (badName) this.add(`${at}.name`, badName);
      if (names.has(f.name)) this.say(`${at}.name`, 'fieldTwice', { name: f.name });
      names.add(f.name);
      this.field(doc, f, at);
    });
    if (doc.defaultCurrency !== undefined && !isCurrencyCode(doc.defaultCurrency))
      this.add('.defaultCurrency', valueMsg('notCurrencyCode', { code: doc.defaultCurrency }));
    const renamed = new Set<string>();
    doc.fields.forEach((f, i) => {
      if (f.renamedFrom === undefined) return;
      const at = `.fields[${i}].renamedFrom`;
      if (f.renamedFrom === f.name || names.has(f.renamedFrom))
        this.say(at, 'renamedStillExists', { name: f.renamedFrom });
      if (renamed.has(f.renamedFrom)) this.say(at, 'renamedTwice', { name: f.renamedFrom });
      renamed.add(f.renamedFrom);
    });
    if (doc.recordName && !names.has(doc.recordName))
      this.say('.recordName', 'unknownField', { name: doc.recordName });
    this.formulaCycles(doc);
    const ruleNames = new Set<string>();
    (doc.validationRules ?? []).forEach((r, i) => {
      const at = `.validationRules[${i}]`;
      if (ruleNames.has(r.name)) this.say(`${at}.name`, 'ruleTwice', { name: r.name });
      ruleNames.add(r.name);
      if (r.field && !names.has(r.field))
        this.say(`${at}.field`, 'unknownField', { name: r.field });
      this.vars(doc, r.when, `${at}.when`);
    });
  }

  private field(doc: ModuleDoc, f: FieldDef, at: string): void {
    const spec = FIELD_TYPES[f.type];
    for (const prop of spec.requires) {
      if (f[prop] === undefined) this.say(`${at}.${prop}`, 'needsProperty', { type: f.type, prop });
    }
    if (f.options) {
      const values = new Set<string>();
      f.options.forEach((o, j) => {
        if (values.has(o.value))
          this.say(`${at}.options[${j}].value`, 'optionTwice', { value: o.value });
        values.add(o.value);
      });
    }
    if (f.type === 'lookup' && f.target && !this.modules.has(f.target)) {
      this.say(`${at}.target`, 'noModule', { name: f.target });
    }
    if (f.precision !== undefined && f.scale !== undefined && f.scale > f.precision) {
      this.say(`${at}.scale`, 'scaleOverPrecision');
    }
    if (f.unique && (spec.valueKind === 'array' || f.type === 'formula')) {
      this.say(`${at}.unique`, 'cannotBeUnique', { type: f.type });
    }
    if (f.type === 'formula' && f.expression !== undefined)
      this.vars(doc, f.expression, `${at}.expression`);
    if (f.default !== undefined) {
      // The default is what a create stores when nothing is sent: it obeys the field's own rules,
      // required included (a required field cannot default to null or blank).
      const value = fieldValue(f);
      if (value.computed) {
        if (f.default !== null) this.say(`${at}.default`, 'computesItself', { type: f.type });
      } else if (!createAjv().compile(value.input)(f.default)) {
        this.add(
          `${at}.default`,
          f.default === null || f.default === ''
            ? documentMsg('requiredDefaultEmpty')
            : documentMsg('notValidValue', { type: f.type }),
        );
      } else if (JSON.stringify(f.default).includes('\\u0000')) {
        this.add(`${at}.default`, valueMsg('nul'));
      }
    }
  }

  /**
   * Every `var` of an in-memory expression names a field of the module, and every operator has
   * an in-memory twin (no `entered`: one record carries no history).
   */
  private vars(doc: ModuleDoc, expression: JsonLogic, at: string): void {
    const known = new Set([...systemFields(doc), ...doc.fields].map((f) => f.name));
    for (const v of usedVars(expression)) {
      if (!known.has(v)) this.say(at, 'unknownField', { name: v });
    }
    const listOnly = listOnlyProblemAt(expression);
    if (listOnly) this.add(`${at}${listOnly.path}`, listOnly);
  }

  private formulaCycles(doc: ModuleDoc): void {
    const formulas = new Map(
      doc.fields.filter((f) => f.type === 'formula').map((f) => [f.name, f]),
    );
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, trail: string[]): void => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        // The trail may start with formulas that only lead into the cycle; report the cycle itself.
        const cycle = [...trail.slice(trail.indexOf(name)), name];
        const i = doc.fields.findIndex((f) => f.name === name);
        this.say(`.fields[${i}].expression`, 'formulaCycle', { cycle: cycle.join(' → ') });
        return;
      }
      state.set(name, 'visiting');
      for (const v of usedVars(formulas.get(name)?.expression ?? null)) {
        if (formulas.has(v)) visit(v, [...trail, name]);
      }
      state.set(name, 'done');
    };
    for (const name of formulas.keys()) visit(name, []);
  }

  dependent(doc: ModulePartDoc): void {
    const module = this.modules.get(doc.module);
    if (!module) {
      this.say('.module', 'noModule', { name: doc.module });
      return;
    }
    const fields = new Map([...systemFields(module), ...module.fields].map((f) => [f.name, f]));
    const known = (names: readonly string[] | undefined, at: string) => {
      for (const [i, n] of (names ?? []).entries()) {
        if (!fields.has(n))
          this.say(`${at}[${i}]`, 'unknownFieldIn', { name: n, module: module.name });
      }
    };
    switch (doc.kind) {
      case 'layout':
        doc.sections.forEach((s, i) => {
          known(s.fields, `.sections[${i}].fields`);
        });
        (doc.rules ?? []).forEach((r, i) => {
          known(r.show, `.rules[${i}].show`);
          known(r.hide, `.rules[${i}].hide`);
          known(r.require, `.rules[${i}].require`);
          this.vars(module, r.when, `.rules[${i}].when`);
        });
        return;
      case 'view': {
        known(doc.columns, '.columns');
        if (doc.type === 'kanban' && !doc.groupBy) this.say('.groupBy', 'kanbanGroupBy');
        const group = doc.groupBy ? fields.get(doc.groupBy) : undefined;
        if (doc.groupBy && group?.type !== 'picklist')
          this.say('.groupBy', 'notPicklist', { name: doc.groupBy });
        const resolve = fieldResolver(module, this.modules);
        (doc.sort ?? []).forEach((s, i) => {
          // A view sorts like a list: by a field, or by a lookup's field one level deep.
          const f = s.field === 'id' ? undefined : resolve(s.field)?.field;
          if (s.field !== 'id' && (!f || !valueSpec(f).sortable))
            this.say(`.sort[${i}].field`, 'cannotSortBy', { name: s.field });
        });
        if (doc.filter !== undefined) {
          try {
            compileFilter(doc.filter, resolve, { path: 'filter', history: true });
          } catch (e) {
            if (!(e instanceof FilterError)) throw e;
            this.add(`.${e.path}`, e.problem);
          }
        }
        return;
      }
      case 'blueprint': {
        const field = fields.get(doc.field);
        if (field?.type !== 'picklist') {
          this.say('.field', 'notPicklist', { name: doc.field });
          return;
        }
        const values = new Set((field.options ?? []).map((o) => o.value));
        const names = new Set<string>();
        doc.transitions.forEach((t, i) => {
          if (names.has(t.name))
            this.say(`.transitions[${i}].name`, 'transitionTwice', { name: t.name });
          names.add(t.name);
          t.from.forEach((v, j) => {
            if (!values.has(v))
              this.say(`.transitions[${i}].from[${j}]`, 'notOptionOf', {
                value: v,
                field: doc.field,
              });
          });
          if (!values.has(t.to))
            this.say(`.transitions[${i}].to`, 'notOptionOf', { value: t.to, field: doc.field });
          known(t.require, `.transitions[${i}].require`);
          if (t.when !== undefined) this.vars(module, t.when, `.transitions[${i}].when`);
          const a = t.approval;
          if (a?.by === 'role' && !a.role)
            this.say(`.transitions[${i}].approval.role`, 'approvalNeedsRole');
          if (a?.by === 'user' && !a.user)
            this.say(`.transitions[${i}].approval.user`, 'approvalNeedsUser');
          if (a?.when !== undefined) this.vars(module, a.when, `.transitions[${i}].approval.when`);
          (t.after ?? []).forEach((action, j) => {
            // After a transition the record is saved: only after-save actions make sense.
            if (action.type === 'update_fields' || action.type === 'assign')
              this.say(`.transitions[${i}].after[${j}].type`, 'notAfterTransition', {
                type: action.type,
              });
          });
        });
        return;
      }
      case 'automation':
        this.problems.push(...automationProblems(doc, module, this.modules, this.roles, this.at));
        return;
      case 'conversion':
        for (const p of conversionProblems(doc, this.modules)) this.add(p.path, p);
        return;
    }
  }
}
