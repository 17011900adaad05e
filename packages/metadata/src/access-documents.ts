import type { Problem } from './ajv.js';
import type { DocumentTypes } from './document-schemas.js';
import type { ModuleDoc } from './documents.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import { fieldResolver, systemFields } from './module-fields.js';

/**
 * Who may see and change which records: roles (a tree: a user sees the records of the roles
 * below theirs), profiles (what a user may do per module and field) and sharing (a module's
 * org-wide default and the rules that open records to a role). Plain documents, planned and
 * applied like modules, so a template can ship them.
 */

export type {
  FieldAccess,
  ModulePermissions,
  RecordOperation,
  SharingLevel,
  SharingRule,
} from './document-schemas.js';
export { RECORD_OPERATIONS } from './document-schemas.js';
export type RoleDoc = DocumentTypes['role'];
export type ProfileDoc = DocumentTypes['profile'];
export type SharingDoc = DocumentTypes['sharing'];

export type AccessDoc = RoleDoc | ProfileDoc | SharingDoc;

export function isAccessDoc(doc: { kind: string }): doc is AccessDoc {
  return doc.kind === 'role' || doc.kind === 'profile' || doc.kind === 'sharing';
}

/** The stable key of an access document (a module has at most one sharing document). */
export function accessDocKey(doc: AccessDoc): string {
  return doc.kind === 'sharing' ? `sharing:${doc.module}` : `${doc.kind}:${doc.name}`;
}

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
