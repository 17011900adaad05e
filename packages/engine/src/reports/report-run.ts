import {
  groupSpecs,
  type JsonLogic,
  labelText,
  measureSpecs,
  type ReportDoc,
  storedType,
} from '@atrium/metadata';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { Snapshot } from '../records/compiled-module.js';
import {
  type AggregateColumn,
  type AggregateResult,
  type AggregateRow,
  aggregate,
} from './aggregate.js';
import { specAt } from './aggregate-query.js';
import { runForecast } from './forecast.js';
import { runFunnel } from './funnel.js';
import { runLeaderboard } from './leaderboard.js';
import { reportMsg } from './report-messages.js';
import {
  ownerFilter,
  type Period,
  periodFilter,
  type ReportQuery,
  resolvePeriod,
} from './report-query.js';

/** The records behind one figure: `GET /api/records/<module>?filter=<filter>`. */
export interface DrillDown {
  module: string;
  filter: JsonLogic;
}

/** A row of a report: group values and figures, their labels, and each figure's drill-down. */
export type ReportRow = Record<string, unknown> & {
  $labels: Record<string, string>;
  $drill: Record<string, DrillDown>;
};

/** The answer of every report type (docs/reports.md). */
export interface ReportResult {
  report: string;
  type: ReportDoc['type'];
  chart?: string;
  label: string;
  module: string;
  currency: string;
  period: Period | null;
  owner: string | null;
  columns: AggregateColumn[];
  rows: ReportRow[];
  totals?: ReportRow;
  truncated?: true;
  missingRates?: AggregateResult['missingRates'];
}

/** What every report type is run with: the request resolved, the common filters. */
export interface ReportRun {
  engine: Engine;
  ctx: RequestContext;
  doc: ReportDoc;
  period: Period | null;
  owner: string | null;
  asOf?: string;
  /** Run beside a dashboard's other widgets (report-settings.ts). */
  alongside?: boolean;
  /** The report's filter and the owner's, each with the path its refusals are reported at. */
  filters: { logic: JsonLogic; path: string }[];
  /** The same plus the period on `dateField` (when the report has one). */
  periodFilters(period: Period | null): { logic: JsonLogic; path: string }[];
}

const byName = new WeakMap<Snapshot, Map<string, ReportDoc>>();

/** The report documents of a revision by name, indexed once per revision. */
export function reportsOf(snapshot: Snapshot): Map<string, ReportDoc> {
  let known = byName.get(snapshot);
  if (!known) {
    known = new Map(
      snapshot.documents.filter((d): d is ReportDoc => d.kind === 'report').map((d) => [d.name, d]),
    );
    byName.set(snapshot, known);
  }
  return known;
}

export function reportDoc(engine: Engine, name: string): ReportDoc {
  const doc = reportsOf(engine.metadata.current).get(name);
  if (!doc) throw new AtriumError('UNKNOWN_REPORT', [reportMsg.at('name', 'noReport', { name })]);
  return doc;
}

/** Runs report `name` for the caller with the dashboard filter (period, owner) of `query`. */
export function runReport(
  engine: Engine,
  ctx: RequestContext,
  name: string,
  query: ReportQuery,
): Promise<ReportResult> {
  const doc = reportDoc(engine, name);
  return runReportDoc(
    engine,
    ctx,
    doc,
    resolvePeriod(query.period ?? doc.defaultPeriod, ctx),
    query,
  );
}

export function runReportDoc(
  engine: Engine,
  ctx: RequestContext,
  doc: ReportDoc,
  period: Period | null,
  query: Pick<ReportQuery, 'owner' | 'asOf'>,
  options: { alongside?: boolean } = {},
): Promise<ReportResult> {
  const owner = ownerFilter(query.owner);
  const filters: { logic: JsonLogic; path: string }[] = [];
  if (doc.filter !== undefined) filters.push({ logic: doc.filter, path: 'report.filter' });
  if (owner) filters.push({ logic: owner, path: 'owner' });
  const m = moduleOf(engine.metadata.current, doc.module);
  const dateRef = doc.dateField ? m.resolve(doc.dateField) : undefined;
  const run: ReportRun = {
    engine,
    ctx,
    doc,
    period: doc.type === 'funnel' || dateRef ? period : null,
    owner: query.owner ?? null,
    ...(query.asOf !== undefined && { asOf: query.asOf }),
    ...(options.alongside && { alongside: true }),
    filters,
    periodFilters: (p) =>
      p && doc.dateField && dateRef
        ? [
            ...filters,
            {
              logic: periodFilter(
                doc.dateField,
                p,
                storedType(dateRef) === 'datetime',
                ctx.timeZone,
              ),
              path: 'period',
            },
          ]
        : filters,
  };
  switch (doc.type) {
    case 'summary':
      return runSummary(run);
    case 'funnel':
      return runFunnel(run);
    case 'forecast':
      return runForecast(run);
    case 'leaderboard':
      return runLeaderboard(run);
  }
}

/** The common head of an answer. */
export function resultHead(
  run: ReportRun,
  currency: string,
): Omit<ReportResult, 'columns' | 'rows'> {
  const { doc, ctx } = run;
  return {
    report: doc.name,
    type: doc.type,
    ...(doc.chart && { chart: doc.chart }),
    label: labelText(doc.label, ctx.locale, doc.name),
    module: doc.module,
    currency,
    period: run.period,
    owner: run.owner,
  };
}

/** An aggregate row as a report row: every figure drills down to the row's records. */
export function drillRow(row: AggregateRow, module: string, keys: readonly string[]): ReportRow {
  const { $filter, $labels, ...values } = row;
  const $drill: Record<string, DrillDown> = {};
  for (const k of keys) $drill[k] = { module, filter: $filter };
  return { ...values, $labels, $drill };
}

async function runSummary(run: ReportRun): Promise<ReportResult> {
  const { engine, ctx, doc } = run;
  const result = await aggregate(
    engine,
    ctx,
    {
      module: doc.module,
      groups: [],
      measures: [],
      filters: run.periodFilters(run.period),
      ...(run.asOf !== undefined && { asOf: run.asOf }),
      ...(doc.sort !== undefined && { sort: doc.sort }),
      ...(doc.limit !== undefined && { limit: doc.limit }),
      ...(run.alongside && { alongside: true }),
      totals: true,
    },
    (m) => ({
      groups: specAt('report.groupBy', () => groupSpecs(m.resolve, m.doc.name, doc.groupBy ?? [])),
      measures: specAt('report.measures', () =>
        measureSpecs(m.resolve, m.doc.name, doc.measures ?? []),
      ),
    }),
  );
  const keys = result.columns.filter((c) => c.role === 'measure').map((c) => c.key);
  return {
    ...resultHead(run, result.currency),
    columns: result.columns,
    rows: result.rows.map((r) => drillRow(r, doc.module, keys)),
    ...(result.totals && { totals: drillRow(result.totals, doc.module, keys) }),
    ...(result.truncated && { truncated: true as const }),
    ...(result.missingRates && { missingRates: result.missingRates }),
  };
}
