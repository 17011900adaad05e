import type { Db } from '@atrium/engine';
import { sql } from 'kysely';

/**
 * When a sample record happened: created on `created`, at its current stage by `reached`. The
 * installer creates it and walks its blueprint now, through the write path like any record;
 * this then moves its past to the days the sample names, so a fresh install's funnel and
 * history read like months of work (time in each stage, entries in this year's periods) rather
 * than one second. Sample data only: nothing else ever rewrites history.
 */
export interface SampleTimeline {
  created: Date;
  reached: Date;
}

/** The history entries the record had after its creation and after each transition, by id. */
export type HistoryMarks = number[];

/** The id of the record's latest history entry (a mark between two steps of the walk). */
export async function historyMark(
  db: Db,
  at: { schema: string; module: string; id: string },
): Promise<number> {
  const r = await sql<{ n: string | null }>`select max(h.id) as n
    from ${sql.id(at.schema, '_history')} h
    where h.module = ${at.module} and h.record_id = ${at.id}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/**
 * Moves the record's creation to `created` and spreads its walk evenly up to `reached`: the
 * entries written by step k (k = 0 the creation) take created + k/steps of the way.
 */
export async function backdate(
  db: Db,
  at: { schema: string; table: string; module: string; id: string },
  marks: HistoryMarks,
  when: SampleTimeline,
): Promise<void> {
  const steps = marks.length - 1;
  const span = when.reached.getTime() - when.created.getTime();
  const history = sql.id(at.schema, '_history');
  await db.transaction().execute(async (trx) => {
    let after = 0;
    for (const [k, mark] of marks.entries()) {
      const moment = new Date(when.created.getTime() + (steps === 0 ? 0 : (span * k) / steps));
      await sql`update ${history} set at = ${moment.toISOString()}::timestamptz
        where module = ${at.module} and record_id = ${at.id} and id > ${after} and id <= ${mark}`.execute(
        trx,
      );
      after = mark;
    }
    await sql`update ${sql.raw(at.table)} set created_at = ${when.created.toISOString()}::timestamptz,
      updated_at = ${when.reached.toISOString()}::timestamptz where id = ${at.id}`.execute(trx);
  });
}
