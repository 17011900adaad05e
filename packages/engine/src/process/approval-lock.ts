import { sql } from 'kysely';
import type { Db } from '../db.js';
import type { RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { qt } from '../sql-names.js';
import { approvalMsg } from './approval-messages.js';

/**
 * The lock of a record waiting for an approval: every write that changes or bins a record
 * (update, bulk, transition, automation, delete — all through prepareUpdate or lockForBin)
 * asks this after locking the row, and is refused with 409 RECORD_AWAITING_APPROVAL while a
 * pending approval names the record. Only the write carrying out that approval
 * (`ctx.approval`) passes. Asked only in modules whose blueprint has a transition needing
 * approval, so other writes pay nothing for it.
 */
export async function refuseWhileAwaitingApproval(
  trx: Db,
  m: CompiledModule,
  id: string,
  ctx: RequestContext,
): Promise<void> {
  if (!m.blueprint?.approvals) return;
  const r = await sql<{ id: number; transition: string }>`
    select id::int as id, transition from ${sql.raw(qt(m.schema, '_approvals'))}
    where module = ${m.doc.name} and record_id = ${id} and status = 'pending'`.execute(trx);
  const pending = r.rows[0];
  if (!pending || pending.id === ctx.approval) return;
  throw new AtriumError('RECORD_AWAITING_APPROVAL', [
    approvalMsg.at('id', 'locked', { id: pending.id, transition: pending.transition }),
  ]);
}
