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
import { type AggregateColumn, andOf } from './aggregate.js';
import { homeCurrency } from './currencies.js';
import { fieldLabel } from './group-labels.js';
import type { DrillDown, ReportResult, ReportRow, ReportRun } from './report-run.js';
import { resultHead } from './report-run.js';
import { withReportSettings } from './report-settings.js';

const HEADINGS = {
  entered: { en: 'Entered', 'zh-CN': '进入数' },
  advanced: { en: 'Moved to next stage', 'zh-CN': '进入下一阶段' },
  conversion: { en: 'Conversion to next stage', 'zh-CN': '阶段转化率' },
  median_days: { en: 'Median days in stage', 'zh-CN': '停留天数中位数' },
} as const satisfies Record<string, Record<Locale, string>>;

/**
 * A stage field's funnel, from the field history (`_history`: every create and change of the
 * field is an entry `{"<field>": {"from", "to"}}`): per stage, the records that entered it in the
 * period, how many of those later entered the next stage, and the median time a stay in the
 * stage lasted (stays that began in the period and have ended). Two queries side by side, over
 * the records the caller may read that meet the report's filters.
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
  const stageHistory = sql.raw(qt(engine.workspace.schema, '_stage_history'));
  // Changes before the period matter to no figure: what entered a stage in the period left it
  // (or moved on) later.
  const since = from === null ? sql`` : sql` and h.at >= ${from}::timestamptz`;
  const inPeriod = to === null ? sql`true` : sql`h.at < ${to}::timestamptz`;
  // Whose stays count. With neither scope nor filter: every record not in the recycle bin, by
  // an anti-join on the bin's index (the records' table itself is not read). Else the records
  // the caller may read that meet the filters, joined.
  const whose =
    where.length === 1
      ? sql`not exists (select from ${sql.raw(m.table)} r
          where r.id = h.record_id and r.deleted_at is not null)`
      : sql`exists (select from ${sql.raw(m.table)} r${joins.from()}
          where r.id = h.record_id and ${sql.join(where, sql` and `)})`;
  // The field's entries come from the stage history (reports/stage-history.ts): narrow rows,
  // each with when the record's next entry ended the stay, read from one (module, field, at)
  // index.
  const entries = sql`${stageHistory} h
    where h.module = ${doc.module} and h.field = ${field.name}${since} and ${whose}`;
  // One row per record (a grouped pass over its entries): per position i of the stage list, its
  // first entry into stage i in the period (f_i) and its last entry into stage i at all (l_i).
  // The figures are then counts over these rows; no self-join, no per-stage sort of ids.
  const perRecord: RawBuilder<unknown>[] = [sql`h.record_id`];
  stages.forEach((stage, i) => {
    perRecord.push(
      sql`min(h.at) filter (where h.value = ${stage} and ${inPeriod}) as ${sql.raw(`f${i}`)}`,
    );
    if (i > 0)
      perRecord.push(sql`max(h.at) filter (where h.value = ${stage}) as ${sql.raw(`l${i}`)}`);
  });
  const figures = sql<Record<string, unknown>>`select ${sql.join(
    stages.flatMap((_, i) => {
      const f = sql.raw(`f${i}`);
      const moved = i + 1 < stages.length ? sql`${sql.raw(`l${i + 1}`)} > ${f}` : undefined;
      return [
        sql`count(${f})::int as ${sql.raw(`e${i}`)}`,
        moved
          ? sql`(count(*) filter (where ${moved}))::int as ${sql.raw(`a${i}`)}`
          : sql`null::int as ${sql.raw(`a${i}`)}`,
      ];
    }),
  )} from (select ${sql.join(perRecord)} from ${entries} group by h.record_id) rec`;
  // The stays in a stage of the list that began in the period and have ended: their median
  // length per stage.
  const medians = sql<{ stage: string; days: number }>`select h.value as stage,
      round((percentile_cont(0.5) within group (
        order by extract(epoch from h.left_at - h.at)) / 86400)::numeric, 2)::float8 as days
    from ${entries} and h.left_at is not null and ${inPeriod}
      and h.value = any(${stages}::text[])
    group by h.value`;
  // The two are independent: asked for at once, on two connections.
  const [result, stays] = await Promise.all([
    withReportSettings(engine, run.alongside, async (trx) => {
      // Grouped by sorting rather than hashing: with a group per record, hashing spills in
      // batches and costs more (1M deals, a quarter's 327k entries of 194k records: sorted
      // 215–235 ms, hashed 380–420 ms, more memory for the hash slower still).
      await sql`set local enable_hashagg = off`.execute(trx);
      return figures.execute(trx);
    }),
    withReportSettings(engine, run.alongside, (trx) => medians.execute(trx)),
  ]);
  const [figuresRow] = result.rows as [Record<string, unknown>];
  const medianDays = Object.fromEntries(stays.rows.map((r) => [r.stage, r.days]));
  const stageRows = stages.map((stage, i) => ({
    stage,
    entered: figuresRow[`e${i}`] as number,
    advanced: figuresRow[`a${i}`] as number | null,
    median_days: medianDays[stage] ?? null,
  }));

  // A figure drills down to a list filter over the same history (`entered`, compiled to EXISTS
  // per record), ANDed with the report's and the dashboard's filters as the query applies them:
  // the list pages through all its records, however many.
  const filters = run.filters.map((f) => f.logic);
  const drill = (stage: string, next?: string): DrillDown => ({
    module: doc.module,
    filter: andOf([
      ...filters,
      { entered: [{ var: field.name }, stage, from, to, ...(next === undefined ? [] : [next])] },
    ]),
  });
  const rows: ReportRow[] = stageRows.map((r, i) => {
    const option = field.options?.find((o) => o.value === r.stage);
    const next = stages[i + 1];
    const $drill: Record<string, DrillDown> = {};
    $drill.entered = $drill.median_days = drill(r.stage);
    if (next !== undefined) $drill.advanced = $drill.conversion = drill(r.stage, next);
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
