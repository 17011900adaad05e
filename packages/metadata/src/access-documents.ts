import type { Problem } from './ajv.js';
import type { JsonLogic, ModuleDoc } from './documents.js';
import type { JsonSchema } from './json-schema.js';
import { type Label, LOCALES } from './label.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import { fieldResolver, systemFields } from './module-fields.js';

/**
 * Who may see and change which records: roles (a tree: a user sees the records of the roles
 * below theirs), profiles (what a user may do per module and field) and sharing (a module's
 * org-wide default and the rules that open records to a role). Plain documents, planned and
 * applied like modules, so a template can ship them.
 */

/** A position in the role tree. */
export interface RoleDoc {
  kind: 'role';
  name: string;
  label?: Label;
  /** The role above this one; absent at the top. */
  parent?: string;
}

/** What a profile allows on one module's records. */
export interface ModulePermissions {
  create: boolean;
  read: boolean;
  update: boolean;
  delete: boolean;
  import: boolean;
  export: boolean;
}

export type RecordOperation = keyof ModulePermissions;
export const RECORD_OPERATIONS: readonly RecordOperation[] = [
  'create',
  'read',
  'update',
  'delete',
  'import',
  'export',
];

/** A field a profile may not change (`read`) or not even see (`hidden`); default editable. */
export type FieldAccess = 'hidden' | 'read';

export interface ProfileDoc {
  kind: 'profile';
  name: string;
  label?: Label;
  /** A module not listed allows nothing. */
  modules: Record<string, ModulePermissions>;
  fields?: Record<string, Record<string, FieldAccess>>;
}

export type SharingLevel = 'private' | 'read' | 'read_write';

export interface SharingRule {
  name: string;
  /** JSON Logic on the record; it is compiled to SQL, so it filters like a list filter does. */
  when: JsonLogic;
  to: { role: string; subordinates?: boolean };
  access: 'read' | 'read_write';
}

/** A module's org-wide default and sharing rules. A module without one is `read_write`. */
export interface SharingDoc {
  kind: 'sharing';
  module: string;
  default: SharingLevel;
  rules?: SharingRule[];
}

export type AccessDoc = RoleDoc | ProfileDoc | SharingDoc;

export function isAccessDoc(doc: { kind: string }): doc is AccessDoc {
  return doc.kind === 'role' || doc.kind === 'profile' || doc.kind === 'sharing';
}

/** The stable key of an access document (a module has at most one sharing document). */
export function accessDocKey(doc: AccessDoc): string {
  return doc.kind === 'sharing' ? `sharing:${doc.module}` : `${doc.kind}:${doc.name}`;
}

const label: JsonSchema = {
  type: 'object',
  properties: Object.fromEntries(
    LOCALES.map((l) => [l, { type: 'string', minLength: 1, maxLength: 500 }]),
  ),
  additionalProperties: false,
  minProperties: 1,
};
const name: JsonSchema = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' };

export const ROLE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'name'],
  additionalProperties: false,
  properties: { kind: { const: 'role' }, name, label, parent: name },
};

const permissions: JsonSchema = {
  type: 'object',
  required: [...RECORD_OPERATIONS],
  additionalProperties: false,
  properties: Object.fromEntries(RECORD_OPERATIONS.map((op) => [op, { type: 'boolean' }])),
};

export const PROFILE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'name', 'modules'],
  additionalProperties: false,
  properties: {
    kind: { const: 'profile' },
    name,
    label,
    modules: { type: 'object', additionalProperties: permissions, maxProperties: 1000 },
    fields: {
      type: 'object',
      maxProperties: 1000,
      additionalProperties: {
        type: 'object',
        maxProperties: 500,
        additionalProperties: { type: 'string', enum: ['hidden', 'read'] },
      },
    },
  },
};

export const SHARING_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind', 'module', 'default'],
  additionalProperties: false,
  properties: {
    kind: { const: 'sharing' },
    module: name,
    default: { type: 'string', enum: ['private', 'read', 'read_write'] },
    rules: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['name', 'when', 'to', 'access'],
        additionalProperties: false,
        properties: {
          name,
          when: { jsonLogic: true },
          to: {
            type: 'object',
            required: ['role'],
            additionalProperties: false,
            properties: { role: name, subordinates: { type: 'boolean' } },
          },
          access: { type: 'string', enum: ['read', 'read_write'] },
        },
      },
    },
  },
};

/**
 * The checks across documents: a role's parent exists and the tree has no cycle; a profile and a
 * sharing document name only existing modules, fields and roles; a sharing rule compiles to SQL.
 * `docs` carry the path prefix of each document (`documents[3]`).
 */
export function accessProblems(
  docs: readonly { doc: AccessDoc; at: string }[],
  modules: ReadonlyMap<string, ModuleDoc>,
): Problem[] {
  const problems: Problem[] = [];
  const roles = new Map<string, RoleDoc>();
  for (const { doc } of docs) if (doc.kind === 'role') roles.set(doc.name, doc);
  for (const { doc, at } of docs) {
    switch (doc.kind) {
      case 'role': {
        if (doc.parent === undefined) break;
        if (!roles.has(doc.parent)) {
          problems.push({ path: `${at}.parent`, message: `no role named "${doc.parent}"` });
          break;
        }
        // Walk up: coming back to this role means a cycle.
        const seen = new Set([doc.name]);
        for (let r = roles.get(doc.parent); r; r = r.parent ? roles.get(r.parent) : undefined) {
          if (seen.has(r.name)) {
            problems.push({
              path: `${at}.parent`,
              message: `roles form a cycle: ${[...seen, r.name].join(' → ')}`,
            });
            break;
          }
          seen.add(r.name);
        }
        break;
      }
      case 'profile':
        for (const m of Object.keys(doc.modules))
          if (!modules.has(m))
            problems.push({ path: `${at}.modules.${m}`, message: `no module named "${m}"` });
        for (const [m, fields] of Object.entries(doc.fields ?? {})) {
          const module = modules.get(m);
          if (!module) {
            problems.push({ path: `${at}.fields.${m}`, message: `no module named "${m}"` });
            continue;
          }
          const known = new Set([...systemFields(module), ...module.fields].map((f) => f.name));
          for (const f of Object.keys(fields)) {
            if (!known.has(f) || f === 'id')
              problems.push({
                path: `${at}.fields.${m}.${f}`,
                message: `unknown field "${f}" in module ${m}`,
              });
          }
        }
        break;
      case 'sharing': {
        const module = modules.get(doc.module);
        if (!module) {
          problems.push({ path: `${at}.module`, message: `no module named "${doc.module}"` });
          break;
        }
        const names = new Set<string>();
        (doc.rules ?? []).forEach((rule, i) => {
          const rat = `${at}.rules[${i}]`;
          if (names.has(rule.name))
            problems.push({ path: `${rat}.name`, message: `rule "${rule.name}" is defined twice` });
          names.add(rule.name);
          if (!roles.has(rule.to.role))
            problems.push({ path: `${rat}.to.role`, message: `no role named "${rule.to.role}"` });
          // Compiled once per revision for every caller: it cannot name the caller.
          if (JSON.stringify(rule.when).includes('"$user')) {
            problems.push({
              path: `${rat}.when`,
              message: 'a sharing rule cannot name the caller',
            });
            return;
          }
          try {
            compileFilter(rule.when, fieldResolver(module, modules), { path: 'when' });
          } catch (e) {
            if (!(e instanceof FilterError)) throw e;
            problems.push({ path: `${rat}.${e.path}`, message: e.message });
          }
        });
        break;
      }
    }
  }
  return problems;
}
