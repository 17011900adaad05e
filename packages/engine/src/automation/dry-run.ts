import { type Problem, valueMsg } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Engine, RequestContext } from '../engine.js';
import type { ErrorBody } from '../errors.js';
import { AtriumError } from '../errors.js';
import { recordMsg } from '../records/messages.js';
import { getRecord } from '../records/read.js';
import type { Row } from '../records/row-writes.js';
import { createWithin, inWriteTransaction, UUID, updateWithin } from '../records/write.js';
import { automationMsg } from './messages.js';
import { conditionHolds, recordData } from './record-data.js';
import { type Recorder, recordingContext } from './run-context.js';
import { dueAt } from './timed.js';
import type { TraceRow } from './trace.js';

/** What `POST /api/automations/dry-run` answers. */
export interface DryRunResult {
  /** create (no recordId), update (recordId and changes) or evaluate (recordId alone). */
  mode: 'create' | 'update' | 'evaluate';
  /** The record as the write would store it (null when refused). */
  record: Row | null;
  /** The refusal the write would meet — a blueprint guard, a rule, the recursion guard — if any. */
  refused: ErrorBody['error'] | null;
  /** Automation runs in the order they would start, with the values and jobs of each action. */
  runs: TraceRow[];
  /** Time-triggered jobs the write would (re)schedule (`runAt` null: dropped, nothing due). */
  scheduled: Recorder['scheduled'];
  /** evaluate: each automation of the module and whether its condition holds on the record now. */
  conditions: { automation: string; trigger: string; holds: boolean; due: string | null }[];
}

/** Thrown to roll the dry run's transaction back once its result is known. */
class RolledBack {
  constructor(readonly result: DryRunResult) {}
}

/**
 * `POST /api/automations/dry-run` `{module, recordId?, changes?}`: runs the write the request
 * describes — a create with `changes`, or an update of the record with them — through the real
 * write path, automations, blueprint guard and recursion guard included, with a recorder
 * attached, then rolls its transaction back: nothing is written, no job enqueued, no round robin
 * advanced (autonumber sequences, outside transactions, may move). With a record and no changes
 * it evaluates each automation's condition on the record as it is. Administrators only: it
 * shows what automations would write in any module.
 */
export async function dryRunAutomations(
  engine: Engine,
  ctx: RequestContext,
  body: unknown,
): Promise<DryRunResult> {
  if (!ctx.actor.isAdmin)
    throw new AtriumError('FORBIDDEN', [], {
      en: 'Only an administrator may dry-run automations',
      'zh-CN': '只有管理员可以试运行自动化规则',
    });
  const { module, recordId, changes } = parse(body);
  const recorder: Recorder = { runs: [], scheduled: [], seq: 0 };
  const rctx = recordingContext(ctx, recorder);
  const mode = recordId === undefined ? 'create' : changes === undefined ? 'evaluate' : 'update';
  try {
    await inWriteTransaction(engine, module, async (trx, m, snapshot) => {
      const result: DryRunResult = {
        mode,
        record: null,
        refused: null,
        runs: [],
        scheduled: [],
        conditions: [],
      };
      try {
        if (mode === 'create') {
          result.record = await createWithin(trx, engine, rctx, snapshot, m, changes ?? {});
        } else if (mode === 'update') {
          const version =
            (changes as Record<string, unknown>).version ??
            (await versionOf(trx, m.table, recordId as string));
          result.record = await updateWithin(trx, engine, rctx, snapshot, m, recordId as string, {
            ...changes,
            version,
          });
        } else {
          const row = await getRecord(engine, ctx, module, recordId as string, {});
          result.record = row;
          const zone = await engine.zones.forUser('');
          const all = [...(m.automations?.byName.values() ?? [])];
          for (const a of all) {
            const data = await recordData(trx, m, a.lookups, row);
            result.conditions.push({
              automation: a.doc.name,
              trigger: a.doc.trigger.on,
              holds: conditionHolds(a.when, data, ctx),
              due:
                a.doc.trigger.on === 'date' || a.doc.trigger.on === 'no_activity'
                  ? (dueAt(a.doc.trigger, row, zone)?.toISOString() ?? null)
                  : null,
            });
          }
        }
      } catch (e) {
        if (!(e instanceof AtriumError)) throw e;
        result.refused = e.toJSON(ctx.locale).error;
        result.record = null;
      }
      result.runs = [...recorder.runs].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
      result.scheduled = recorder.scheduled;
      throw new RolledBack(result);
    });
  } catch (e) {
    if (e instanceof RolledBack) return e.result;
    throw e;
  }
  throw new Error('unreachable: a dry run always rolls back');
}

async function versionOf(trx: Parameters<typeof updateWithin>[0], table: string, id: string) {
  if (!UUID.test(id)) return 1;
  const r = await sql<{
    version: number;
  }>`select version from ${sql.raw(table)} where id = ${id}`.execute(trx);
  return r.rows[0]?.version ?? 1;
}

function parse(body: unknown): {
  module: string;
  recordId?: string;
  changes?: Record<string, unknown>;
} {
  const problems: Problem[] = [];
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new AtriumError('VALIDATION_FAILED', [recordMsg.at('(body)', 'jsonObject')]);
  const { module, recordId, changes, ...rest } = body as Record<string, unknown>;
  for (const k of Object.keys(rest)) problems.push(valueMsg.at(k, 'unknownField'));
  if (typeof module !== 'string' || module === '') problems.push(valueMsg.at('module', 'required'));
  if (recordId !== undefined && (typeof recordId !== 'string' || !UUID.test(recordId)))
    problems.push(automationMsg.at('recordId', 'recordId'));
  if (
    changes !== undefined &&
    (changes === null || typeof changes !== 'object' || Array.isArray(changes))
  )
    problems.push(recordMsg.at('changes', 'jsonObject'));
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
  return {
    module: module as string,
    ...(recordId !== undefined && { recordId: recordId as string }),
    ...(changes !== undefined && { changes: changes as Record<string, unknown> }),
  };
}
