import { createAjv } from './ajv.js';
import { conversionDocMsg as say } from './conversion-document-messages.js';
import { documentMsg } from './document-messages.js';
import type { ConversionDoc, FieldDef, ModuleDoc } from './documents.js';
import { valueSpec } from './field-types.js';
import { fieldValue } from './field-value.js';
import type { Message, Problem } from './messages.js';

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
  const add = (path: string, message: Message) => problems.push({ ...message, path });
  const source = modules.get(doc.module);
  if (!source) return [documentMsg.at('.module', 'noModule', { name: doc.module })];
  const sourceFields = fieldsOf(source);
  const earlier = new Set<string>();
  for (const [i, t] of doc.targets.entries()) {
    const at = `.targets[${i}]`;
    const target = modules.get(t.module);
    if (!target) {
      add(`${at}.module`, documentMsg('noModule', { name: t.module }));
      continue;
    }
    if (t.module === doc.module) {
      add(`${at}.module`, say('ownModule'));
      continue;
    }
    if (earlier.has(t.module)) {
      add(`${at}.module`, say('targetTwice', { module: t.module }));
      continue;
    }
    const fields = fieldsOf(target);
    const set = new Set<string>();
    const writable = (name: string, path: string): FieldDef | undefined => {
      const f = fields.get(name);
      if (!f) return void add(path, documentMsg('unknownFieldIn', { name, module: t.module }));
      if (fieldValue(f).computed)
        return void add(path, say('computes', { module: t.module, name }));
      if (set.has(name)) return void add(path, say('twoValues', { module: t.module, name }));
      set.add(name);
      return f;
    };
    for (const [to, from] of Object.entries(t.fields ?? {})) {
      const f = writable(to, `${at}.fields.${to}`);
      const s = sourceFields.get(from);
      if (!s)
        add(
          `${at}.fields.${to}`,
          documentMsg('unknownFieldIn', { name: from, module: doc.module }),
        );
      else if (f) {
        const why = incompatible(s, f);
        if (why)
          add(
            `${at}.fields.${to}`,
            say('cannotFill', { source: doc.module, from, target: t.module, to, why }),
          );
      }
    }
    for (const [to, value] of Object.entries(t.values ?? {})) {
      const f = writable(to, `${at}.values.${to}`);
      if (f && !validValue(f, value))
        add(`${at}.values.${to}`, documentMsg('notValidValue', { type: f.type }));
    }
    for (const [to, linked] of Object.entries(t.links ?? {})) {
      const f = writable(to, `${at}.links.${to}`);
      if (!f) continue;
      if (f.type !== 'lookup' || f.target !== linked)
        add(
          `${at}.links.${to}`,
          say('notLookupTo', { module: t.module, name: to, target: linked }),
        );
      else if (!earlier.has(linked))
        add(`${at}.links.${to}`, say('targetBefore', { linked, module: t.module }));
    }
    if (t.match !== undefined) {
      const f = fields.get(t.match);
      if (!f)
        add(`${at}.match`, documentMsg('unknownFieldIn', { name: t.match, module: t.module }));
      else if (f.type === 'formula' || valueSpec(f).valueKind === 'array')
        add(`${at}.match`, say('cannotMatch', { type: f.type }));
    }
    earlier.add(t.module);
  }

  const marks =
    Object.keys(doc.mark.values ?? {}).length + Object.keys(doc.mark.links ?? {}).length;
  if (marks === 0) add('.mark', say('markSource'));
  const marked = new Set<string>();
  const sourceWritable = (name: string, path: string): FieldDef | undefined => {
    const f = sourceFields.get(name);
    if (!f) return void add(path, documentMsg('unknownFieldIn', { name, module: doc.module }));
    if (fieldValue(f).computed)
      return void add(path, say('computes', { module: doc.module, name }));
    if (marked.has(name)) return void add(path, say('twoValues', { module: doc.module, name }));
    marked.add(name);
    return f;
  };
  for (const [name, value] of Object.entries(doc.mark.values ?? {})) {
    const f = sourceWritable(name, `.mark.values.${name}`);
    if (f && (value === null || !validValue(f, value)))
      add(`.mark.values.${name}`, documentMsg('notValidValue', { type: f.type }));
  }
  for (const [name, linked] of Object.entries(doc.mark.links ?? {})) {
    const f = sourceWritable(name, `.mark.links.${name}`);
    if (!f) continue;
    if (f.type !== 'lookup' || f.target !== linked)
      add(`.mark.links.${name}`, say('notLookupTo', { module: doc.module, name, target: linked }));
    else if (!earlier.has(linked)) add(`.mark.links.${name}`, say('notTarget', { linked }));
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
function incompatible(source: FieldDef, target: FieldDef): Message | undefined {
  const from = valueType(source);
  const to = target.type;
  if (to === 'text' || to === 'textarea')
    return TEXTS.has(from) || from === 'picklist' ? undefined : say('notText', { from });
  if (to === 'email' || to === 'phone' || to === 'url')
    return from === to ? undefined : say('notType', { from, to });
  if (NUMBERS.has(to)) {
    if (!NUMBERS.has(from)) return say('notNumber', { from });
    return to === 'integer' && from !== 'integer' ? say('notWhole', { from }) : undefined;
  }
  if (to === 'picklist' || to === 'multipicklist') {
    if (from !== to) return say('notType', { from, to });
    const offered = new Set((target.options ?? []).map((o) => o.value));
    const missing = (source.options ?? []).map((o) => o.value).filter((v) => !offered.has(v));
    return missing.length > 0 ? say('notOffered', { options: missing }) : undefined;
  }
  if (to === 'tags')
    return from === 'tags' || from === 'multipicklist' ? undefined : say('notTags', { from });
  if (to === 'lookup')
    return from === 'lookup' && source.target === target.target
      ? undefined
      : say('notLookup', { target: target.target });
  return from === to ? undefined : say('notType', { from, to });
}
