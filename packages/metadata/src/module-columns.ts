import type { FieldDef, ModuleDoc } from './documents.js';
import { FIELD_TYPES, type IndexKind, valueSpec } from './field-types.js';
import { fieldValue } from './field-value.js';
import { hasCurrency, lookupOnDelete } from './module-fields.js';
import { SYSTEM_COLUMN_DEFS } from './system-columns.js';

/**
 * What a module needs in Postgres, derived from its document alone. plan() diffs two of these,
 * so every storage rule (column type, index, foreign key) is decided here, once.
 */
export interface ColumnSpec {
  name: string;
  type: string;
  /** Set for field columns; system columns have none. */
  field?: FieldDef;
  index?: IndexKind | 'trgm';
  references?: { module: string; onDelete: 'set_null' | 'restrict' | 'cascade' } | { users: true };
  /** autonumber: filled from a sequence. */
  autonumber?: { prefix: string; digits: number };
}

/** Columns every record table has, in order (`currency_code` is with the field columns). */
export const SYSTEM_COLUMN_SPECS: readonly ColumnSpec[] = SYSTEM_COLUMN_DEFS.filter(
  (c) => !('money' in c),
).map((c) => ({ name: c.name, type: c.type, ...('index' in c && { index: c.index }) }));

/** The field columns of a module (plus `currency_code` when it stores money). */
export function fieldColumns(module: ModuleDoc): ColumnSpec[] {
  const columns: ColumnSpec[] = module.fields.map((f) => fieldColumn(f, module));
  if (hasCurrency(module)) {
    for (const c of SYSTEM_COLUMN_DEFS)
      if ('money' in c) columns.push({ name: c.name, type: c.type });
  }
  return columns;
}

function fieldColumn(f: FieldDef, module: ModuleDoc): ColumnSpec {
  const column: ColumnSpec = { name: f.name, type: fieldValue(f).column, field: f };
  const index: ColumnSpec['index'] = f.unique
    ? 'unique'
    : f.type === 'formula'
      ? f.indexed
        ? 'btree'
        : undefined
      : (FIELD_TYPES[f.type].defaultIndex ?? (f.indexed ? 'btree' : undefined));
  const searchable = isSearchField(f, module);
  if (index) column.index = index;
  else if (searchable) column.index = 'trgm';
  if (f.type === 'lookup' && f.target)
    column.references = { module: f.target, onDelete: lookupOnDelete(f) };
  if (f.type === 'user') column.references = { users: true };
  if (f.type === 'autonumber')
    column.autonumber = { prefix: f.prefix ?? '', digits: f.digits ?? 5 };
  return column;
}

/** Fields included in the `q` search of a module. */
export function searchFields(module: ModuleDoc): FieldDef[] {
  return module.fields.filter((f) => isSearchField(f, module));
}

/** Searched by `q` (and trigram-indexed): the record name, e-mails and phones, or as the field says. */
function isSearchField(f: FieldDef, module: ModuleDoc): boolean {
  if (f.type === 'formula' || !valueSpec(f).searchable) return false;
  return f.searchable ?? (f.name === module.recordName || f.type === 'email' || f.type === 'phone');
}
