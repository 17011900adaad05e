import { type Problem, referringLookups } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { q, qt } from '../sql-names.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { msg } from './messages.js';
import { type Cause, type Row, setDeletedRows, writeHistory } from './row-writes.js';

/**
 * Brings the (locked, binned) record `id` of `m` back, with every record its delete took along by
 * cascade (recursively) and nothing else. A record whose lookup points at a record still in the
 * bin is not brought back into the live set: that refuses the restore (400 on the lookup's path).
 */
export async function restoreFromBin(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  m: CompiledModule,
  id: string,
): Promise<Row> {
  const docs = [...snapshot.modules.values()].map((c) => c.doc);
  const history = sql.raw(qt(engine.workspace.schema, '_history'));
  const returning = new Map<string, Map<string, Cause | undefined>>([
    [m.doc.name, new Map([[id, undefined]])],
  ]);
  let frontier: [string, string[]][] = [[m.doc.name, [id]]];
  while (frontier.length > 0) {
    const next: [string, string[]][] = [];
    for (const [module, ids] of frontier) {
      for (const ref of referringLookups(module, docs)) {
        if (ref.onDelete !== 'cascade') continue;
        const rm = moduleOf(snapshot, ref.module.name);
        const col = sql.raw(q(ref.field.name));
        // Taken along by this very record's delete: the referrer's last history entry (its
        // delete, since a binned record cannot be edited) names it as the cause.
        const rows = await sql<{ id: string; parent: string }>`
          select r.id, r.${col} as parent from ${sql.raw(rm.table)} r
          where r.${col} = any(${ids}::uuid[]) and r.deleted_at is not null
            and (select h.cause from ${history} h where h.module = ${rm.doc.name} and h.record_id = r.id
                 order by h.id desc limit 1) = jsonb_build_object('module', ${module}::text, 'id', r.${col})
          for update`.execute(trx);
        const set = returning.get(rm.doc.name) ?? new Map<string, Cause | undefined>();
        returning.set(rm.doc.name, set);
        const added: string[] = [];
        for (const row of rows.rows) {
          if (set.has(row.id)) continue;
          set.set(row.id, { module, id: row.parent });
          added.push(row.id);
        }
        if (added.length > 0) next.push([rm.doc.name, added]);
      }
    }
    frontier = next;
  }

  const problems: Problem[] = [];
  for (const [module, set] of returning) {
    const mm = moduleOf(snapshot, module);
    for (const field of mm.doc.fields) {
      if (field.type !== 'lookup' || !field.target) continue;
      const target = moduleOf(snapshot, field.target);
      const back = [...(returning.get(field.target)?.keys() ?? [])];
      const col = sql.raw(q(field.name));
      const rows = await sql<{ id: string }>`select r.id from ${sql.raw(mm.table)} r
        join ${sql.raw(target.table)} t on t.id = r.${col}
        where r.id = any(${[...set.keys()]}::uuid[]) and t.deleted_at is not null
          and not (t.id = any(${back}::uuid[]))
        for key share of t`.execute(trx);
      const paths = new Set(
        rows.rows.map((r) =>
          module === m.doc.name && r.id === id ? field.name : `${module}.${field.name}`,
        ),
      );
      for (const path of paths) problems.push({ path, message: msg(ctx.locale, 'lookupInBin') });
    }
  }
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);

  let restored: Row | undefined;
  for (const [module, set] of returning) {
    const mm = moduleOf(snapshot, module);
    const rows = await setDeletedRows(trx, mm, [...set.keys()], false, ctx.actor.id);
    const entries = [...set].map(([rid, cause]) => ({ id: rid, ...(cause && { cause }) }));
    await writeHistory(trx, engine, ctx, module, entries, 'restore');
    if (module === m.doc.name) restored = rows.find((r) => r.id === id);
  }
  return restored as Row;
}
