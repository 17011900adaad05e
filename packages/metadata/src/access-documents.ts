import { documentMsg } from './document-messages.js';
import type { DocumentTypes } from './document-schemas.js';
import type { ModuleDoc } from './documents.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import type { Problem } from './messages.js';
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
          problems.push(documentMsg.at(`${at}.parent`, 'noRole', { name: doc.parent }));
          break;
        }
        // Walk up: coming back to this role means a cycle.
        const seen = new Set([doc.name]);
        for (let r = roles.get(doc.parent); r; r = r.parent ? roles.get(r.parent) : undefined) {
          if (seen.has(r.name)) {
            problems.push(
              documentMsg.at(`${at}.parent`, 'roleCycle', { cycle: [...seen, r.name].join(' → ') }),
            );
            break;
          }
          seen.add(r.name);
        }
        break;
      }
      case 'profile':
        for (const m of Object.keys(doc.modules))
          if (!modules.has(m))
            problems.push(documentMsg.at(`${at}.modules.${m}`, 'noModule', { name: m }));
        for (const [m, fields] of Object.entries(doc.fields ?? {})) {
          const module = modules.get(m);
          if (!module) {
            problems.push(documentMsg.at(`${at}.fields.${m}`, 'noModule', { name: m }));
            continue;
          }
          const known = new Set([...systemFields(module), ...module.fields].map((f) => f.name));
          for (const f of Object.keys(fields)) {
            if (!known.has(f) || f === 'id')
              problems.push(
                documentMsg.at(`${at}.fields.${m}.${f}`, 'unknownFieldIn', { name: f, module: m }),
              );
          }
        }
        break;
      case 'sharing': {
        const module = modules.get(doc.module);
        if (!module) {
          problems.push(documentMsg.at(`${at}.module`, 'noModule', { name: doc.module }));
          break;
        }
        const names = new Set<string>();
        (doc.rules ?? []).forEach((rule, i) => {
          const rat = `${at}.rules[${i}]`;
          if (names.has(rule.name))
            problems.push(documentMsg.at(`${rat}.name`, 'ruleTwice', { name: rule.name }));
          names.add(rule.name);
          if (!roles.has(rule.to.role))
            problems.push(documentMsg.at(`${rat}.to.role`, 'noRole', { name: rule.to.role }));
          // Compiled once per revision for every caller: it cannot name the caller.
          if (JSON.stringify(rule.when).includes('"$user')) {
            problems.push(documentMsg.at(`${rat}.when`, 'sharingNamesCaller'));
            return;
          }
          try {
            compileFilter(rule.when, fieldResolver(module, modules), { path: 'when' });
          } catch (e) {
            if (!(e instanceof FilterError)) throw e;
            problems.push({ ...e.problem, path: `${rat}.${e.path}` });
          }
        });
        break;
      }
    }
  }
  return problems;
}
