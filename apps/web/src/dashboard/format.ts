import type { ReportColumn, ReportRow } from '../api/reports.js';

/**
 * A report figure as text in the user's language: money in the answer's currency
 * (`¥1,200,000.00` / `$1,200.00`), ratios as percentages, days with their unit. `compact`
 * shortens big numbers for chart axes (`$1.2M`, `¥120万`).
 */
export function formatFigure(
  value: unknown,
  type: string,
  options: { locale: string; currency: string; compact?: boolean },
): string {
  if (value === null || value === undefined || value === '') return '—';
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return String(value);
  const { locale, currency, compact } = options;
  const shape: Intl.NumberFormatOptions = compact
    ? { notation: 'compact', maximumFractionDigits: 1 }
    : {};
  switch (type) {
    case 'currency':
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        // `¥1,200.00` and `$1,200.00` in both languages, not `CN¥` / `US$`.
        currencyDisplay: 'narrowSymbol',
        ...(compact ? shape : {}),
      }).format(n);
    case 'percent':
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
        n,
      );
    case 'days':
      return new Intl.NumberFormat(locale, {
        style: 'unit',
        unit: 'day',
        unitDisplay: 'long',
        maximumFractionDigits: 1,
      }).format(n);
    default:
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2, ...shape }).format(n);
  }
}

/**
 * The text of a group cell: the server's label, else a date bucket written out in the user's
 * language (a forecast's `month`), else the raw value.
 */
export function groupText(row: ReportRow, column: ReportColumn, locale: string): string {
  const label = row.$labels?.[column.key];
  if (label) return label;
  const value = row[column.key];
  if (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-01$/.test(value) &&
    /date|month/.test(column.type + column.key)
  ) {
    const [y, m] = value.split('-').map(Number) as [number, number];
    return new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'short',
      timeZone: 'UTC',
    }).format(Date.UTC(y, m - 1, 1));
  }
  return value === null || value === undefined ? '—' : String(value);
}

/** A calendar day (`YYYY-MM-DD`) as `Nov 27, 2026` / `2026/11/27`. */
export function formatDay(day: string, locale: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, {
    year: 'numeric',
    month: locale === 'zh-CN' ? '2-digit' : 'short',
    day: locale === 'zh-CN' ? '2-digit' : 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(y, m - 1, d));
}

/** The day before `YYYY-MM-DD` (periods answer `to` as the day after their last). */
export function dayBefore(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}
