import { dayStart, type Label, type Locale, labelText } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { readView } from '../access-view.js';
import { moduleOf } from '../engine.js';
import { AtriumError } from '../errors.js';
import { filterSql } from '../records/filter-sql.js';
import { withFreshMetadata } from '../records/fresh-metadata.js';
import { listMsg } from '../records/list-messages.js';
import { callerVars, compile, scopedJoins } from '../records/read.js';
import { qt } from '../sql-names.js';
import type { AggregateColumn } from './aggregate.js';
import { homeCurrency } from './currencies.js';
import { fieldLabel } from './group-labels.js';
import type { DrillDown, ReportResult, ReportRow, ReportRun } from './report-run.js';
import { resultHead } from './report-run.js';

const HEADINGS = {
  entered: { en: 'Entered', 'zh-CN': '进入数' },
  advanced: { en: 'Moved to next stage', 'zh-CN': '进入下一阶段' },
  conversion: { en: 'Conversion to next stage', 'zh-CN': '阶段转化率' },
  median_days: { en: 'Median days in stage', 'zh-CN': '停留天数中位数' },
} as const satisfies Record<string, Record<Locale, string>>;

/** A figure drills down to its records by id while they are this few (a URL must hold them). */
const DRILL_IDS = 100;

/**
 * A stage field's funnel, from the field history (`_history`: every create and change of the
 * field is an entry `{"<field>": {"from", "to"}}`): per stage, the records that entered it in the
 * period, how many of those later entered the next stage, and the median time a stay in the
 * stage lasted (stays that began in the period and have ended). One query, over the records the
 * caller may read that meet the report's filters.
 */
export function runFunnel(run: ReportRun): Promise<ReportResult> {
  return withFreshMetadata(run.engine, () => funnel(run));
}

async function funnel(run: ReportRun): Promise<ReportResult> {
  const { engine, ctx, doc } = run;
  const snapshot = engine.metadata.current;
  const base = moduleOf(snapshot, doc.module);
  engine.access.authorize(ctx.actor, base, 'read');
  const m = readView(engine.access, ctx.actor, base, snapshot.modules);
  const ref = doc.field ? m.resolve(doc.field) : undefined;
  if (ref?.field.type !== 'picklist')
    throw new AtriumError('INVALID_QUERY', [
      listMsg.at('report.field', 'notAField', { name: String(doc.field), module: doc.module }),
    ]);
  const field = ref.field;
  const stages = doc.stages ?? (field.options ?? []).map((o) => o.value);
  const nexts = stages.map((_, i) => stages[i + 1] ?? null);
  const vars = callerVars(ctx);
  const joins = scopedJoins(engine, ctx, m, snapshot);
  const where: RawBuilder<unknown>[] = [sql`r.deleted_at is null`];
  for (const f of run.filters)
    where.push(filterSql(compile(m, f.logic, f.path, vars, ctx.timeZone), joins));
  const scope = engine.access.scope(ctx.actor, base, 'read');
  if (scope) where.push(scope);
  const zone = ctx.timeZone ?? 'UTC';
  const from = run.period ? dayStart(run.period.from, zone).toISOString() : null;
  const to = run.period ? dayStart(run.period.to, zone).toISOString() : null;
  const inPeriod = (col: string) =>
    from === null
      ? sql`true`
      : sql`${sql.raw(col)} >= ${from}::timestamptz and ${sql.raw(col)} < ${to}::timestamptz`;
  const history = sql.raw(qt(engine.workspace.schema, '_history'));
  // Changes before the period matter to no figure: what entered a stage in the period left it
  // (or moved on) later.
  const since = from === null ? sql`` : sql` and h.at >= ${from}::timestamptz`;
  const result = await sql<{
    stage: string;
    entered: number;
    advanced: number | null;
    median_days: number | null;
    entered_ids: string[] | null;
    advanced_ids: string[] | null;
  }>`with changes as (
      select h.record_id, h.id, h.at, h.changes -> ${field.name} ->> 'to' as stage
      from ${history} h join ${sql.raw(m.table)} r on r.id = h.record_id${joins.from()}
      where h.module = ${doc.module} and h.changes ? ${field.name}${since}
        and ${sql.join(where, sql` and `)}
    ), stays as (
      select record_id, stage, at as entered,
        lead(at) over (partition by record_id order by id) as left_at
      from changes
    ), per as (
      -- Per record and stage: its first entry in the period, its last entry at all. Grouped
      -- and hash-joined below, so the query stays linear in the history it reads.
      select record_id, stage, min(entered) filter (where ${inPeriod('entered')}) as first_in,
        max(entered) as last_in
      from stays group by record_id, stage
    ), steps as (
      select * from unnest(${stages}::text[], ${nexts}::text[]) with ordinality as s(stage, next, n)
    ), entries as (
      select s.n, p.record_id, coalesce(q.last_in > p.first_in, false) as moved
      from steps s join per p on p.stage = s.stage and p.first_in is not null
      left join per q on q.record_id = p.record_id and q.stage = s.next
    ), medians as (
      select stage, percentile_cont(0.5) within group (order by extract(epoch from left_at - entered)) as secs
      from stays where left_at is not null and ${inPeriod('entered')} group by stage
    )
    select s.stage, count(e.record_id)::int as entered,
      case when s.next is null then null else (count(e.record_id) filter (where e.moved))::int end as advanced,
      round((m.secs / 86400)::numeric, 2) as median_days,
      case when count(e.record_id) <= ${DRILL_IDS}
        then coalesce(array_agg(e.record_id order by e.record_id) filter (where e.record_id is not null), '{}') end as entered_ids,
      case when count(e.record_id) filter (where e.moved) <= ${DRILL_IDS}
        then coalesce(array_agg(e.record_id order by e.record_id) filter (where e.moved), '{}') end as advanced_ids
    from steps s left join entries e on e.n = s.n left join medians m on m.stage = s.stage
    group by s.n, s.stage, s.next, m.secs
    order by s.n`.execute(engine.db);

  // Too many ids for a URL: no drill-down for that figure (null from the query).
  const byIds = (ids: string[] | null): DrillDown | undefined =>
    ids === null
      ? undefined
      : { module: doc.module, filter: ids.length === 0 ? false : { in: [{ var: 'id' }, ids] } };
  const rows: ReportRow[] = result.rows.map((r) => {
    const option = field.options?.find((o) => o.value === r.stage);
    const $drill: Record<string, DrillDown> = {};
    const entered = byIds(r.entered_ids);
    const advanced = byIds(r.advanced_ids);
    if (entered) $drill.entered = $drill.median_days = entered;
    if (advanced && r.advanced !== null) $drill.advanced = $drill.conversion = advanced;
    return {
      stage: r.stage,
      entered: r.entered,
      advanced: r.advanced,
      conversion:
        r.advanced === null || r.entered === 0
          ? null
          : Math.round((r.advanced / r.entered) * 10_000) / 10_000,
      median_days: r.median_days,
      $labels: { stage: labelText(option?.label as Label | undefined, ctx.locale, r.stage) },
      $drill,
    };
  });
  const columns: AggregateColumn[] = [
    { key: 'stage', label: fieldLabel(field, ctx.locale), role: 'group', type: 'picklist' },
    { key: 'entered', label: HEADINGS.entered[ctx.locale], role: 'measure', type: 'number' },
    { key: 'advanced', label: HEADINGS.advanced[ctx.locale], role: 'measure', type: 'number' },
    { key: 'conversion', label: HEADINGS.conversion[ctx.locale], role: 'measure', type: 'percent' },
    { key: 'median_days', label: HEADINGS.median_days[ctx.locale], role: 'measure', type: 'days' },
  ];
  return { ...resultHead(run, await homeCurrency(engine)), columns, rows };
}
