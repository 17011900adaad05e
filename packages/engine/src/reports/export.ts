import type { Locale } from '@atrium/metadata';
import exceljs from 'exceljs';
import type { AggregateColumn } from './aggregate.js';
import type { ReportResult, ReportRow } from './report-run.js';

/** A report written as a file. */
export interface ReportFile {
  contentType: string;
  filename: string;
  body: Buffer;
}

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

function filename(result: ReportResult, ext: string): string {
  return `${result.report}-${new Date().toISOString().slice(0, 10)}.${ext}`;
}

/**
 * CSV as Excel opens it: UTF-8 with a byte-order mark (without it Excel reads Chinese as
 * mojibake), CRLF line ends, fields quoted when they hold a comma, quote or line break. A text
 * starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
 */
export function reportCsv(result: ReportResult, locale: Locale): ReportFile {
  const { head, lines } = table(result, locale);
  const field = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [head, ...lines].map((l) => l.map(field).join(',')).join('\r\n');
  return {
    contentType: 'text/csv; charset=utf-8',
    filename: filename(result, 'csv'),
    body: Buffer.from(`\uFEFF${text}\r\n`, 'utf8'),
  };
}

const NUMBER_FORMATS: Record<string, string> = {
  currency: '#,##0.00',
  percent: '0.0%',
  days: '0.0',
  number: '#,##0.##',
};

/** An .xlsx workbook of one sheet: bold headings, figures as numbers in their format. */
export async function reportXlsx(result: ReportResult, locale: Locale): Promise<ReportFile> {
  const { head, lines } = table(result, locale);
  const book = new exceljs.Workbook();
  // Sheet names: at most 31 characters, none of []:*?/\
  const sheet = book.addWorksheet(
    result.label.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Report',
  );
  sheet.addRow(head).font = { bold: true };
  for (const l of lines) sheet.addRow(l);
  result.columns.forEach((c, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.min(40, Math.max(12, c.label.length + 4));
    if (c.role === 'measure') column.numFmt = NUMBER_FORMATS[c.type] ?? '#,##0.##';
  });
  const last = sheet.lastRow;
  if (result.totals && last) last.font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename: filename(result, 'xlsx'),
    body: Buffer.from(await book.xlsx.writeBuffer()),
  };
}
