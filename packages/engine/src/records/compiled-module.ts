import {
  createAjv,
  type FieldDef,
  type FieldResolver,
  fieldColumns,
  fieldResolver,
  fieldValue,
  type MetadataDoc,
  type ModuleDoc,
  recordInputSchema,
  SYSTEM_COLUMN_SPECS,
  searchFields,
  systemFields,
  usedVars,
  type ValidationRule,
} from '@atrium/metadata';
import type { ValidateFunction } from 'ajv';
import { type CompiledAccess, compileAccess } from '../access-compile.js';
import { compileAutomations, type ModuleAutomations } from '../automation/compiled.js';
import { type Blueprint, compileBlueprints } from '../process/blueprint.js';
import { derivedName, q, qt, uniqueIndexName } from '../sql-names.js';
import { type LookupJoin, lookupJoins } from './lookup-join.js';

/**
 * Everything the read and write paths need about one module, computed once per metadata
 * revision: validators, formula order, SQL fragments. No metadata lookup happens per request.
 */
export interface CompiledModule {
  doc: ModuleDoc;
  /** `"ws_main"."deals"` */
  table: string;
  /** The workspace schema the table is in (`ws_main`), for the workspace's own tables. */
  schema: string;
  /** Output columns, in order: system then fields. */
  columns: string[];
  /** `r."id", r."name", ...` */
  selectList: string;
  fields: ReadonlyMap<string, FieldDef>;
  validateCreate: ValidateFunction;
  validatePatch: ValidateFunction;
  /** Formula fields in the order they can be computed. */
  formulas: FieldDef[];
  rules: ValidationRule[];
  resolve: FieldResolver;
  /** Columns `q` searches. */
  searchColumns: string[];
  /** Fields with a value a client may write. */
  writable: string[];
  /** Default values of writable fields. */
  defaults: Record<string, unknown>;
  /** Unique index name → field name, to put a duplicate-value error on the right path. */
  uniqueIndexes: ReadonlyMap<string, string>;
  /** Foreign key constraint name → field name. */
  foreignKeys: ReadonlyMap<string, string>;
  /** `select ... from t r where r.id = $1` */
  getSql: string;
  /** Lookup field → the one join filter, sort and `expand` read its target through. */
  lookups: ReadonlyMap<string, LookupJoin>;
  /** A default module currency when it has money fields. */
  currency: string | undefined;
  /** The module's blueprint, set when the snapshot is compiled. */
  blueprint?: Blueprint;
  /** The module's active automations, set when the snapshot is compiled; absent: none. */
  automations?: ModuleAutomations;
  /** The revision's roles, profiles and sharing (the same object for every module). */
  access: CompiledAccess;
}

export function compileModule(
  schema: string,
  doc: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
): CompiledModule {
  const ajv = createAjv();
  const table = qt(schema, doc.name);
  const columns = [...SYSTEM_COLUMN_SPECS, ...fieldColumns(doc)].map((c) => c.name);
  const selectList = columns.map((c) => `r.${q(c)}`).join(', ');
  const values = doc.fields.map((f) => [f.name, fieldValue(f)] as const);
  const writable = values.filter(([, v]) => !v.computed).map(([name]) => name);
  const defaults = Object.fromEntries(
    values
      .filter(([, v]) => !v.computed && v.default !== undefined)
      .map(([n, v]) => [n, v.default]),
  );
  const hasMoney = columns.includes('currency_code');
  return {
    doc,
    table,
    schema,
    columns,
    selectList,
    fields: new Map([...systemFields(doc), ...doc.fields].map((f) => [f.name, f])),
    validateCreate: ajv.compile(recordInputSchema(doc, 'create')),
    validatePatch: ajv.compile(recordInputSchema(doc, 'patch')),
    formulas: formulaOrder(doc),
    rules: doc.validationRules ?? [],
    resolve: fieldResolver(doc, modules),
    searchColumns: searchFields(doc).map((f) => f.name),
    writable,
    defaults,
    uniqueIndexes: new Map(
      doc.fields
        .filter((f) => f.unique || f.type === 'autonumber')
        .map((f) => [uniqueIndexName(doc.name, f.name), f.name]),
    ),
    foreignKeys: new Map(
      doc.fields
        .filter((f) => f.type === 'lookup' || f.type === 'user')
        .map((f) => [derivedName(doc.name, f.name, 'fk'), f.name]),
    ),
    getSql: `select ${selectList} from ${table} r where r.id = $1`,
    lookups: lookupJoins(schema, doc, modules),
    currency: hasMoney ? (doc.defaultCurrency ?? 'USD') : undefined,
    access: NO_ACCESS_DOCUMENTS,
  };
}

const NO_ACCESS_DOCUMENTS: CompiledAccess = {
  below: new Map(),
  above: new Map(),
  profiles: new Map(),
  sharing: new Map(),
  orders: new Map(),
};

/** Formulas sorted so each is computed after the formulas it reads (cycles are refused earlier). */
function formulaOrder(doc: ModuleDoc): FieldDef[] {
  const formulas = doc.fields.filter((f) => f.type === 'formula');
  const names = new Set(formulas.map((f) => f.name));
  const done = new Set<string>();
  const out: FieldDef[] = [];
  const visit = (f: FieldDef) => {
    if (done.has(f.name)) return;
    done.add(f.name);
    for (const v of usedVars(f.expression ?? null)) {
      if (names.has(v)) visit(formulas.find((x) => x.name === v) as FieldDef);
    }
    out.push(f);
  };
  formulas.forEach(visit);
  return out;
}

/** A compiled metadata revision. */
export interface Snapshot {
  revision: number;
  documents: MetadataDoc[];
  modules: ReadonlyMap<string, CompiledModule>;
  access: CompiledAccess;
}

export function compileSnapshot(
  schema: string,
  revision: number,
  documents: MetadataDoc[],
): Snapshot {
  const docs = new Map(
    documents.filter((d): d is ModuleDoc => d.kind === 'module').map((m) => [m.name, m]),
  );
  const modules = new Map([...docs.values()].map((m) => [m.name, compileModule(schema, m, docs)]));
  for (const [name, bp] of compileBlueprints(documents, modules))
    (modules.get(name) as CompiledModule).blueprint = bp;
  for (const [name, ma] of compileAutomations(schema, documents, modules))
    (modules.get(name) as CompiledModule).automations = ma;
  const resolvers = new Map([...modules].map(([name, m]) => [name, m.resolve]));
  const access = compileAccess(schema, documents, resolvers);
  for (const m of modules.values()) m.access = access;
  return { revision, documents, modules, access };
}
