import { type AccessDoc, accessDocKey, isAccessDoc } from './access-documents.js';
import type { Label } from './label.js';

/** A JSON Logic expression: plain JSON, evaluated in memory or compiled to SQL. */
export type JsonLogic =
  | boolean
  | number
  | string
  | null
  | JsonLogic[]
  | { [op: string]: JsonLogic };

export type FieldTypeName =
  | 'text'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | 'lookup'
  | 'user'
  | 'autonumber'
  | 'formula'
  | 'tags';

export interface PicklistOption {
  value: string;
  label?: Label;
  color?: string;
}

/** Types a formula may return. */
export type FormulaReturnType =
  | 'text'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime';

/**
 * One field of a module. Storage properties (type, unique, indexed, precision) shape the column;
 * presentation properties (label, help, options' colours) shape the renderer. Sparse: only what
 * differs from the type's defaults is written.
 */
export interface FieldDef {
  name: string;
  /**
   * The field's previous name: applying the document renames the column (keeping its values) and
   * the references to it in the workspace's documents and history, instead of dropping one field
   * and adding another. Ignored once no field of that name is stored, so it may stay.
   */
  renamedFrom?: string;
  type: FieldTypeName;
  label?: Label;
  help?: Label;
  required?: boolean;
  unique?: boolean;
  indexed?: boolean;
  /** Text fields included in the `q` search (and given a trigram index). */
  searchable?: boolean;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  min?: number;
  max?: number;
  /** decimal, currency, percent: total digits and digits after the point. */
  precision?: number;
  scale?: number;
  /** picklist, multipicklist */
  options?: PicklistOption[];
  /** lookup: the target module and what happens to this record when the target is purged. */
  target?: string;
  onDelete?: 'set_null' | 'restrict' | 'cascade';
  /** autonumber: e.g. prefix "INV-" and 5 digits gives INV-00001. */
  prefix?: string;
  digits?: number;
  /** formula */
  returns?: FormulaReturnType;
  expression?: JsonLogic;
}

export interface ValidationRule {
  name: string;
  /** JSON Logic over the record: true means the record is invalid. */
  when: JsonLogic;
  message: Label;
  /** The field the message belongs to (error path); the record itself when absent. */
  field?: string;
}

export interface ModuleDoc {
  kind: 'module';
  name: string;
  label?: Label;
  pluralLabel?: Label;
  /** The field that names a record in lists, lookups and history. */
  recordName?: string;
  /** ISO 4217 code used for new records when the module has currency fields. */
  defaultCurrency?: string;
  fields: FieldDef[];
  validationRules?: ValidationRule[];
}

export interface LayoutSection {
  label?: Label;
  columns?: number;
  fields: string[];
}

export interface LayoutRule {
  when: JsonLogic;
  show?: string[];
  hide?: string[];
  require?: string[];
}

export interface LayoutDoc {
  kind: 'layout';
  module: string;
  name: string;
  label?: Label;
  profiles?: string[];
  sections: LayoutSection[];
  rules?: LayoutRule[];
}

export interface ViewDoc {
  kind: 'view';
  module: string;
  name: string;
  label?: Label;
  type: 'table' | 'kanban';
  groupBy?: string;
  columns: string[];
  filter?: JsonLogic;
  sort?: { field: string; dir: 'asc' | 'desc' }[];
}

export interface BlueprintTransition {
  name: string;
  label?: Label;
  from: string[];
  to: string;
  who?: { profiles?: string[]; owner?: boolean };
  when?: JsonLogic;
  require?: string[];
  after?: AutomationAction[];
}

export interface BlueprintDoc {
  kind: 'blueprint';
  module: string;
  name: string;
  field: string;
  transitions: BlueprintTransition[];
}

export interface AutomationAction {
  type: 'assign' | 'update_fields' | 'create_record' | 'send_email' | 'webhook' | 'notify';
  [key: string]: unknown;
}

export interface AutomationDoc {
  kind: 'automation';
  module: string;
  name: string;
  label?: Label;
  active?: boolean;
  trigger: {
    on: 'create' | 'update' | 'field_change' | 'delete' | 'date' | 'schedule';
    fields?: string[];
    field?: string;
    offset?: string;
    cron?: string;
  };
  when?: JsonLogic;
  actions: AutomationAction[];
}

export type MetadataDoc =
  | ModuleDoc
  | LayoutDoc
  | ViewDoc
  | BlueprintDoc
  | AutomationDoc
  | AccessDoc;
/** The documents that belong to one module and go with it. */
export type ModulePartDoc = LayoutDoc | ViewDoc | BlueprintDoc | AutomationDoc;
export type DocKind = MetadataDoc['kind'];

/**
 * The stable key of a document: reinstalling a template finds the same document by it and
 * diffs instead of duplicating.
 */
export function docKey(doc: MetadataDoc): string {
  if (doc.kind === 'module') return `module:${doc.name}`;
  if (isAccessDoc(doc)) return accessDocKey(doc);
  return `${doc.kind}:${doc.module}.${doc.name}`;
}
