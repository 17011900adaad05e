import type { JsonLogic, MetadataDoc, ModuleDoc } from './documents.js';

/**
 * Follows the renames a document set declares (`"renamedFrom"` on a field): every reference to
 * the old name — a layout's or view's field lists, sorts and group-by, a blueprint's field and
 * required fields, an automation's trigger fields, record names, validation rules, and the `var`s
 * of every JSON Logic expression (`old`, or `lookup.old` from a module that links here) — is
 * rewritten to the new name. Declarative, so applying the same set twice changes nothing: a name
 * is only followed while no field of that name exists.
 *
 * Returns the documents, with the unchanged ones as the same objects.
 */
export function followRenames(docs: readonly MetadataDoc[]): MetadataDoc[] {
  const modules = new Map(
    docs.filter((d): d is ModuleDoc => d.kind === 'module').map((m) => [m.name, m]),
  );
  /** module → old name → new name */
  const renames = new Map<string, Map<string, string>>();
  for (const m of modules.values()) {
    const names = new Set(m.fields.map((f) => f.name));
    const map = new Map<string, string>();
    for (const f of m.fields) {
      if (f.renamedFrom && !names.has(f.renamedFrom)) map.set(f.renamedFrom, f.name);
    }
    if (map.size > 0) renames.set(m.name, map);
  }
  if (renames.size === 0) return [...docs];
  const identity = (name: string) => name;
  const of = (name: string): Rename => {
    const module = modules.get(name);
    return module ? renamer(module, modules, renames) : { field: identity, path: identity };
  };
  return docs.map((doc) => {
    const copy = rewrite(
      doc,
      of(doc.kind === 'module' ? doc.name : 'module' in doc ? doc.module : ''),
      of,
    );
    return JSON.stringify(copy) === JSON.stringify(doc) ? doc : copy;
  });
}

type Rename = {
  /** A field of the document's own module. */
  field(name: string): string;
  /** A `var` path: `field` or `lookup.field`. */
  path(path: string): string;
};

function renamer(
  module: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
  renames: ReadonlyMap<string, ReadonlyMap<string, string>>,
): Rename {
  const own = renames.get(module.name);
  const field = (name: string) => own?.get(name) ?? name;
  return {
    field,
    path(path) {
      const [head = '', tail, ...rest] = path.split('.');
      if (rest.length > 0) return path;
      const first = field(head);
      if (tail === undefined) return first;
      const lookup = module.fields.find((f) => f.name === first);
      const target = lookup?.type === 'lookup' && lookup.target ? lookup.target : undefined;
      const second =
        target && modules.has(target) ? (renames.get(target)?.get(tail) ?? tail) : tail;
      return `${first}.${second}`;
    },
  };
}

/** `r` renames in the document's own module; `of` in any module (profiles, conversion targets). */
function rewrite(doc: MetadataDoc, r: Rename, of: (module: string) => Rename): MetadataDoc {
  const names = (list: string[] | undefined) => list?.map(r.field);
  const logic = (e: JsonLogic | undefined) => (e === undefined ? e : renameVars(e, r.path));
  const copy = structuredClone(doc);
  switch (copy.kind) {
    case 'module':
      if (copy.recordName) copy.recordName = r.field(copy.recordName);
      for (const f of copy.fields) {
        if (f.expression !== undefined) f.expression = logic(f.expression);
      }
      for (const rule of copy.validationRules ?? []) {
        rule.when = renameVars(rule.when, r.path);
        if (rule.field) rule.field = r.field(rule.field);
      }
      return copy;
    case 'layout':
      for (const s of copy.sections) s.fields = s.fields.map(r.field);
      for (const rule of copy.rules ?? []) {
        rule.when = renameVars(rule.when, r.path);
        if (rule.show) rule.show = names(rule.show);
        if (rule.hide) rule.hide = names(rule.hide);
        if (rule.require) rule.require = names(rule.require);
      }
      return copy;
    case 'view':
      copy.columns = copy.columns.map(r.field);
      if (copy.groupBy) copy.groupBy = r.field(copy.groupBy);
      for (const s of copy.sort ?? []) s.field = r.field(s.field);
      if (copy.filter !== undefined) copy.filter = renameVars(copy.filter, r.path);
      return copy;
    case 'blueprint':
      copy.field = r.field(copy.field);
      for (const t of copy.transitions) {
        if (t.require) t.require = names(t.require);
        if (t.when !== undefined) t.when = renameVars(t.when, r.path);
      }
      return copy;
    case 'automation':
      if (copy.trigger.fields) copy.trigger.fields = names(copy.trigger.fields);
      if (copy.trigger.field) copy.trigger.field = r.field(copy.trigger.field);
      if (copy.when !== undefined) copy.when = renameVars(copy.when, r.path);
      // What actions read of the record; the fields a created record gets are another
      // module's (followed when that module is renamed… by its own documents, not here).
      for (const a of copy.actions) {
        if (a.type === 'update_fields')
          a.values = Object.fromEntries(
            Object.entries(a.values).map(([k, v]) => [r.field(k), renameVars(v, r.path)]),
          );
        else if (a.type === 'create_record')
          a.values = Object.fromEntries(
            Object.entries(a.values).map(([k, v]) => [k, renameVars(v, r.path)]),
          );
        else if (a.type === 'assign') {
          if (a.field) a.field = r.field(a.field);
          for (const rule of a.rules ?? []) rule.when = renameVars(rule.when, r.path);
        } else if (a.type === 'send_email') a.to = renameVars(a.to, r.path);
      }
      return copy;
    case 'sharing':
      for (const rule of copy.rules ?? []) rule.when = renameVars(rule.when, r.path);
      return copy;
    case 'conversion':
      for (const t of copy.targets) {
        const to = of(t.module);
        if (t.fields)
          t.fields = Object.fromEntries(
            Object.entries(t.fields).map(([k, v]) => [to.field(k), r.field(v)]),
          );
        if (t.values) t.values = renameKeys(t.values, to.field);
        if (t.links) t.links = renameKeys(t.links, to.field);
        if (t.match) t.match = to.field(t.match);
      }
      if (copy.mark.values) copy.mark.values = renameKeys(copy.mark.values, r.field);
      if (copy.mark.links) copy.mark.links = renameKeys(copy.mark.links, r.field);
      return copy;
    case 'report': {
      // Groups and measures name a field with a bucket or a function: `close_date:month`, `sum:amount`.
      const spec = (s: string) => {
        const [a = '', b] = s.split(':');
        if (b === undefined) return a === 'count' ? a : r.field(a);
        return ['sum', 'avg', 'min', 'max'].includes(a)
          ? `${a}:${r.field(b)}`
          : `${r.field(a)}:${b}`;
      };
      if (copy.groupBy) copy.groupBy = copy.groupBy.map(spec);
      if (copy.measures) copy.measures = copy.measures.map(spec);
      for (const k of ['dateField', 'field', 'amount', 'probability'] as const) {
        const v = copy[k];
        if (v !== undefined) copy[k] = r.field(v);
      }
      if (copy.filter !== undefined) copy.filter = logic(copy.filter);
      if (copy.won !== undefined) copy.won = logic(copy.won);
      if (copy.lost !== undefined) copy.lost = logic(copy.lost);
      if (copy.categories)
        copy.categories = { ...copy.categories, field: r.field(copy.categories.field) };
      return copy;
    }
    case 'profile':
      // Field access is keyed by module, then field: each follows its own module's renames.
      if (copy.fields)
        copy.fields = Object.fromEntries(
          Object.entries(copy.fields).map(([m, fields]) => [m, renameKeys(fields, of(m).field)]),
        );
      return copy;
    case 'dashboard':
    case 'role':
      return copy;
  }
}

function renameKeys<T>(record: Record<string, T>, rename: (name: string) => string) {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [rename(k), v]));
}

/** `expression` with every `var` path passed through `rename`. */
export function renameVars(expression: JsonLogic, rename: (path: string) => string): JsonLogic {
  if (Array.isArray(expression)) return expression.map((e) => renameVars(e, rename));
  if (expression === null || typeof expression !== 'object') return expression;
  return Object.fromEntries(
    Object.entries(expression).map(([op, args]) => {
      if (op !== 'var') return [op, renameVars(args, rename)];
      if (typeof args === 'string') return [op, rename(args)];
      if (Array.isArray(args) && typeof args[0] === 'string')
        return [op, [rename(args[0]), ...args.slice(1)]];
      return [op, args];
    }),
  );
}
