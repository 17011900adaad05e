import { type DashboardDoc, type DashboardWidget, labelText } from '@atrium/metadata';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { Snapshot } from '../records/compiled-module.js';
import { reportMsg } from './report-messages.js';
import { type Period, previousPeriod, type ReportQuery, resolvePeriod } from './report-query.js';
import { type ReportResult, reportsOf, runReportDoc } from './report-run.js';

/** A KPI: the figure over the period and over the period before, and the change. */
export interface Kpi {
  value: number | null;
  previous: number | null;
  /** (value − previous) / previous; null without a previous figure to compare with. */
  change: number | null;
  type: string;
  currency: string;
  previousPeriod: Period | null;
}

export interface WidgetAnswer {
  report: string;
  type: DashboardWidget['type'];
  title: string;
  position: DashboardWidget['position'];
  measure?: string;
  result?: ReportResult;
  kpi?: Kpi;
  error?: { code: string; message: string };
}

export interface DashboardAnswer {
  name: string;
  label: string;
  period: Period | null;
  owner: string | null;
  filter: NonNullable<DashboardDoc['filter']>;
  widgets: WidgetAnswer[];
}

const byName = new WeakMap<Snapshot, Map<string, DashboardDoc>>();

export function dashboardsOf(snapshot: Snapshot): Map<string, DashboardDoc> {
  let known = byName.get(snapshot);
  if (!known) {
    known = new Map(
      snapshot.documents
        .filter((d): d is DashboardDoc => d.kind === 'dashboard')
        .map((d) => [d.name, d]),
    );
    byName.set(snapshot, known);
  }
  return known;
}

/**
 * Every widget of a dashboard, for the caller, in one answer: the dashboard's filter (period,
 * owner) applied to each report, the reports run side by side. A widget the caller may not run
 * carries its refusal (`error`) and the others still answer.
 */
export async function runDashboard(
  engine: Engine,
  ctx: RequestContext,
  name: string,
  query: Omit<ReportQuery, 'format'>,
): Promise<DashboardAnswer> {
  const snapshot = engine.metadata.current;
  const doc = dashboardsOf(snapshot).get(name);
  if (!doc)
    throw new AtriumError('UNKNOWN_DASHBOARD', [reportMsg.at('name', 'noDashboard', { name })]);
  const period = resolvePeriod(query.period ?? doc.filter?.period, ctx);
  const owner = doc.filter?.owner === false ? undefined : query.owner;
  if (doc.filter?.owner === false && query.owner !== undefined)
    throw new AtriumError('INVALID_QUERY', [reportMsg.at('owner', 'noOwnerFilter')]);
  const reports = reportsOf(snapshot);
  const rest = {
    ...(owner !== undefined && { owner }),
    ...(query.asOf !== undefined && { asOf: query.asOf }),
  };
  // The widgets run side by side, each statement without parallel workers of its own.
  const alongside = { alongside: true };
  const widgets = await Promise.all(
    doc.widgets.map(async (w): Promise<WidgetAnswer> => {
      const report = reports.get(w.report);
      const answer: WidgetAnswer = {
        report: w.report,
        type: w.type,
        title: labelText(w.title ?? report?.label, ctx.locale, w.report),
        position: w.position,
        ...(w.measure && { measure: w.measure }),
      };
      try {
        if (!report)
          throw new AtriumError('UNKNOWN_REPORT', [
            reportMsg.at('report', 'noReport', { name: w.report }),
          ]);
        // A KPI's period before is known before either runs (the forecast's own months are
        // known only from its answer): both are asked for at once, on two connections.
        const before =
          w.type === 'kpi' &&
          period !== null &&
          report.type !== 'forecast' &&
          (report.type === 'funnel' || report.dateField !== undefined)
            ? runReportDoc(engine, ctx, report, previousPeriod(period), rest, alongside)
            : undefined;
        // Settled here so a refusal of the current run does not leave this one unhandled.
        before?.catch(() => {});
        const result = await runReportDoc(engine, ctx, report, period, rest, alongside);
        answer.result = result;
        if (w.type === 'kpi') {
          const previous =
            result.period === null
              ? undefined
              : await (before ??
                  runReportDoc(
                    engine,
                    ctx,
                    report,
                    previousPeriod(result.period),
                    rest,
                    alongside,
                  ));
          answer.kpi = kpiOf(result, previous, w.measure);
        }
      } catch (e) {
        if (!(e instanceof AtriumError) || e.status >= 500) throw e;
        answer.error = { code: e.code, message: e.localMessage(ctx.locale) };
      }
      return answer;
    }),
  );
  return {
    name: doc.name,
    label: labelText(doc.label, ctx.locale, doc.name),
    period,
    owner: owner ?? null,
    filter: doc.filter ?? {},
    widgets,
  };
}

function kpiOf(result: ReportResult, previous: ReportResult | undefined, measure?: string): Kpi {
  const column =
    result.columns.find((c) => c.role === 'measure' && c.key === measure) ??
    result.columns.find((c) => c.role === 'measure');
  const figure = (r: ReportResult | undefined): number | null => {
    if (!r || !column) return null;
    const v = r.totals?.[column.key] ?? (r.rows.length === 1 ? r.rows[0]?.[column.key] : undefined);
    if (typeof v === 'number') return v;
    // No totals row (forecast, funnel): the sum over the rows.
    const values = r.rows
      .map((x) => x[column.key])
      .filter((x): x is number => typeof x === 'number');
    return values.length > 0 ? values.reduce((a, b) => a + b, 0) : null;
  };
  const value = figure(result);
  const before = previous ? figure(previous) : null;
  return {
    value,
    previous: before,
    change:
      value === null || before === null || before === 0
        ? null
        : Math.round(((value - before) / Math.abs(before)) * 10_000) / 10_000,
    type: column?.type ?? 'number',
    currency: result.currency,
    previousPeriod: previous?.period ?? null,
  };
}
