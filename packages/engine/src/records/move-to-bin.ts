import {
  type FieldDef,
  labelText,
  type Problem,
  referringLookups,
  usedVars,
} from '@atrium/metadata';
import { sql } from 'kysely';
import { automationsAfterDelete } from '../automation/run.js';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { q } from '../sql-names.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { msg } from './messages.js';
import { type Cause, type Row, setDeletedRows, updateRow, writeHistory } from './row-writes.js';
import { canonicalTimes, computeFormulas, diffRows } from './values.js';

/** A record leaving for the bin: the root a caller named, or one a cascade took along. */
interface Leaving {
  /** Path prefix of the root it belongs to ('' or `delete[3].`), for restrict problems. */
  root: string;
  cause?: Cause;
}

/**
 * Soft-deletes the (already locked and checked) records `roots` of module `m`, honouring the
 * `onDelete` of every lookup in any module that points at them:
 * - `restrict`: live referrers refuse the delete (409 REFERENCED, one detail per referring
 *   `module.field`, with how many records);
 * - `set_null`: live referrers have the lookup cleared (version bumped, formulas recomputed,
 *   one history entry each);
 * - `cascade`: live referrers go to the bin too, recursively under the same rules; their history
 *   entry names the record they went with, so restoring it brings them back.
 * Everything happens in the caller's transaction.
 */
export async function moveToBin(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  m: CompiledModule,
  roots: readonly { id: string; prefix: string }[],
): Promise<Row[]> {
  const docs = [...snapshot.modules.values()].map((c) => c.doc);
  const leaving = new Map<string, Map<string, Leaving>>([
    [m.doc.name, new Map(roots.map((r) => [r.id, { root: r.prefix }]))],
  ]);
  const members = (module: string) => {
    const set = leaving.get(module) ?? new Map<string, Leaving>();
    leaving.set(module, set);
    return set;
  };

  // 1. Cascades, breadth first; a record reached twice goes once.
  let frontier: [string, string[]][] = [[m.doc.name, roots.map((r) => r.id)]];
  while (frontier.length > 0) {
    const next: [string, string[]][] = [];
    for (const [module, ids] of frontier) {
      for (const ref of referringLookups(module, docs)) {
        if (ref.onDelete !== 'cascade') continue;
        const rm = moduleOf(snapshot, ref.module.name);
        const known = members(rm.doc.name);
        const rows = await sql<{ id: string; parent: string }>`
          select r.id, r.${sql.raw(q(ref.field.name))} as parent from ${sql.raw(rm.table)} r
          where r.${sql.raw(q(ref.field.name))} = any(${ids}::uuid[]) and r.deleted_at is null
          for update`.execute(trx);
        const added: string[] = [];
        for (const row of rows.rows) {
          if (known.has(row.id)) continue;
          const parent = leaving.get(module)?.get(row.parent) as Leaving;
          known.set(row.id, { root: parent.root, cause: { module, id: row.parent } });
          added.push(row.id);
        }
        if (added.length > 0) next.push([rm.doc.name, added]);
      }
    }
    frontier = next;
  }

  // 2. Restrict: live referrers outside what is leaving refuse the whole delete.
  const problems: Problem[] = [];
  for (const [module, set] of leaving) {
    for (const ref of referringLookups(module, docs)) {
      if (ref.onDelete !== 'restrict') continue;
      const rm = moduleOf(snapshot, ref.module.name);
      const exclude = [...(leaving.get(rm.doc.name)?.keys() ?? [])];
      const rows = await sql<{ target: string; n: number }>`
        select r.${sql.raw(q(ref.field.name))} as target, count(*)::int as n from ${sql.raw(rm.table)} r
        where r.${sql.raw(q(ref.field.name))} = any(${[...set.keys()]}::uuid[]) and r.deleted_at is null
          and not (r.id = any(${exclude}::uuid[]))
        group by 1`.execute(trx);
      const byRoot = new Map<string, number>();
      for (const row of rows.rows) {
        const root = (set.get(row.target) as Leaving).root;
        byRoot.set(root, (byRoot.get(root) ?? 0) + row.n);
      }
      for (const [root, count] of byRoot) {
        problems.push({
          path: `${root}${rm.doc.name}.${ref.field.name}`,
          message: msg(ctx.locale, 'referenced', {
            count,
            module: labelText(rm.doc.pluralLabel ?? rm.doc.label, ctx.locale, rm.doc.name),
            field: labelText(ref.field.label, ctx.locale, ref.field.name),
          }),
        });
      }
    }
  }
  if (problems.length > 0)
    throw new AtriumError(
      'REFERENCED',
      problems.sort((a, b) => a.path.localeCompare(b.path)),
    );

  // 3. Set null: live referrers that stay lose the link.
  for (const [module, set] of leaving) {
    for (const ref of referringLookups(module, docs)) {
      if (ref.onDelete !== 'set_null') continue;
      const rm = moduleOf(snapshot, ref.module.name);
      const exclude = [...(leaving.get(rm.doc.name)?.keys() ?? [])];
      await clearLookup(trx, engine, ctx, rm, ref.field, [...set.keys()], exclude);
    }
  }

  // 4. Into the bin: the roots, then everything that goes with them.
  let rootRows: Row[] = [];
  for (const [module, set] of leaving) {
    if (set.size === 0) continue;
    const mm = moduleOf(snapshot, module);
    const rows = await setDeletedRows(trx, mm, [...set.keys()], true, ctx.actor.id);
    const entries = [...set].map(([id, l]) => ({ id, ...(l.cause && { cause: l.cause }) }));
    await writeHistory(trx, engine, ctx, module, entries, 'delete');
    await automationsAfterDelete(trx, engine, ctx, mm, rows);
    if (module === m.doc.name) rootRows = rows;
  }
  const byId = new Map(rootRows.map((r) => [r.id as string, r]));
  return roots.map((r) => byId.get(r.id) as Row);
}

/**
 * Empties lookup `field` of the live records of `rm` that point at `targets`. Set-based when no
 * formula reads the lookup; record by record (formulas recomputed) when one does.
 */
async function clearLookup(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  rm: CompiledModule,
  field: FieldDef,
  targets: string[],
  exclude: string[],
): Promise<void> {
  const col = sql.raw(q(field.name));
  const rows = await sql<Row>`select ${sql.raw(rm.selectList)} from ${sql.raw(rm.table)} r
    where r.${col} = any(${targets}::uuid[]) and r.deleted_at is null
      and not (r.id = any(${exclude}::uuid[])) for update`.execute(trx);
  if (rows.rows.length === 0) return;
  if (!formulasRead(rm, field.name)) {
    const ids = rows.rows.map((r) => r.id as string);
    await sql`update ${sql.raw(rm.table)} as r set ${col} = null, version = r.version + 1,
        updated_at = now(), updated_by = ${ctx.actor.id} where r.id = any(${ids}::uuid[])`.execute(
      trx,
    );
    const entries = rows.rows.map((r) => ({
      id: r.id as string,
      changes: { [field.name]: { from: r[field.name], to: null } },
    }));
    await writeHistory(trx, engine, ctx, rm.doc.name, entries, 'update');
    return;
  }
  for (const current of rows.rows) {
    const values = canonicalTimes(rm, { ...current, [field.name]: null });
    computeFormulas(rm, values);
    const changes = diffRows(rm, current, values);
    await updateRow(trx, rm, current.id as string, values, Object.keys(changes), ctx.actor.id);
    await writeHistory(
      trx,
      engine,
      ctx,
      rm.doc.name,
      [{ id: current.id as string, changes }],
      'update',
    );
  }
}

/** Some formula of `m` depends, directly or through another formula, on `field`. */
function formulasRead(m: CompiledModule, field: string): boolean {
  const tainted = new Set([field]);
  for (const f of m.formulas) {
    if (usedVars(f.expression ?? null).some((v) => tainted.has(v))) tainted.add(f.name);
  }
  return tainted.size > 1;
}
