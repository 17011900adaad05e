import {
  compileFilter,
  type FieldAccess,
  type FieldResolver,
  type MetadataDoc,
  type ModulePermissions,
  type ProfileDoc,
  type RoleDoc,
  type SharingDoc,
  type SharingLevel,
} from '@atrium/metadata';
import type { RawBuilder } from 'kysely';
import { type ScopeOrders, scopeOrders } from './access-indexes.js';
import { filterSql } from './records/filter-sql.js';

/** A sharing rule with its condition already compiled to SQL over `r`. */
export interface CompiledRule {
  name: string;
  role: string;
  subordinates: boolean;
  access: 'read' | 'read_write';
  sql: RawBuilder<unknown>;
}

export interface CompiledSharing {
  default: SharingLevel;
  rules: CompiledRule[];
}

export interface CompiledProfile {
  doc: ProfileDoc;
  /** module → field → hidden | read */
  fields: ReadonlyMap<string, ReadonlyMap<string, FieldAccess>>;
}

/**
 * The access documents of one metadata revision, compiled once: for each role the roles below
 * it, the profiles, and each module's sharing with its rules as SQL (JSON Logic → FilterNode →
 * SQL, the list filter's own path). Nothing here depends on who asks.
 */
export interface CompiledAccess {
  /** role → every role strictly below it. */
  below: ReadonlyMap<string, readonly string[]>;
  /** role → every role strictly above it. */
  above: ReadonlyMap<string, ReadonlySet<string>>;
  profiles: ReadonlyMap<string, CompiledProfile>;
  /** module → its sharing; a module without one is `read_write` for every profile that reads it. */
  sharing: ReadonlyMap<string, CompiledSharing>;
  /** module → the scope branches its indexes serve in a sort column's order. */
  orders: ReadonlyMap<string, ScopeOrders>;
}

const PUBLIC: CompiledSharing = { default: 'read_write', rules: [] };

export function compileAccess(
  schema: string,
  documents: readonly MetadataDoc[],
  resolvers: ReadonlyMap<string, FieldResolver>,
): CompiledAccess {
  const roles = documents.filter((d): d is RoleDoc => d.kind === 'role');
  const parent = new Map(roles.map((r) => [r.name, r.parent]));
  const above = new Map<string, Set<string>>();
  for (const r of roles) {
    const up = new Set<string>();
    // Checked acyclic at apply; the bound only guards a stored set checked by older rules.
    for (
      let p = r.parent;
      p !== undefined && !up.has(p) && up.size < roles.length;
      p = parent.get(p)
    )
      up.add(p);
    above.set(r.name, up);
  }
  const below = new Map<string, string[]>(roles.map((r) => [r.name, []]));
  for (const [role, ups] of above) for (const u of ups) below.get(u)?.push(role);

  const profiles = new Map<string, CompiledProfile>();
  for (const d of documents) {
    if (d.kind !== 'profile') continue;
    profiles.set(d.name, {
      doc: d,
      fields: new Map(
        Object.entries(d.fields ?? {}).map(([m, f]) => [m, new Map(Object.entries(f))]),
      ),
    });
  }

  const sharing = new Map<string, CompiledSharing>();
  for (const d of documents) {
    if (d.kind !== 'sharing') continue;
    const resolve = resolvers.get(d.module);
    if (!resolve) continue;
    sharing.set(d.module, compileSharing(schema, d, resolve));
  }
  return { below, above, profiles, sharing, orders: scopeOrders(documents) };
}

function compileSharing(schema: string, doc: SharingDoc, resolve: FieldResolver): CompiledSharing {
  return {
    default: doc.default,
    rules: (doc.rules ?? []).map((rule, i) => ({
      name: rule.name,
      role: rule.to.role,
      subordinates: rule.to.subordinates === true,
      access: rule.access,
      // A lookup's field reads through a subquery on the live target (no join to register).
      sql: filterSql(compileFilter(rule.when, resolve, { path: `rules[${i}].when` }), schema),
    })),
  };
}

export function sharingOf(access: CompiledAccess, module: string): CompiledSharing {
  return access.sharing.get(module) ?? PUBLIC;
}

/** What a profile allows on a module; nothing when it does not list it. */
export function modulePermissions(
  profile: CompiledProfile | undefined,
  module: string,
): ModulePermissions | undefined {
  return profile?.doc.modules[module];
}
