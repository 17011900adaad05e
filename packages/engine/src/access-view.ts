import type { FieldResolver } from '@atrium/metadata';
import type { AccessActor, AccessPolicy } from './access.js';
import { NO_RECORDS } from './access-policy.js';
import type { CompiledModule } from './records/compiled-module.js';
import { q } from './sql-names.js';

const views = new WeakMap<CompiledModule, Map<string, CompiledModule>>();

/**
 * The module as the caller may read it: hidden fields are not columns, not searched, not
 * filterable or sortable (the resolver does not know them, so a filter on one is refused exactly
 * like an unknown field), and a lookup's field is known only when the caller may read the target
 * module and that field. Computed once per module, revision and profile; the administrator (and
 * a caller whose profile masks nothing) gets the module itself.
 */
export function readView(
  policy: AccessPolicy,
  actor: AccessActor,
  m: CompiledModule,
  modules: ReadonlyMap<string, CompiledModule>,
): CompiledModule {
  if (actor.isAdmin) return m;
  const key = actor.profile ?? '';
  let byProfile = views.get(m);
  if (!byProfile) {
    byProfile = new Map();
    views.set(m, byProfile);
  }
  const known = byProfile.get(key);
  if (known) return known;
  const view = restrict(policy, actor, m, modules);
  byProfile.set(key, view);
  return view;
}

function restrict(
  policy: AccessPolicy,
  actor: AccessActor,
  m: CompiledModule,
  modules: ReadonlyMap<string, CompiledModule>,
): CompiledModule {
  const hidden = policy.fields(actor, m)?.hidden ?? new Set<string>();
  // A lookup's field is readable when the target module is, and the field is not hidden there.
  const readableThrough = (target: string, field: string): boolean => {
    const t = modules.get(target);
    if (!t || policy.scope(actor, t, 'read') === NO_RECORDS) return false;
    return !policy.fields(actor, t)?.hidden.has(field);
  };
  const resolve: FieldResolver = (path) => {
    const ref = m.resolve(path);
    if (!ref) return undefined;
    const [head, tail] = ref.path;
    if (head === undefined || hidden.has(head)) return undefined;
    if (tail !== undefined && ref.via && !readableThrough(ref.via.target.name, tail))
      return undefined;
    return ref;
  };
  const columns = m.columns.filter((c) => !hidden.has(c));
  const selectList = columns.map((c) => `r.${q(c)}`).join(', ');
  return {
    ...m,
    columns,
    selectList,
    getSql: `select ${selectList} from ${m.table} r where r.id = $1`,
    searchColumns: m.searchColumns.filter((c) => !hidden.has(c)),
    resolve,
    lookups: new Map([...m.lookups].filter(([name]) => !hidden.has(name))),
  };
}
