import type {
  FieldAccess,
  LayoutDoc,
  MetadataDoc,
  ModuleDoc,
  ModulePermissions,
  ViewDoc,
} from '@atrium/metadata';
import type { AccessActor } from './access.js';
import type { Engine } from './engine.js';
import { openApiDocument } from './http/openapi.js';
import type { Snapshot } from './records/compiled-module.js';

/** What one module allows the caller, with the fields their profile restricts. */
export interface ModuleGrant extends ModulePermissions {
  /** Fields that are hidden or read-only for the caller; a field not listed is editable. */
  fields: Record<string, FieldAccess>;
}

/** The caller's effective permissions, for `/api/auth/me` and the filtered views of the metadata. */
export interface Permissions {
  admin: boolean;
  role: string | null;
  profile: string | null;
  /** Modules the caller may do anything with; a module not listed allows nothing. */
  modules: Record<string, ModuleGrant>;
}

const ALL: ModulePermissions = {
  create: true,
  read: true,
  update: true,
  delete: true,
  import: true,
  export: true,
};

/**
 * The caller's effective permissions under the current metadata: what the web app needs to hide
 * what they cannot use. The administrator may do everything on every module.
 */
export function permissionsOf(engine: Engine, actor: AccessActor): Permissions {
  return permissionsIn(engine.metadata.current, actor);
}

export function permissionsIn(snapshot: Snapshot, actor: AccessActor): Permissions {
  const modules: Record<string, ModuleGrant> = {};
  const profile = actor.profile ? snapshot.access.profiles.get(actor.profile) : undefined;
  for (const name of snapshot.modules.keys()) {
    const allowed = actor.isAdmin ? ALL : profile?.doc.modules[name];
    if (!allowed || !Object.values(allowed).some(Boolean)) continue;
    const fields = actor.isAdmin ? {} : Object.fromEntries(profile?.fields.get(name) ?? []);
    modules[name] = { ...allowed, fields };
  }
  return {
    admin: actor.isAdmin,
    role: actor.role ?? null,
    profile: actor.profile ?? null,
    modules,
  };
}

const documentViews = new WeakMap<Snapshot, Map<string, MetadataDoc[]>>();

/**
 * The metadata documents as the caller may see them: the modules their profile allows anything
 * on, without hidden fields, with the layouts, views, blueprints and automations of those modules
 * (hidden fields taken out of layouts and view columns). Roles, profiles and sharing are for
 * administrators. Computed once per revision and profile.
 */
export function documentsFor(snapshot: Snapshot, actor: AccessActor): MetadataDoc[] {
  if (actor.isAdmin) return snapshot.documents;
  const key = actor.profile ?? '';
  let byProfile = documentViews.get(snapshot);
  if (!byProfile) {
    byProfile = new Map();
    documentViews.set(snapshot, byProfile);
  }
  const known = byProfile.get(key);
  if (known) return known;
  const grants = permissionsIn(snapshot, actor).modules;
  const hidden = (module: string) =>
    new Set(
      Object.entries(grants[module]?.fields ?? {})
        .filter(([, a]) => a === 'hidden')
        .map(([f]) => f),
    );
  const docs: MetadataDoc[] = [];
  for (const d of snapshot.documents) {
    if (d.kind === 'role' || d.kind === 'profile' || d.kind === 'sharing') continue;
    // A dashboard spans modules: each widget answers (or refuses) for the caller.
    if (d.kind === 'dashboard') {
      docs.push(d);
      continue;
    }
    const module = d.kind === 'module' ? d.name : d.module;
    if (!grants[module]) continue;
    const h = hidden(module);
    docs.push(h.size === 0 ? d : withoutFields(d, h));
  }
  byProfile.set(key, docs);
  return docs;
}

function withoutFields(
  d: Exclude<MetadataDoc, { kind: 'role' | 'profile' | 'sharing' | 'dashboard' }>,
  h: ReadonlySet<string>,
): MetadataDoc {
  const keep = (names: string[]) => names.filter((n) => !h.has(n));
  switch (d.kind) {
    case 'module':
      return { ...d, fields: d.fields.filter((f) => !h.has(f.name)) } satisfies ModuleDoc;
    case 'layout':
      return {
        ...d,
        sections: d.sections.map((s) => ({ ...s, fields: keep(s.fields) })),
      } satisfies LayoutDoc;
    case 'view':
      return { ...d, columns: keep(d.columns) } satisfies ViewDoc;
    default:
      return d;
  }
}

const apis = new WeakMap<Snapshot, Map<string, Record<string, unknown>>>();

/**
 * The OpenAPI document as the caller may use it (see openApiDocument's `grants`), built once per
 * revision and profile.
 */
export function openApiFor(
  snapshot: Snapshot,
  actor: AccessActor,
  info: { title: string; version: string },
): Record<string, unknown> {
  const key = actor.isAdmin ? '*admin' : (actor.profile ?? '');
  let byProfile = apis.get(snapshot);
  if (!byProfile) {
    byProfile = new Map();
    apis.set(snapshot, byProfile);
  }
  let doc = byProfile.get(key);
  if (!doc) {
    const grants = actor.isAdmin ? undefined : permissionsIn(snapshot, actor).modules;
    doc = openApiDocument(snapshot, info, grants);
    byProfile.set(key, doc);
  }
  return doc;
}
