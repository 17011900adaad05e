import type { FieldDef } from './documents.js';
import type { IndexKind } from './field-types.js';

/** One column the engine keeps on every record: its storage, how it reads as a field, its history. */
export interface SystemColumnDef {
  name: string;
  /** The column type plan() compares. */
  type: string;
  /** Type and constraints in `create table`. */
  ddl: string;
  /** How filters, sorts and the API see it (`id` is a lookup to its own module). */
  field: Omit<FieldDef, 'name'>;
  /** Never null in a stored record. */
  required: boolean;
  /** Part of the field-level history (bookkeeping columns are not). */
  tracked: boolean;
  index?: IndexKind;
  /** Only in modules that store money, after their fields (see hasCurrency). */
  money?: true;
}

/**
 * The system columns, written once: record tables, DDL, system fields, reserved names, history
 * and the OpenAPI document are all derived from this list.
 */
export const SYSTEM_COLUMN_DEFS = [
  {
    name: 'id',
    type: 'uuid',
    ddl: 'uuid primary key',
    field: { type: 'lookup', label: { en: 'ID', 'zh-CN': 'ID' } },
    required: true,
    tracked: false,
  },
  {
    name: 'created_at',
    // Millisecond precision: a JS Date holds the value exactly, so keyset cursors are exact.
    type: 'timestamptz(3)',
    ddl: 'timestamptz(3) not null default now()',
    field: { type: 'datetime', label: { en: 'Created at', 'zh-CN': '创建时间' } },
    required: true,
    tracked: false,
  },
  {
    name: 'updated_at',
    type: 'timestamptz(3)',
    ddl: 'timestamptz(3) not null default now()',
    field: { type: 'datetime', label: { en: 'Updated at', 'zh-CN': '修改时间' } },
    required: true,
    tracked: false,
  },
  {
    name: 'created_by',
    type: 'uuid',
    ddl: 'uuid',
    field: { type: 'user', label: { en: 'Created by', 'zh-CN': '创建人' } },
    required: false,
    tracked: false,
  },
  {
    name: 'updated_by',
    type: 'uuid',
    ddl: 'uuid',
    field: { type: 'user', label: { en: 'Updated by', 'zh-CN': '修改人' } },
    required: false,
    tracked: false,
  },
  {
    name: 'owner_id',
    type: 'uuid',
    ddl: 'uuid',
    field: { type: 'user', label: { en: 'Owner', 'zh-CN': '负责人' } },
    required: false,
    tracked: true,
    index: 'btree',
  },
  {
    name: 'version',
    type: 'integer',
    ddl: 'integer not null default 1',
    field: { type: 'integer', label: { en: 'Version', 'zh-CN': '版本' } },
    required: true,
    tracked: false,
  },
  {
    name: 'deleted_at',
    type: 'timestamptz(3)',
    ddl: 'timestamptz(3)',
    field: { type: 'datetime', label: { en: 'Deleted at', 'zh-CN': '删除时间' } },
    required: false,
    tracked: false,
  },
  {
    name: 'currency_code',
    type: 'text',
    ddl: 'text',
    field: {
      type: 'text',
      maxLength: 3,
      pattern: '^[A-Z]{3}$',
      label: { en: 'Currency', 'zh-CN': '币种' },
    },
    // Empty in records stored before the module had money.
    required: false,
    tracked: true,
    money: true,
  },
] as const satisfies readonly SystemColumnDef[];

export type SystemColumn = (typeof SYSTEM_COLUMN_DEFS)[number]['name'];

/** Names no field may take. */
export const SYSTEM_COLUMNS: readonly SystemColumn[] = SYSTEM_COLUMN_DEFS.map((c) => c.name);

/** The system columns a stored record always has a value in. */
export const REQUIRED_SYSTEM_COLUMNS: ReadonlySet<string> = new Set(
  SYSTEM_COLUMN_DEFS.filter((c) => c.required).map((c) => c.name),
);

/** The system columns history leaves out (bookkeeping). */
export const UNTRACKED_SYSTEM_COLUMNS: ReadonlySet<string> = new Set(
  SYSTEM_COLUMN_DEFS.filter((c) => !c.tracked).map((c) => c.name),
);
