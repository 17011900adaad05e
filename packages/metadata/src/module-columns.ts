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
  /**
   * Text sorts of this column want an index on their own expression (`nullif(col, '')` in the
   * chosen collation), besides `index`. Plan keeps it only when the server has that collation.
   */
  sortIndex?: boolean;
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
  const index = columnIndex(f, module);
  if (index) column.index = index;
  if (wantsSortIndex(f, module)) column.sortIndex = true;
  if (f.type === 'lookup' && f.target)
    column.references = { module: f.target, onDelete: lookupOnDelete(f) };
  if (f.type === 'user') column.references = { users: true };
  if (f.type === 'autonumber')
    column.autonumber = { prefix: f.prefix ?? '', digits: f.digits ?? 5 };
  return column;
}

/**
 * The index a field's column gets — the one rule, for every type:
 *
 * 1. `unique: true` → a unique index (among live records), whatever else the field says;
 * 2. `indexed: false` → no index at all (inserts stay cheapest; filters and `q` scan);
 * 3. the type's default from the registry (`defaultIndex`: btree for lookups, users and
 *    picklists, GIN for multi-selects and tags, unique for autonumbers);
 * 4. `indexed: true` on a type without one → a btree (GIN for a list);
 * 5. otherwise a trigram index for fields `q` searches (when pg_trgm is there), else none.
 *
 * A formula's column is a copy of other values: it has no default index and is indexed only when
 * asked to.
 */
export function columnIndex(f: FieldDef, module: ModuleDoc): ColumnSpec['index'] {
  if (f.unique) return 'unique';
  if (f.indexed === false) return undefined;
  const typeDefault = f.type === 'formula' ? undefined : FIELD_TYPES[f.type].defaultIndex;
  if (typeDefault) return typeDefault;
  if (f.indexed === true) return valueSpec(f).valueKind === 'array' ? 'gin' : 'btree';
  return isSearchField(f, module) ? 'trgm' : undefined;
}

/**
 * Whether a text field's sorts get an index of their own: the record name (lists are sorted by
 * it most) and text fields marked `indexed: true`, never one marked `indexed: false`. Picklists
 * sort by option position, not by text, so they have none.
 */
export function wantsSortIndex(f: FieldDef, module: ModuleDoc): boolean {
  if (f.indexed === false || f.type === 'picklist') return false;
  const spec = valueSpec(f);
  if (!spec.sortable || spec.valueKind !== 'string') return false;
  return f.indexed === true || f.name === module.recordName;
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
