import type { FieldDef, ModuleDoc } from './documents.js';
import { FIELD_TYPES, type IndexKind, valueSpec } from './field-types.js';
import { hasCurrency } from './module-fields.js';

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

/** Columns every record table has, in order. */
export const SYSTEM_COLUMN_SPECS: readonly ColumnSpec[] = [
  { name: 'id', type: 'uuid' },
  { name: 'created_at', type: 'timestamptz(3)' },
  { name: 'updated_at', type: 'timestamptz(3)' },
  { name: 'created_by', type: 'uuid' },
  { name: 'updated_by', type: 'uuid' },
  { name: 'owner_id', type: 'uuid', index: 'btree' },
  { name: 'version', type: 'integer' },
  { name: 'deleted_at', type: 'timestamptz(3)' },
];

/** The field columns of a module (plus `currency_code` when it stores money). */
export function fieldColumns(module: ModuleDoc): ColumnSpec[] {
  const columns: ColumnSpec[] = module.fields.map((f) => fieldColumn(f, module));
  if (hasCurrency(module)) columns.push({ name: 'currency_code', type: 'text' });
  return columns;
}

function fieldColumn(f: FieldDef, module: ModuleDoc): ColumnSpec {
  const spec = valueSpec(f);
  const column: ColumnSpec = { name: f.name, type: spec.columnType(f), field: f };
  const index = columnIndex(f, module);
  if (index) column.index = index;
  // A required link is not emptied behind the user's back when its target is purged.
  const onDelete = f.onDelete ?? (f.required ? 'restrict' : 'set_null');
  if (f.type === 'lookup' && f.target) column.references = { module: f.target, onDelete };
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

/** Fields included in the `q` search of a module. */
export function searchFields(module: ModuleDoc): FieldDef[] {
  return module.fields.filter((f) => isSearchField(f, module));
}

/** Searched by `q` (and trigram-indexed): the record name, e-mails and phones, or as the field says. */
function isSearchField(f: FieldDef, module: ModuleDoc): boolean {
  if (f.type === 'formula' || !valueSpec(f).searchable) return false;
  return f.searchable ?? (f.name === module.recordName || f.type === 'email' || f.type === 'phone');
}
