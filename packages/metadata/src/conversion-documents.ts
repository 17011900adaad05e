import { createAjv } from './ajv.js';
import type { ConversionDoc, FieldDef, ModuleDoc } from './documents.js';
import { valueSpec } from './field-types.js';
import { fieldValue } from './field-value.js';
import type { Problem } from './messages.js';

/**
 * The checks of a conversion document across modules, run at apply: every module and field it
 * names exists, each mapped value fits the field it lands in (a source field's type is
 * compatible with its target's, a fixed value is valid for its field), links point lookups at
 * the module they target, and the mark on the source is something a second conversion can see.
 * Paths are relative to the document (`.targets[1].fields.name`).
 */
export function conversionProblems(
  doc: ConversionDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const source = modules.get(doc.module);
  if (!source) return [{ path: '.module', message: `no module named "${doc.module}"` }];
  const sourceFields = fieldsOf(source);
  const earlier = new Set<string>();
  for (const [i, t] of doc.targets.entries()) {
    const at = `.targets[${i}]`;
    const target = modules.get(t.module);
    if (!target) {
      add(`${at}.module`, `no module named "${t.module}"`);
      continue;
    }
    if (t.module === doc.module) {
      add(`${at}.module`, 'a conversion cannot create its own module');
      continue;
    }
    if (earlier.has(t.module)) {
      add(`${at}.module`, `"${t.module}" is a target twice`);
      continue;
    }
    const fields = fieldsOf(target);
    const set = new Set<string>();
    const writable = (name: string, path: string): FieldDef | undefined => {
      const f = fields.get(name);
      if (!f) return void add(path, `unknown field "${name}" in module ${t.module}`);
      if (fieldValue(f).computed)
        return void add(path, `${t.module}.${name} computes its own value`);
      if (set.has(name)) return void add(path, `${t.module}.${name} is given more than one value`);
      set.add(name);
      return f;
    };
    for (const [to, from] of Object.entries(t.fields ?? {})) {
      const f = writable(to, `${at}.fields.${to}`);
      const s = sourceFields.get(from);
      if (!s) add(`${at}.fields.${to}`, `unknown field "${from}" in module ${doc.module}`);
      else if (f) {
        const why = incompatible(s, f);
        if (why)
          add(`${at}.fields.${to}`, `${doc.module}.${from} cannot fill ${t.module}.${to}: ${why}`);
      }
    }
    for (const [to, value] of Object.entries(t.values ?? {})) {
      const f = writable(to, `${at}.values.${to}`);
      if (f && !validValue(f, value)) add(`${at}.values.${to}`, `is not a valid ${f.type} value`);
    }
    for (const [to, linked] of Object.entries(t.links ?? {})) {
      const f = writable(to, `${at}.links.${to}`);
      if (!f) continue;
      if (f.type !== 'lookup' || f.target !== linked)
        add(`${at}.links.${to}`, `${t.module}.${to} is not a lookup to ${linked}`);
      else if (!earlier.has(linked))
        add(`${at}.links.${to}`, `"${linked}" must be a target listed before ${t.module}`);
    }
    if (t.match !== undefined) {
      const f = fields.get(t.match);
      if (!f) add(`${at}.match`, `unknown field "${t.match}" in module ${t.module}`);
      else if (f.type === 'formula' || valueSpec(f).valueKind === 'array')
        add(`${at}.match`, `cannot match records by a ${f.type} field`);
    }
    earlier.add(t.module);
  }

  const marks =
    Object.keys(doc.mark.values ?? {}).length + Object.keys(doc.mark.links ?? {}).length;
  if (marks === 0)
    add('.mark', 'mark the source (a value or a link) so that it cannot be converted twice');
  const marked = new Set<string>();
  const sourceWritable = (name: string, path: string): FieldDef | undefined => {
    const f = sourceFields.get(name);
    if (!f) return void add(path, `unknown field "${name}" in module ${doc.module}`);
    if (fieldValue(f).computed)
      return void add(path, `${doc.module}.${name} computes its own value`);
    if (marked.has(name))
      return void add(path, `${doc.module}.${name} is given more than one value`);
    marked.add(name);
    return f;
  };
  for (const [name, value] of Object.entries(doc.mark.values ?? {})) {
    const f = sourceWritable(name, `.mark.values.${name}`);
    if (f && (value === null || !validValue(f, value)))
      add(`.mark.values.${name}`, `is not a valid ${f.type} value`);
  }
  for (const [name, linked] of Object.entries(doc.mark.links ?? {})) {
    const f = sourceWritable(name, `.mark.links.${name}`);
    if (!f) continue;
    if (f.type !== 'lookup' || f.target !== linked)
      add(`.mark.links.${name}`, `${doc.module}.${name} is not a lookup to ${linked}`);
    else if (!earlier.has(linked)) add(`.mark.links.${name}`, `"${linked}" is not a target`);
  }
  return problems;
}

function fieldsOf(m: ModuleDoc): Map<string, FieldDef> {
  return new Map(m.fields.map((f) => [f.name, f]));
}

function validValue(f: FieldDef, value: unknown): boolean {
  return createAjv().compile(fieldValue(f).input)(value);
}

const TEXTS = new Set(['text', 'textarea', 'email', 'phone', 'url', 'autonumber']);
const NUMBERS = new Set(['integer', 'decimal', 'currency', 'percent']);

/** What a field's value is, for the compatibility of a mapping (a formula: what it returns). */
function valueType(f: FieldDef): string {
  return f.type === 'formula' ? (f.returns ?? 'text') : f.type;
}

/**
 * Why a value of `source` cannot be stored in `target` (undefined when it can). Text goes into
 * text, a number into a number (a whole number into an integer), a picklist into a picklist
 * offering all its options (or into text), a lookup into a lookup to the same module.
 */
function incompatible(source: FieldDef, target: FieldDef): string | undefined {
  const from = valueType(source);
  const to = target.type;
  if (to === 'text' || to === 'textarea')
    return TEXTS.has(from) || from === 'picklist' ? undefined : `${from} is not text`;
  if (to === 'email' || to === 'phone' || to === 'url')
    return from === to ? undefined : `${from} is not ${to}`;
  if (NUMBERS.has(to)) {
    if (!NUMBERS.has(from)) return `${from} is not a number`;
    return to === 'integer' && from !== 'integer' ? `${from} is not a whole number` : undefined;
  }
  if (to === 'picklist' || to === 'multipicklist') {
    if (from !== to) return `${from} is not ${to}`;
    const offered = new Set((target.options ?? []).map((o) => o.value));
    const missing = (source.options ?? []).map((o) => o.value).filter((v) => !offered.has(v));
    return missing.length > 0 ? `options ${missing.join(', ')} are not offered` : undefined;
  }
  if (to === 'tags')
    return from === 'tags' || from === 'multipicklist' ? undefined : `${from} is not tags`;
  if (to === 'lookup')
    return from === 'lookup' && source.target === target.target
      ? undefined
      : `not a lookup to ${target.target}`;
  return from === to ? undefined : `${from} is not ${to}`;
}
