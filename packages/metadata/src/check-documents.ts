import type { ValidateFunction } from 'ajv';
import { type AccessDoc, accessProblems, isAccessDoc } from './access-documents.js';
import { ajvProblems, createAjv, type Problem } from './ajv.js';
import { isCurrencyCode } from './currency-codes.js';
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
import { nameProblem } from './identifiers.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import { usedVars } from './logic/evaluate.js';
import { fieldResolver, systemFields } from './module-fields.js';
import { reportProblems } from './report-documents.js';

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
  // The write path enforces one blueprint per module: two would fight over the records.
  const blueprints = new Map<string, string>();
  for (const { doc, at } of docs) {
    const key = docKey(doc);
    if (seen.has(key))
      problems.push({ path: `${at}.name`, message: `${key} is also defined at ${seen.get(key)}` });
    seen.set(key, at);
    if (doc.kind === 'blueprint') {
      const other = blueprints.get(doc.module);
      if (other)
        problems.push({
          path: `${at}.module`,
          message: `${doc.module} already has the blueprint at ${other}; a module has at most one`,
        });
      blueprints.set(doc.module, at);
    }
    if (doc.kind === 'module') modules.set(doc.name, doc);
  }
  const access: { doc: AccessDoc; at: string }[] = [];
  const reporting: { doc: ReportDoc | DashboardDoc; at: string }[] = [];
  for (const { doc, at } of docs) {
    const check = new Checker(modules, at, problems);
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
      problems.push({
        path: `${at}.kind`,
        message: `must be one of ${Object.keys(DOCUMENT_SCHEMAS).join(', ')}`,
      });
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
  ) {}

  private add(path: string, message: string): void {
    this.problems.push({ path: `${this.at}${path}`, message });
  }

  module(doc: ModuleDoc): void {
    const bad = nameProblem(doc.name, 'module');
    if (bad) this.add('.name', bad);
    const names = new Set<string>();
    doc.fields.forEach((f, i) => {
      const at = `.fields[${i}]`;
      const badName = nameProblem(f.name, 'field');
      if (badName) this.add(`${at}.name`, badName);
      if (names.has(f.name)) this.add(`${at}.name`, `field "${f.name}" is defined twice`);
      names.add(f.name);
      this.field(doc, f, at);
    });
    if (doc.defaultCurrency !== undefined && !isCurrencyCode(doc.defaultCurrency))
      this.add('.defaultCurrency', `"${doc.defaultCurrency}" is not an active ISO 4217 code`);
    const renamed = new Set<string>();
    doc.fields.forEach((f, i) => {
      if (f.renamedFrom === undefined) return;
      const at = `.fields[${i}].renamedFrom`;
      if (f.renamedFrom === f.name || names.has(f.renamedFrom))
        this.add(at, `field "${f.renamedFrom}" still exists; a rename gives up the old name`);
      if (renamed.has(f.renamedFrom))
        this.add(at, `another field is also renamed from "${f.renamedFrom}"`);
      renamed.add(f.renamedFrom);
    });
    if (doc.recordName && !names.has(doc.recordName))
      this.add('.recordName', `unknown field "${doc.recordName}"`);
    this.formulaCycles(doc);
    const ruleNames = new Set<string>();
    (doc.validationRules ?? []).forEach((r, i) => {
      const at = `.validationRules[${i}]`;
      if (ruleNames.has(r.name)) this.add(`${at}.name`, `rule "${r.name}" is defined twice`);
      ruleNames.add(r.name);
      if (r.field && !names.has(r.field)) this.add(`${at}.field`, `unknown field "${r.field}"`);
      this.vars(doc, r.when, `${at}.when`);
    });
  }

  private field(doc: ModuleDoc, f: FieldDef, at: string): void {
    const spec = FIELD_TYPES[f.type];
    for (const prop of spec.requires) {
      if (f[prop] === undefined) this.add(`${at}.${prop}`, `a ${f.type} field needs "${prop}"`);
    }
    if (f.options) {
      const values = new Set<string>();
      f.options.forEach((o, j) => {
        if (values.has(o.value))
          this.add(`${at}.options[${j}].value`, `option "${o.value}" is listed twice`);
        values.add(o.value);
      });
    }
    if (f.type === 'lookup' && f.target && !this.modules.has(f.target)) {
      this.add(`${at}.target`, `no module named "${f.target}"`);
    }
    if (f.precision !== undefined && f.scale !== undefined && f.scale > f.precision) {
      this.add(`${at}.scale`, 'scale cannot exceed precision');
    }
    if (f.unique && (spec.valueKind === 'array' || f.type === 'formula')) {
      this.add(`${at}.unique`, `a ${f.type} field cannot be unique`);
    }
    if (f.type === 'formula' && f.expression !== undefined)
      this.vars(doc, f.expression, `${at}.expression`);
    if (f.default !== undefined) {
      // The default is what a create stores when nothing is sent: it obeys the field's own rules,
      // required included (a required field cannot default to null or blank).
      const value = fieldValue(f);
      if (value.computed) {
        if (f.default !== null)
          this.add(`${at}.default`, `a ${f.type} field computes its own value`);
      } else if (!createAjv().compile(value.input)(f.default)) {
        this.add(
          `${at}.default`,
          f.default === null || f.default === ''
            ? 'a required field cannot default to empty'
            : `is not a valid ${f.type} value`,
        );
      } else if (JSON.stringify(f.default).includes('\\u0000')) {
        this.add(`${at}.default`, 'must not contain NUL characters');
      }
    }
  }

  /** Every `var` of an in-memory expression names a field of the module. */
  private vars(doc: ModuleDoc, expression: JsonLogic, at: string): void {
    const known = new Set([...systemFields(doc), ...doc.fields].map((f) => f.name));
    for (const v of usedVars(expression)) {
      if (!known.has(v)) this.add(at, `unknown field "${v}"`);
    }
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
        this.add(
          `.fields[${i}].expression`,
          `formulas refer to each other in a cycle: ${cycle.join(' → ')}`,
        );
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
      this.add('.module', `no module named "${doc.module}"`);
      return;
    }
    const fields = new Map([...systemFields(module), ...module.fields].map((f) => [f.name, f]));
    const known = (names: readonly string[] | undefined, at: string) => {
      for (const [i, n] of (names ?? []).entries()) {
        if (!fields.has(n))
          this.add(`${at}[${i}]`, `unknown field "${n}" in module ${module.name}`);
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
        if (doc.type === 'kanban' && !doc.groupBy)
          this.add('.groupBy', 'a kanban view needs groupBy');
        const group = doc.groupBy ? fields.get(doc.groupBy) : undefined;
        if (doc.groupBy && group?.type !== 'picklist')
          this.add('.groupBy', `"${doc.groupBy}" is not a picklist field`);
        const resolve = fieldResolver(module, this.modules);
        (doc.sort ?? []).forEach((s, i) => {
          // A view sorts like a list: by a field, or by a lookup's field one level deep.
          const f = s.field === 'id' ? undefined : resolve(s.field)?.field;
          if (s.field !== 'id' && (!f || !valueSpec(f).sortable))
            this.add(`.sort[${i}].field`, `cannot sort by "${s.field}"`);
        });
        if (doc.filter !== undefined) {
          try {
            compileFilter(doc.filter, resolve, { path: 'filter' });
          } catch (e) {
            if (!(e instanceof FilterError)) throw e;
            this.add(`.${e.path}`, e.message);
          }
        }
        return;
      }
      case 'blueprint': {
        const field = fields.get(doc.field);
        if (field?.type !== 'picklist') {
          this.add('.field', `"${doc.field}" is not a picklist field`);
          return;
        }
        const values = new Set((field.options ?? []).map((o) => o.value));
        const names = new Set<string>();
        doc.transitions.forEach((t, i) => {
          if (names.has(t.name))
            this.add(`.transitions[${i}].name`, `"${t.name}" names another transition too`);
          names.add(t.name);
          t.from.forEach((v, j) => {
            if (!values.has(v))
              this.add(`.transitions[${i}].from[${j}]`, `"${v}" is not an option of ${doc.field}`);
          });
          if (!values.has(t.to))
            this.add(`.transitions[${i}].to`, `"${t.to}" is not an option of ${doc.field}`);
          known(t.require, `.transitions[${i}].require`);
          if (t.when !== undefined) this.vars(module, t.when, `.transitions[${i}].when`);
        });
        return;
      }
      case 'automation':
        known(doc.trigger.fields, '.trigger.fields');
        if (doc.trigger.field && !fields.has(doc.trigger.field))
          this.add('.trigger.field', `unknown field "${doc.trigger.field}"`);
        if (doc.when !== undefined) this.vars(module, doc.when, '.when');
        return;
    }
  }
}
