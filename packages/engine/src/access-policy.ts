import { type RawBuilder, sql } from 'kysely';
import type { AccessActor, AccessPolicy, FieldMask, RecordAction } from './access.js';
import { type CompiledRule, modulePermissions, sharingOf } from './access-compile.js';
import { AtriumError } from './errors.js';
import type { CompiledModule } from './records/compiled-module.js';
import { requestMsg } from './request-messages.js';

/** The scope of a module the caller may not read at all. */
export const NO_RECORDS: RawBuilder<unknown> = sql`false`;

/**
 * Roles, profiles and sharing as the metadata says (compiled per revision, see access-compile.ts):
 *
 * - The built-in administrator (`isAdmin`) may do everything.
 * - A profile allows create/read/update/delete/import/export per module; a non-admin without a
 *   profile, or whose profile does not list the module, may do nothing there (403 FORBIDDEN).
 * - Records: a user reads and changes the records they own and those owned by users in the roles
 *   below theirs; a module's org-wide default (`private`, `read`, `read_write`; no sharing
 *   document: `read_write`) opens the rest; sharing rules open matching records to a role, and
 *   to the roles below it when `subordinates` is set.
 * - The users below a role are found by a subquery on `atrium.users.role`, so a role change or
 *   a new user counts from the next statement on, on every node.
 */
export const rolesAndProfiles: AccessPolicy = {
  authorize(actor, m, action) {
    if (actor.isAdmin) return;
    if (allows(actor, m, action)) return;
    throw new AtriumError('FORBIDDEN', [requestMsg.at(m.doc.name, action)], {
      en: `You may not ${action} records of ${m.doc.name}`,
      'zh-CN': `您无权对 ${m.doc.name} 的记录执行 ${action}`,
    });
  },

  scope(actor, m, level) {
    if (actor.isAdmin) return undefined;
    if (!allows(actor, m, 'read')) return NO_RECORDS;
    const sharing = sharingOf(m.access, m.doc.name);
    if (sharing.default === 'read_write') return undefined;
    if (sharing.default === 'read' && level === 'read') return undefined;
    const role = actor.role ?? undefined;
    const parts: RawBuilder<unknown>[] = [sql`r.owner_id = ${actor.id}`];
    const below = role === undefined ? [] : (m.access.below.get(role) ?? []);
    if (below.length > 0)
      parts.push(
        sql`r.owner_id in (select u.id from atrium.users u where u.role = any(${below}::text[]))`,
      );
    for (const rule of rulesOf(actor, m, level)) parts.push(rule.sql);
    return sql`(${sql.join(parts, sql` or `)})`;
  },

  scopeBranches(actor, m, column) {
    if (actor.isAdmin || !allows(actor, m, 'read')) return undefined;
    if (sharingOf(m.access, m.doc.name).default !== 'private') return undefined;
    const orders = m.access.orders.get(m.doc.name);
    if (!orders?.owner.has(column)) return undefined;
    // With roles below, the scope holds many owners' records: wide enough that one pass over
    // the sort index finds a page soon, and `owner_id = any(…)` reads in no useful order.
    const role = actor.role ?? undefined;
    if (role !== undefined && (m.access.below.get(role) ?? []).length > 0) return undefined;
    const branches: RawBuilder<unknown>[] = [sql`r.owner_id = ${actor.id}`];
    for (const rule of rulesOf(actor, m, 'read')) {
      if (!orders.rules.get(rule.name)?.has(column)) return undefined;
      branches.push(rule.sql);
    }
    if (branches.length < 2) return undefined;
    // Disjoint, so the merged branches hold each record once.
    return branches.map((b, i) =>
      i === 0 ? b : sql`(${b} and (${sql.join(branches.slice(0, i), sql` or `)}) is not true)`,
    );
  },

  fields(actor, m) {
    if (actor.isAdmin) return undefined;
    return fieldMask(actor, m);
  },
};

/** The sharing rules that open records of `m` to the actor's role at `level`. */
function rulesOf(actor: AccessActor, m: CompiledModule, level: 'read' | 'write'): CompiledRule[] {
  const role = actor.role ?? undefined;
  if (role === undefined) return [];
  const above = m.access.above.get(role);
  return sharingOf(m.access, m.doc.name).rules.filter(
    (rule) =>
      (level === 'read' || rule.access === 'read_write') &&
      (rule.role === role || (rule.subordinates && above?.has(rule.role) === true)),
  );
}

function allows(actor: AccessActor, m: CompiledModule, action: RecordAction): boolean {
  const profile = actor.profile ? m.access.profiles.get(actor.profile) : undefined;
  return modulePermissions(profile, m.doc.name)?.[action] === true;
}

const EMPTY: ReadonlySet<string> = new Set();
const masks = new WeakMap<CompiledModule, Map<string, FieldMask | undefined>>();

/** The profile's mask on the module, computed once per module, revision and profile. */
function fieldMask(actor: AccessActor, m: CompiledModule): FieldMask | undefined {
  const name = actor.profile ?? '';
  let byProfile = masks.get(m);
  if (!byProfile) {
    byProfile = new Map();
    masks.set(m, byProfile);
  }
  if (byProfile.has(name)) return byProfile.get(name);
  const fields = m.access.profiles.get(name)?.fields.get(m.doc.name);
  let mask: FieldMask | undefined;
  if (fields && fields.size > 0) {
    const of = (a: string) => new Set([...fields].filter(([, v]) => v === a).map(([f]) => f));
    mask = { hidden: of('hidden'), readOnly: of('read') };
    if (mask.hidden.size === 0) mask.hidden = EMPTY;
  }
  byProfile.set(name, mask);
  return mask;
}
