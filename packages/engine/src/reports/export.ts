import type { Locale } from '@atrium/metadata';
import { csvFile, datedFilename, type SheetFile, xlsxFile } from '../sheet-file.js';
import type { AggregateColumn } from './aggregate.js';
import type { ReportResult, ReportRow } from './report-run.js';

/** A report written as a file. */
export type ReportFile = SheetFile;

const TOTAL = { en: 'Total', 'zh-CN': '合计' } as const satisfies Record<Locale, string>;

/** The table a report is exported as: headings, then one line per row and the totals. */
function table(result: ReportResult, locale: Locale): { head: string[]; lines: unknown[][] } {
  const cell = (row: ReportRow, c: AggregateColumn) =>
    c.role === 'group' ? (row.$labels[c.key] ?? row[c.key] ?? '') : (row[c.key] ?? null);
  const lines = result.rows.map((r) => result.columns.map((c) => cell(r, c)));
  if (result.totals) {
    const totals = result.totals;
    lines.push(
      result.columns.map((c, i) =>
        c.role === 'group' ? (i === 0 ? TOTAL[locale] : '') : (totals[c.key] ?? null),
      ),
    );
  }
  return { head: result.columns.map((c) => c.label), lines };
}

/**
 * The report as CSV (see csvFile: BOM, CRLF, formula guard), headings and totals in `locale`.
 */
export function reportCsv(result: ReportResult, locale: Locale): ReportFile {
  return csvFile(table(result, locale), datedFilename(result.report, 'csv'));
}

const NUMBER_FORMATS: Record<string, string> = {
  currency: '#,##0.00',
  percent: '0.0%',
  days: '0.0',
  number: '#,##0.##',
};

/** An .xlsx workbook of one sheet: bold headings, figures as numbers in their format. */
export function reportXlsx(result: ReportResult, locale: Locale): Promise<ReportFile> {
  const numFmts = new Map<number, string>();
  result.columns.forEach((c, i) => {
    if (c.role === 'measure') numFmts.set(i, NUMBER_FORMATS[c.type] ?? '#,##0.##');
  });
  return xlsxFile(table(result, locale), datedFilename(result.report, 'xlsx'), {
    sheet: result.label || 'Report',
    numFmts,
    boldLast: Boolean(result.totals),
  });
}
