import { type Static, type TSchema, type TUnsafe, Type } from '@sinclair/typebox';
import type { JsonSchema } from './json-schema.js';
import { type Label, LOCALES } from './label.js';

/**
 * The shape of every metadata document, written ONCE: each schema below is the JSON Schema the
 * documents are validated with (check-documents.ts) and, through `Static`, the TypeScript type
 * the code reads them as (documents.ts). Cross-document checks live in check-documents.ts.
 *
 * Adding a kind of document: write its schema here with `kind: kind('<name>')` and list it in
 * DOCUMENT_SCHEMAS at the end; `MetadataDoc`, `DocKind` and the checks follow.
 */

/** A string among `values` (`enum`, so Ajv's error names the allowed values), typed as their union. */
const oneOf = <const T extends readonly string[]>(values: T): TUnsafe<T[number]> =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });
/** The `kind` of a document: exactly this string. */
const kind = <const T extends string>(value: T): TUnsafe<T> => Type.Unsafe<T>({ const: value });
const optional = Type.Optional;
/** An object with exactly these properties (anything else is refused). */
const closed = <T extends Record<string, TSchema>>(
  properties: T,
  options: Record<string, unknown> = {},
) => Type.Object(properties, { additionalProperties: false, ...options });

/** The field types, in the order of the registry (FIELD_TYPES has an entry for each). */
export const FIELD_TYPE_NAMES = [
  'text',
  'textarea',
  'email',
  'phone',
  'url',
  'integer',
  'decimal',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
  'picklist',
  'multipicklist',
  'lookup',
  'user',
  'autonumber',
  'formula',
  'tags',
] as const;

/** The icons the app's navigation can show for a module (one small icon set, drawn by the app). */
export const MODULE_ICONS = [
  'lead',
  'account',
  'contact',
  'deal',
  'contract',
  'payment',
  'task',
  'case',
  'product',
  'quote',
  'order',
  'invoice',
  'campaign',
  'calendar',
  'document',
  'folder',
] as const;

/** The types a formula may return. */
export const FORMULA_RETURN_TYPES = [
  'text',
  'integer',
  'decimal',
  'currency',
  'percent',
  'boolean',
  'date',
  'datetime',
] as const;

/** A JSON Logic expression: plain JSON, evaluated in memory or compiled to SQL. */
export type JsonLogic =
  | boolean
  | number
  | string
  | null
  | JsonLogic[]
  | { [op: string]: JsonLogic };

const label = Type.Unsafe<Label>({
  type: 'object',
  properties: Object.fromEntries(
    LOCALES.map((l) => [l, { type: 'string', minLength: 1, maxLength: 500 }]),
  ),
  additionalProperties: false,
  minProperties: 1,
});
const name = Type.String({ minLength: 1, maxLength: 63 });
/** Any JSON within bounds (see createAjv): JSON Logic is checked by compiling it, not by shape. */
const logic = Type.Unsafe<JsonLogic>({ jsonLogic: true });
const names = Type.Array(name, { uniqueItems: true });

const picklistOption = closed({
  value: Type.String({ minLength: 1, maxLength: 100 }),
  label: optional(label),
  color: optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
});

/**
 * One field of a module. Storage properties (type, unique, indexed, precision) shape the column;
 * presentation properties (label, help, options' colours) shape the renderer. Sparse: only what
 * differs from the type's defaults is written.
 */
const field = closed({
  name,
  // The field's previous name: applying the document renames the column (keeping its values)
  // and the references to it in the workspace's documents and history, instead of dropping one
  // field and adding another. Ignored once no field of that name is stored, so it may stay.
  renamedFrom: optional(name),
  type: oneOf(FIELD_TYPE_NAMES),
  label: optional(label),
  help: optional(label),
  required: optional(Type.Boolean()),
  unique: optional(Type.Boolean()),
  indexed: optional(Type.Boolean()),
  // Text fields included in the `q` search (and given a trigram index).
  searchable: optional(Type.Boolean()),
  default: optional(Type.Unknown()),
  minLength: optional(Type.Integer({ minimum: 0 })),
  maxLength: optional(Type.Integer({ minimum: 1, maximum: 1000000 })),
  pattern: optional(Type.String({ format: 'regex' })),
  min: optional(Type.Number()),
  max: optional(Type.Number()),
  // decimal, currency, percent: total digits and digits after the point.
  precision: optional(Type.Integer({ minimum: 1, maximum: 38 })),
  scale: optional(Type.Integer({ minimum: 0, maximum: 18 })),
  // picklist, multipicklist
  options: optional(Type.Array(picklistOption, { minItems: 1, maxItems: 1000 })),
  // lookup: the target module and what happens to this record when the target is purged.
  target: optional(name),
  onDelete: optional(oneOf(['set_null', 'restrict', 'cascade'])),
  // autonumber: e.g. prefix "INV-" and 5 digits gives INV-00001.
  prefix: optional(Type.String({ maxLength: 20 })),
  digits: optional(Type.Integer({ minimum: 1, maximum: 18 })),
  // formula
  returns: optional(oneOf(FORMULA_RETURN_TYPES)),
  expression: optional(logic),
});

const validationRule = closed({
  name,
  // JSON Logic over the record: true means the record is invalid.
  when: logic,
  message: label,
  // The field the message belongs to (error path); the record itself when absent.
  field: optional(name),
});

export const MODULE_SCHEMA = closed({
  kind: kind('module'),
  name,
  label: optional(label),
  pluralLabel: optional(label),
  // The field that names a record in lists, lookups and history.
  recordName: optional(name),
  // ISO 4217 code used for new records when the module has currency fields.
  defaultCurrency: optional(Type.String({ pattern: '^[A-Z]{3}$' })),
  // Where the app's navigation lists the module (ascending; modules without one follow, by label).
  navOrder: optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  // The module's icon in the navigation; the app draws a letter when there is none.
  icon: optional(oneOf(MODULE_ICONS)),
  fields: Type.Array(field, { maxItems: 500 }),
  validationRules: optional(Type.Array(validationRule)),
});

const layoutSection = closed({
  label: optional(label),
  columns: optional(Type.Integer({ minimum: 1, maximum: 4 })),
  fields: names,
});

const layoutRule = closed({
  when: logic,
  show: optional(names),
  hide: optional(names),
  require: optional(names),
});

export const LAYOUT_SCHEMA = closed({
  kind: kind('layout'),
  module: name,
  name,
  label: optional(label),
  profiles: optional(Type.Array(Type.String())),
  sections: Type.Array(layoutSection),
  rules: optional(Type.Array(layoutRule)),
});

export const VIEW_SCHEMA = closed({
  kind: kind('view'),
  module: name,
  name,
  label: optional(label),
  type: oneOf(['table', 'kanban']),
  groupBy: optional(name),
  columns: names,
  filter: optional(logic),
  sort: optional(Type.Array(closed({ field: Type.String(), dir: oneOf(['asc', 'desc']) }))),
});

/** A name an access document gives (a role or a profile): the identifier rule of modules. */
const identifier = Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' });

/**
 * Who a notification goes to: the record's `owner`, the owner's `manager` (the active users of
 * the role above the owner's), its `creator`, the users a user field names (`{"field": …}`), the
 * active users of a role (`{"role": …}`) or one user by e-mail or id (`{"user": …}`).
 */
const recipient = Type.Union([
  oneOf(['owner', 'manager', 'creator']),
  closed({ field: name }),
  closed({ role: identifier }),
  closed({ user: Type.String({ minLength: 1, maxLength: 320 }) }),
]);
/** Field → JSON Logic computing its value on the record (and its lookups, one level deep). */
const fieldValues = Type.Record(Type.String({ minLength: 1, maxLength: 63 }), logic, {
  maxProperties: 500,
});

/** The record's fields get values computed by JSON Logic, before the record is saved. */
const updateFieldsAction = closed({ type: kind('update_fields'), values: fieldValues });
/** A record of another (or the same) module, created through the write path after the save. */
const createRecordAction = closed({
  type: kind('create_record'),
  module: name,
  values: fieldValues,
});
/**
 * Sets the owner (or another user field) before the save: `round_robin` over the active users
 * of `role`, or the first of `rules` whose `when` holds (`user`: e-mail or id), else `fallback`.
 */
const assignAction = closed({
  type: kind('assign'),
  strategy: oneOf(['round_robin', 'rules']),
  field: optional(name),
  role: optional(identifier),
  rules: optional(
    Type.Array(closed({ when: logic, user: Type.String({ minLength: 1, maxLength: 320 }) }), {
      maxItems: 200,
    }),
  ),
  fallback: optional(Type.String({ minLength: 1, maxLength: 320 })),
});
/** A mail after commit: `to` is an address, a list, or JSON Logic giving them; `{{field}}` merges. */
const sendEmailAction = closed({
  type: kind('send_email'),
  to: logic,
  subject: label,
  body: label,
});
/** A signed POST of the event after commit. */
const webhookAction = closed({
  type: kind('webhook'),
  url: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
});
/** An in-app notification after commit. */
const notifyAction = closed({
  type: kind('notify'),
  to: Type.Union([recipient, Type.Array(recipient, { minItems: 1, maxItems: 20 })]),
  title: optional(label),
  body: optional(label),
});

/** The types of action, each with its own closed schema. */
export const ACTION_TYPES = [
  'update_fields',
  'create_record',
  'assign',
  'send_email',
  'webhook',
  'notify',
] as const;
const ACTION_SCHEMAS = {
  update_fields: updateFieldsAction,
  create_record: createRecordAction,
  assign: assignAction,
  send_email: sendEmailAction,
  webhook: webhookAction,
  notify: notifyAction,
} as const;

/**
 * An automation (or transition) step: `type` chooses the closed schema the rest must meet.
 * Written as `if type is … then …` so a refusal names the very property, not every schema of a
 * union.
 */
const action = Type.Unsafe<Static<(typeof ACTION_SCHEMAS)[keyof typeof ACTION_SCHEMAS]>>({
  type: 'object',
  required: ['type'],
  properties: { type: { type: 'string', enum: [...ACTION_TYPES] } },
  allOf: ACTION_TYPES.map((t) => ({
    if: { type: 'object', properties: { type: { const: t } }, required: ['type'] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's own keyword, not a thenable.
    then: ACTION_SCHEMAS[t],
  })),
});

/**
 * Who must approve a transition before it runs: the record owner's manager (the users of the
 * nearest role above the owner's that has any), everyone of a named role (any one of them
 * decides), or one named user (by e-mail); only `when` the condition (JSON Logic on the record
 * with the values sent) holds, else always.
 */
const approvalRule = closed({
  by: oneOf(['manager', 'role', 'user']),
  role: optional(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' })),
  user: optional(Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' })),
  when: optional(logic),
});

const blueprintTransition = closed({
  name,
  label: optional(label),
  from: Type.Array(Type.String(), { minItems: 1 }),
  to: Type.String(),
  /** Who may run it (any one suffices); administrators always may; absent: whoever may update. */
  who: optional(
    closed({
      profiles: optional(Type.Array(Type.String())),
      roles: optional(Type.Array(Type.String())),
      owner: optional(Type.Boolean()),
    }),
  ),
  when: optional(logic),
  require: optional(names),
  after: optional(Type.Array(action)),
  /** The transition waits for someone's approval (see approvalRule) before the stage moves. */
  approval: optional(approvalRule),
});

export const BLUEPRINT_SCHEMA = closed({
  kind: kind('blueprint'),
  module: name,
  name,
  field: name,
  transitions: Type.Array(blueprintTransition),
});

/** The events an automation starts on. */
export const TRIGGER_TYPES = [
  'create',
  'update',
  'field_change',
  'delete',
  'date',
  'schedule',
  'no_activity',
] as const;

/**
 * When an automation runs. Which properties each `on` takes is checked across documents
 * (check-documents.ts): `update`: `fields` (any of them changed; none: any change);
 * `field_change`: `field` with optional `from` / `to` (a value or a list of values);
 * `date`: `field` (a date or datetime), `offset` (`-30d`, `+2h`; m, h, d, w) and `at` (`09:00`,
 * the time of day in the workspace's time zone); `schedule`: `cron` (five fields, workspace time
 * zone); `no_activity`: `days` without any change to the record.
 */
const trigger = closed({
  on: oneOf(TRIGGER_TYPES),
  fields: optional(names),
  field: optional(name),
  from: optional(Type.Unknown()),
  to: optional(Type.Unknown()),
  offset: optional(Type.String({ pattern: '^[+-]?\\d{1,5}[mhdw]$' })),
  at: optional(Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' })),
  cron: optional(Type.String({ minLength: 9, maxLength: 200 })),
  days: optional(Type.Integer({ minimum: 1, maximum: 3650 })),
});

export const AUTOMATION_SCHEMA = closed({
  kind: kind('automation'),
  module: name,
  name,
  label: optional(label),
  active: optional(Type.Boolean()),
  trigger,
  /** JSON Logic on the record and its lookups one level deep (`account.industry`). */
  when: optional(logic),
  actions: Type.Array(action, { minItems: 1, maxItems: 50 }),
});

/** The record operations a profile allows per module. */
export const RECORD_OPERATIONS = [
  'create',
  'read',
  'update',
  'delete',
  'import',
  'export',
] as const;

/** A position in the role tree: a user sees the records of the roles below theirs. */
export const ROLE_SCHEMA = closed({
  kind: kind('role'),
  name: identifier,
  label: optional(label),
  /** The role above this one; absent at the top. */
  parent: optional(identifier),
});

const modulePermissions = closed({
  create: Type.Boolean(),
  read: Type.Boolean(),
  update: Type.Boolean(),
  delete: Type.Boolean(),
  import: Type.Boolean(),
  export: Type.Boolean(),
});

/** A field a profile may not change (`read`) or not even see (`hidden`); default editable. */
const fieldAccess = oneOf(['hidden', 'read']);

/** What a user may do per module (a module not listed allows nothing) and per field. */
export const PROFILE_SCHEMA = closed({
  kind: kind('profile'),
  name: identifier,
  label: optional(label),
  modules: Type.Record(Type.String(), modulePermissions, { maxProperties: 1000 }),
  fields: optional(
    Type.Record(Type.String(), Type.Record(Type.String(), fieldAccess, { maxProperties: 500 }), {
      maxProperties: 1000,
    }),
  ),
});

const sharingRule = closed({
  name: identifier,
  /** JSON Logic on the record; compiled to SQL, so it filters as a list filter does. */
  when: logic,
  to: closed({ role: identifier, subordinates: optional(Type.Boolean()) }),
  access: oneOf(['read', 'read_write']),
});

/** A module's org-wide default and the rules that open records to a role (one per module). */
export const SHARING_SCHEMA = closed({
  kind: kind('sharing'),
  module: identifier,
  default: oneOf(['private', 'read', 'read_write']),
  rules: optional(Type.Array(sharingRule, { maxItems: 100 })),
});

/** One module a conversion creates a record in (each module at most once per conversion). */
const conversionTarget = closed({
  module: name,
  /** Target field → the source field whose value it takes. */
  fields: optional(Type.Record(Type.String(), name, { maxProperties: 500 })),
  /** Target field → a fixed value (checked against the field at apply). */
  values: optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 500 })),
  /** Target lookup field → an earlier target whose record (created or matched) it points at. */
  links: optional(Type.Record(Type.String(), name, { maxProperties: 100 })),
  /**
   * A target field: an existing record the caller may read with the same value (ignoring case
   * for text) is used instead of creating a duplicate.
   */
  match: optional(name),
});

/**
 * How a record of `module` becomes records of other modules in one transaction (a lead becomes
 * an account, a contact and a deal), and how the source is marked so it is converted once.
 */
export const CONVERSION_SCHEMA = closed({
  kind: kind('conversion'),
  module: name,
  name,
  label: optional(label),
  targets: Type.Array(conversionTarget, { minItems: 1, maxItems: 20 }),
  /** What the source gets: fixed values (`status: converted`) and lookups to what it became. */
  mark: closed({
    values: optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 100 })),
    /** Source lookup field → the target module whose record it points at. */
    links: optional(Type.Record(Type.String(), name, { maxProperties: 20 })),
  }),
});

/** How a report or a dashboard widget is drawn. */
export const CHART_TYPES = ['kpi', 'bar', 'line', 'donut', 'funnel', 'table'] as const;
/** A forecast's categories, from surest to least sure (docs/reports.md). */
export const FORECAST_CATEGORIES = ['closed', 'commit', 'best_case', 'pipeline'] as const;
const token = Type.String({ minLength: 1, maxLength: 100 });

/**
 * A report over one module (docs/reports.md): `summary` (groups and measures, with totals),
 * `funnel` (a stage field's history), `forecast` (amount × probability per close month, and
 * payments due) or `leaderboard` (per owner). The properties a type does not use are refused
 * at apply.
 */
export const REPORT_SCHEMA = closed({
  kind: kind('report'),
  module: name,
  name: identifier,
  label: optional(label),
  description: optional(label),
  type: oneOf(['summary', 'funnel', 'forecast', 'leaderboard']),
  chart: optional(oneOf(CHART_TYPES)),
  filter: optional(logic),
  /** The date or date-time field a dashboard's period applies to. */
  dateField: optional(name),
  /** The period when the request names none (`this_quarter`, `all`, …). */
  defaultPeriod: optional(Type.String({ minLength: 1, maxLength: 30 })),
  groupBy: optional(Type.Array(token, { maxItems: 2 })),
  measures: optional(Type.Array(token, { minItems: 1, maxItems: 10 })),
  sort: optional(Type.String({ maxLength: 200 })),
  limit: optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  /** funnel: the picklist whose history it reads, and its stages in order (default: all options). */
  field: optional(name),
  stages: optional(Type.Array(token, { minItems: 2, maxItems: 50, uniqueItems: true })),
  /** forecast and leaderboard: the money field; forecast: the percent field weighting it. */
  amount: optional(name),
  probability: optional(name),
  quarters: optional(Type.Integer({ minimum: 1, maximum: 8 })),
  /**
   * forecast: forecast categories by stage — the options of the picklist `field` in each
   * category (an option in none is omitted). Without `probability`, expected = closed + commit.
   */
  categories: optional(
    closed({
      field: name,
      closed: optional(Type.Array(token, { maxItems: 50, uniqueItems: true })),
      commit: optional(Type.Array(token, { maxItems: 50, uniqueItems: true })),
      best_case: optional(Type.Array(token, { maxItems: 50, uniqueItems: true })),
      pipeline: optional(Type.Array(token, { maxItems: 50, uniqueItems: true })),
    }),
  ),
  /** forecast: expected payments per month from another module. */
  payments: optional(
    closed({ module: name, amount: name, dateField: name, filter: optional(logic) }),
  ),
  /** leaderboard: what makes a record won, and lost (closed = won or lost). */
  won: optional(logic),
  lost: optional(logic),
});

const widget = closed({
  report: identifier,
  type: oneOf(CHART_TYPES),
  title: optional(label),
  /** The figure a KPI or chart shows (a measure column's key); default the first. */
  measure: optional(token),
  /** On a 12-column grid. */
  position: closed({
    x: Type.Integer({ minimum: 0, maximum: 11 }),
    y: Type.Integer({ minimum: 0, maximum: 1000 }),
    w: Type.Integer({ minimum: 1, maximum: 12 }),
    h: Type.Integer({ minimum: 1, maximum: 12 }),
  }),
});

/** A grid of report widgets with one filter (period, owner) applied to every widget. */
export const DASHBOARD_SCHEMA = closed({
  kind: kind('dashboard'),
  name: identifier,
  label: optional(label),
  filter: optional(
    closed({
      period: optional(Type.String({ minLength: 1, maxLength: 30 })),
      owner: optional(Type.Boolean()),
    }),
  ),
  widgets: Type.Array(widget, { maxItems: 50 }),
});

/** Every kind of document and its schema: the one list to extend with a new kind. */
export const DOCUMENT_SCHEMAS = {
  module: MODULE_SCHEMA,
  layout: LAYOUT_SCHEMA,
  view: VIEW_SCHEMA,
  blueprint: BLUEPRINT_SCHEMA,
  automation: AUTOMATION_SCHEMA,
  role: ROLE_SCHEMA,
  profile: PROFILE_SCHEMA,
  sharing: SHARING_SCHEMA,
  conversion: CONVERSION_SCHEMA,
  report: REPORT_SCHEMA,
  dashboard: DASHBOARD_SCHEMA,
} as const satisfies Record<string, TSchema & JsonSchema>;

/** The TypeScript types of the parts the code names on their own. */
export type FieldTypeName = (typeof FIELD_TYPE_NAMES)[number];
export type FormulaReturnType = (typeof FORMULA_RETURN_TYPES)[number];
export type ModuleIcon = (typeof MODULE_ICONS)[number];
export type PicklistOption = Static<typeof picklistOption>;
export type FieldDef = Static<typeof field>;
export type ValidationRule = Static<typeof validationRule>;
export type LayoutSection = Static<typeof layoutSection>;
export type LayoutRule = Static<typeof layoutRule>;
export type BlueprintTransition = Static<typeof blueprintTransition>;
export type AutomationAction = Static<typeof action>;
export type AutomationTrigger = Static<typeof trigger>;
export type Recipient = Static<typeof recipient>;
export type ApprovalRule = Static<typeof approvalRule>;
export type ModulePermissions = Static<typeof modulePermissions>;
export type RecordOperation = (typeof RECORD_OPERATIONS)[number];
export type FieldAccess = Static<typeof fieldAccess>;
export type SharingRule = Static<typeof sharingRule>;
export type ConversionTarget = Static<typeof conversionTarget>;
export type SharingLevel = SharingDocShape['default'];
type SharingDocShape = Static<typeof SHARING_SCHEMA>;
/** Each kind of document → its TypeScript type. */
export type DocumentTypes = {
  [K in keyof typeof DOCUMENT_SCHEMAS]: Static<(typeof DOCUMENT_SCHEMAS)[K]>;
};
export type ChartType = (typeof CHART_TYPES)[number];
export type DashboardWidget = Static<typeof widget>;
