import type { JsonLogic } from '@atrium/metadata';
import { saveFile } from './files.js';
import { type HttpSession, query, request } from './http.js';

/** JSON Logic as the list route takes it (`true` for "every record"). */
export type Logic = { [op: string]: JsonLogic } | boolean;

/** Where a figure's records are: the list of `module` with `filter` (see docs/reports.md). */
export interface Drill {
  module: string;
  filter: Logic;
}

export interface ReportColumn {
  key: string;
  label: string;
  role: 'group' | 'measure';
  /** `currency`, `number`, `percent` (a ratio 0–1), `days`, or the field type for groups. */
  type: string;
}

/** One row of a report: group keys and figures, their labels and drill-downs. */
export interface ReportRow {
  [key: string]: unknown;
  $labels?: Record<string, string>;
  $drill?: Record<string, Drill>;
}

export interface Period {
  name: string;
  from: string;
  to: string;
}

export interface MissingRates {
  currencies: string[];
  records: number;
}

/** `GET /api/reports/:name`. */
export interface ReportAnswer {
  report: string;
  type: string;
  chart: string;
  label: string;
  module: string;
  currency: string;
  period: Period | null;
  owner: string | null;
  columns: ReportColumn[];
  rows: ReportRow[];
  totals?: ReportRow;
  truncated?: boolean;
  missingRates?: MissingRates;
}

export interface ReportSummary {
  name: string;
  label: string;
  type: string;
  module: string;
  chart: string;
}

export type WidgetType = 'kpi' | 'bar' | 'line' | 'donut' | 'funnel' | 'table';

export interface Kpi {
  value: number | null;
  previous: number | null;
  change: number | null;
  currency: string;
  type: string;
  previousPeriod?: { from: string; to: string } | null;
}

/** One widget of `GET /api/dashboards/:name`: a result, or the refusal of its report. */
export interface DashboardWidget {
  report: string;
  type: WidgetType;
  title: string;
  position: { x: number; y: number; w: number; h: number };
  measure?: string;
  result?: ReportAnswer;
  kpi?: Kpi;
  error?: { code: string; message: string };
}

export interface DashboardAnswer {
  name: string;
  label: string;
  period: Period | null;
  owner: string | null;
  filter: { period?: string; owner?: boolean };
  widgets: DashboardWidget[];
}

/** The dashboard filter, as the URL and the API both take it. */
export interface ReportFilter {
  period?: string;
  owner?: string;
}

/** Calls of the reporting API (docs/reports.md). */
export function createReportsApi(session: HttpSession) {
  const name = (n: string) => encodeURIComponent(n);
  return {
    reports: () => request<ReportSummary[]>(session, 'GET', '/api/reports'),
    dashboards: () => request<{ name: string; label: string }[]>(session, 'GET', '/api/dashboards'),
    report: (report: string, filter: ReportFilter) =>
      request<ReportAnswer>(session, 'GET', `/api/reports/${name(report)}${query({ ...filter })}`),
    dashboard: (dashboard: string, filter: ReportFilter) =>
      request<DashboardAnswer>(
        session,
        'GET',
        `/api/dashboards/${name(dashboard)}${query({ ...filter })}`,
      ),
    /**
     * The report as a file. The API wants the bearer token, so a plain link cannot download it:
     * fetch it as a blob and hand the browser an object URL.
     */
    download: (report: string, filter: ReportFilter, format: 'csv' | 'xlsx') =>
      saveFile(
        session,
        `/api/reports/${name(report)}${query({ ...filter, format })}`,
        `${report}.${format}`,
      ),
  };
}

export type ReportsApi = ReturnType<typeof createReportsApi>;
