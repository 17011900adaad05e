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

/** An .xlsx workbook of one sheet: bold, frozen headings; numbers stay numbers. */
export async function xlsxFile(
  table: SheetTable,
  filename: string,
  layout: XlsxLayout,
): Promise<SheetFile> {
  const book = new exceljs.Workbook();
  // Sheet names: at most 31 characters, none of []:*?/\
  const sheet = book.addWorksheet(
    layout.sheet.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet',
  );
  sheet.addRow(table.head).font = { bold: true };
  for (const l of table.lines) sheet.addRow(l);
  table.head.forEach((h, i) => {
    const column = sheet.getColumn(i + 1);
    column.width = Math.min(40, Math.max(12, h.length + 4));
    const format = layout.numFmts?.get(i);
    if (format) column.numFmt = format;
  });
  const last = sheet.lastRow;
  if (layout.boldLast && last) last.font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return {
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename,
    body: Buffer.from(await book.xlsx.writeBuffer()),
  };
}
