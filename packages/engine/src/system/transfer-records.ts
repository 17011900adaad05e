import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { lockRevisionShared } from '../meta/store.js';
import { requestMsg } from '../request-messages.js';
import { qt } from '../sql-names.js';
import { recordAudit } from './audit.js';

/** How many records moved, per module. */
export type TransferResult = Record<string, number>;

/**
 * Gives every record `from` owns (in `modules`, else in all) to `to`, in one transaction under
 * the shared metadata lock like any write: one set-based update per module that bumps each
 * record's version (a client holding the old version gets a 409, not a silent overwrite) and
 * writes its history entry, then one audit entry `user.transfer` with the counts.
 */
export async function transferRecords(
  engine: Engine,
  input: {
    from: string;
    to: string;
    modules?: readonly string[];
    actorId: string;
    address?: string | null;
  },
): Promise<TransferResult> {
  return engine.db.transaction().execute(async (trx) => {
    const revision = await lockRevisionShared(trx, engine.workspace.schema);
    const snapshot = await engine.metadata.refresh(revision, trx);
    const names = input.modules ?? [...snapshot.modules.keys()];
    const unknown = names.flatMap((name, i) =>
      snapshot.modules.has(name) ? [] : [requestMsg.at(`modules[${i}]`, 'noModule', { name })],
    );
    if (unknown.length > 0) throw new AtriumError('UNKNOWN_MODULE', unknown);
    const history = sql.raw(qt(engine.workspace.schema, '_history'));
    const changes = JSON.stringify({ owner_id: { from: input.from, to: input.to } });
    const result: TransferResult = {};
    for (const name of names) {
      const m = snapshot.modules.get(name);
      if (!m?.columns.includes('owner_id')) continue;
      const r = await sql<{ n: number }>`with moved as (
          update ${sql.raw(m.table)} as r set owner_id = ${input.to}, version = r.version + 1,
            updated_at = now(), updated_by = ${input.actorId}
          where r.owner_id = ${input.from} returning r.id),
        logged as (
          insert into ${history} (module, record_id, action, changes, actor)
          select ${name}, id, 'update', ${changes}::jsonb, ${input.actorId} from moved returning 1)
        select count(*)::int as n from logged`.execute(trx);
      result[name] = r.rows[0]?.n ?? 0;
    }
    await recordAudit(trx as Db, {
      actorId: input.actorId,
      action: 'user.transfer',
      target: `user:${input.from}`,
      address: input.address ?? null,
      details: { to: input.to, moved: result },
    });
    return result;
  });
}
