import { dayStart, type Label, type Locale, labelText } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { readView } from '../access-view.js';
import { moduleOf } from '../engine.js';
import { AtriumError } from '../errors.js';
import { filterSql } from '../records/filter-sql.js';
import { withFreshMetadata } from '../records/fresh-metadata.js';
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
      { path: 'report.field', message: `"${doc.field}" is not a field of ${doc.module}` },
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
      where h.module = ${doc.module} and h.changes ? ${field.name} and ${sql.join(where, sql` and `)}
    ), stays as (
      select record_id, stage, at as entered,
        lead(at) over (partition by record_id order by id) as left_at
      from changes
    ), firsts as (
      select record_id, stage, min(entered) as entered from stays
      where ${inPeriod('entered')} group by record_id, stage
    ), steps as (
      select * from unnest(${stages}::text[], ${nexts}::text[]) with ordinality as s(stage, next, n)
    )
    select s.stage,
      (select count(*) from firsts f where f.stage = s.stage) as entered,
      case when s.next is null then null else (select count(*) from firsts f where f.stage = s.stage
        and exists (select 1 from stays x where x.record_id = f.record_id and x.stage = s.next
          and x.entered > f.entered)) end as advanced,
      (select round((percentile_cont(0.5) within group (order by extract(epoch from x.left_at - x.entered)) / 86400)::numeric, 2)
        from stays x where x.stage = s.stage and x.left_at is not null and ${inPeriod('x.entered')}) as median_days,
      (select array_agg(record_id) from (select f.record_id from firsts f where f.stage = s.stage
        order by f.record_id limit ${DRILL_IDS + 1}) z) as entered_ids,
      (select array_agg(record_id) from (select f.record_id from firsts f where f.stage = s.stage
        and exists (select 1 from stays x where x.record_id = f.record_id and x.stage = s.next
          and x.entered > f.entered) order by f.record_id limit ${DRILL_IDS + 1}) z) as advanced_ids
    from steps s order by s.n`.execute(engine.db);

  const byIds = (ids: string[] | null): DrillDown | undefined =>
    ids === null || ids.length > DRILL_IDS
      ? ids === null
        ? { module: doc.module, filter: false }
        : undefined
      : { module: doc.module, filter: { in: [{ var: 'id' }, ids] } };
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
