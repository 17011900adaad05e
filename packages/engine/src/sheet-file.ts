import { PassThrough } from 'node:stream';
import exceljs from 'exceljs';

/** A table written as a file to download. */
export interface SheetFile {
  contentType: string;
  filename: string;
  body: Buffer;
}

/** What a sheet holds: headings, then one line per row; cells are text, numbers, booleans or empty. */
export interface SheetTable {
  head: string[];
  lines: unknown[][];
}

/** `<name>-<YYYY-MM-DD>.<ext>`, the date of the export (UTC). */
export function datedFilename(name: string, ext: string): string {
  return `${name}-${new Date().toISOString().slice(0, 10)}.${ext}`;
}

/**
 * CSV as Excel opens it: UTF-8 with a byte-order mark (without it Excel reads Chinese as
 * mojibake), CRLF line ends, fields quoted when they hold a comma, quote or line break. A text
 * starting with = + - @ is prefixed with ' so a spreadsheet does not run it as a formula.
 */
export function csvFile(table: SheetTable, filename: string): SheetFile {
  const field = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    let s = String(v);
    if (typeof v === 'string' && /^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const text = [table.head, ...table.lines].map((l) => l.map(field).join(',')).join('\r\n');
  return {
    contentType: 'text/csv; charset=utf-8',
    filename,
    body: Buffer.from(`\uFEFF${text}\r\n`, 'utf8'),
  };
}

/** How an .xlsx sheet is laid out beyond its cells. */
export interface XlsxLayout {
  /** The sheet's name (cleaned to what Excel accepts). */
  sheet: string;
  /** Excel number formats by column index (0-based). */
  numFmts?: ReadonlyMap<number, string>;
  /** The last line is a totals line, in bold. */
  boldLast?: boolean;
}

/**
 * An .xlsx workbook of one sheet: bold, frozen headings; numbers stay numbers. Written by
 * exceljs's streaming writer, each row committed as it is added, so a large sheet does not
 * hold a whole workbook model in memory (100,000 records: 1.7 GB of process memory with the
 * in-memory workbook).
 */
export async function xlsxFile(
  table: SheetTable,
  filename: string,
  layout: XlsxLayout,
): Promise<SheetFile> {
  const chunks: Buffer[] = [];
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const book = new exceljs.stream.xlsx.WorkbookWriter({ stream, useStyles: true });
  // Sheet names: at most 31 characters, none of []:*?/\
  const sheet = book.addWorksheet(
    layout.sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet',
    { views: [{ state: 'frozen', ySplit: 1 }] },
  );
  // Before any row: a streamed cell takes its column's style when it is made.
  sheet.columns = table.head.map((h, i) => {
    const numFmt = layout.numFmts?.get(i);
    return {
      width: Math.min(40, Math.max(12, h.length + 4)),
      ...(numFmt && { style: { numFmt } }),
    };
  });
  const head = sheet.addRow(table.head);
  head.font = { bold: true };
  head.commit();
  table.lines.forEach((l, i) => {
    const row = sheet.addRow(l);
    if (layout.boldLast && i === table.lines.length - 1) row.font = { bold: true };
    row.commit();
  });
  sheet.commit();
  await book.commit();
  return {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename,
    body: Buffer.concat(chunks),
  };
}
