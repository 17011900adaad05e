import type { FieldDef, ModuleDoc } from './documents.js';
import { SYSTEM_COLUMN_DEFS } from './system-columns.js';

/** True when the module stores money and so carries a record currency (`currency_code`). */
export function hasCurrency(module: ModuleDoc): boolean {
  return module.fields.some(
    (f) => f.type === 'currency' || (f.type === 'formula' && f.returns === 'currency'),
  );
}

/** What a lookup does when its target leaves: the purge's foreign key and the recycle bin alike. */
export type OnDelete = 'set_null' | 'restrict' | 'cascade';

/**
 * A lookup's `onDelete`, with the one default: a required link is not emptied behind the user's
 * back (`restrict`); an optional one is cleared (`set_null`).
 */
export function lookupOnDelete(f: FieldDef): OnDelete {
  return f.onDelete ?? (f.required ? 'restrict' : 'set_null');
}

/**
 * The lookups of every module that point at `target` (a module may point at itself): who must
 * be asked when one of its records goes to the recycle bin.
 */
export function referringLookups(
  target: string,
  modules: Iterable<ModuleDoc>,
): { module: ModuleDoc; field: FieldDef; onDelete: OnDelete }[] {
  const out: { module: ModuleDoc; field: FieldDef; onDelete: OnDelete }[] = [];
  for (const module of modules) {
    for (const field of module.fields) {
      if (field.type === 'lookup' && field.target === target)
        out.push({ module, field, onDelete: lookupOnDelete(field) });
    }
  }
  return out;
}

/**
 * The system columns of a module, described as fields so filters, sorts and the OpenAPI
 * document treat them like any other (they are read-only to clients).
 */
export function systemFields(module: ModuleDoc): FieldDef[] {
  const money = hasCurrency(module);
  return SYSTEM_COLUMN_DEFS.filter((c) => money || !('money' in c)).map((c) => ({
    name: c.name,
    ...c.field,
    ...(c.name === 'id' && { target: module.name }),
  })) as FieldDef[];
}

/** A field a filter, sort or expression refers to: `amount`, or `account.industry` one lookup deep. */
export interface FieldRef {
  /** [column] or [lookup column, column of the target]. */
  path: [string] | [string, string];
  field: FieldDef;
  /** The target module when the path goes through a lookup. */
  via?: { lookup: FieldDef; target: ModuleDoc };
}

export type FieldResolver = (path: string) => FieldRef | undefined;

/** Resolves `var` paths of `module` against its fields, system columns and lookup targets. */
export function fieldResolver(
  module: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
): FieldResolver {
  const own = new Map([...systemFields(module), ...module.fields].map((f) => [f.name, f]));
  return (path) => {
    const [head, tail, ...rest] = path.split('.');
    const field = own.get(head ?? '');
    if (!field || rest.length > 0) return undefined;
    if (tail === undefined) return { path: [field.name], field };
    if (field.type !== 'lookup' || !field.target || field.name === 'id') return undefined;
    const target = modules.get(field.target);
    if (!target) return undefined;
    const targetField = [...systemFields(target), ...target.fields].find((f) => f.name === tail);
    if (!targetField) return undefined;
    return {
      path: [field.name, targetField.name],
      field: targetField,
      via: { lookup: field, target },
    };
  };
}
