import {
  FIELD_TYPES,
  type FieldDef,
  type FieldTypeSpec,
  type LayoutDoc,
  type MetadataDoc,
  type ModuleDoc,
  systemFields,
  type ViewDoc,
  valueSpec,
} from '@atrium/metadata';

/** The module document named `name`, or undefined when the user may not see it. */
export function findModule(documents: MetadataDoc[], name: string): ModuleDoc | undefined {
  return documents.find((d): d is ModuleDoc => d.kind === 'module' && d.name === name);
}

/** A layout of `module`: the named one, else the first (the template's "standard"). */
export function findLayout(
  documents: MetadataDoc[],
  module: string,
  name?: string,
): LayoutDoc | undefined {
  const layouts = documents.filter(
    (d): d is LayoutDoc => d.kind === 'layout' && d.module === module,
  );
  return (name ? layouts.find((l) => l.name === name) : undefined) ?? layouts[0];
}

/** A view of `module` by name. */
export function findView(
  documents: MetadataDoc[],
  module: string,
  name: string,
): ViewDoc | undefined {
  return documents.find(
    (d): d is ViewDoc => d.kind === 'view' && d.module === module && d.name === name,
  );
}

/** Every field of a module by name: its own fields and the system columns (owner, dates, currency). */
export function fieldMap(module: ModuleDoc): Map<string, FieldDef> {
  return new Map([...systemFields(module), ...module.fields].map((f) => [f.name, f]));
}

/** The registry entry that describes how a field's value behaves (a formula's by what it returns). */
export function specOf(field: FieldDef): FieldTypeSpec {
  return valueSpec(field);
}

const READ_ONLY_SYSTEM = new Set([
  'id',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'version',
  'deleted_at',
]);

/** True when a client may write the field (not computed, not bookkeeping). */
export function isWritable(field: FieldDef): boolean {
  return !FIELD_TYPES[field.type].computed && !READ_ONLY_SYSTEM.has(field.name);
}

/** The field that names a record: the module's `recordName`, else its first text field. */
export function recordNameField(module: ModuleDoc): string {
  return module.recordName ?? module.fields.find((f) => f.type === 'text')?.name ?? 'id';
}

/** The name a record is shown by. */
export function recordTitle(module: ModuleDoc, record: Record<string, unknown>): string {
  const value = record[recordNameField(module)];
  return value === null || value === undefined || value === ''
    ? String(record.id ?? '')
    : String(value);
}
