import { type FieldDef, type Locale, labelText, listIn, type MetadataDoc } from '@atrium/metadata';
import { message } from './messages.js';
import { findModule, recordTitle } from './metadata.js';

/** What formatting a value depends on besides the field. */
export interface FormatOptions {
  locale: Locale;
  timeZone: string;
  /** ISO 4217 code of the record (`currency_code`); money without one is shown as a number. */
  currency?: string | null;
  /** Lets an expanded lookup show its target's record name. */
  documents?: MetadataDoc[];
  /** Names users by id (owner, created by); without it a user shows as their id. */
  userName?: (id: string) => string | undefined;
}

/** Dates as users of each language expect them: 2026/11/27 in zh-CN, Nov 27, 2026 in en. */
function dateParts(locale: Locale): Intl.DateTimeFormatOptions {
  return locale === 'zh-CN'
    ? { year: 'numeric', month: '2-digit', day: '2-digit' }
    : { year: 'numeric', month: 'short', day: 'numeric' };
}

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f as T;
}

function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  return cached(
    `n:${locale}:${JSON.stringify(options)}`,
    () => new Intl.NumberFormat(locale, options),
  );
}

/** A date (`2026-11-27`) as the user's language writes it; a plain date has no zone. */
export function formatDate(value: string, locale: Locale): string {
  const [y, m, d] = value.slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return value;
  const f = cached(
    `d:${locale}`,
    () => new Intl.DateTimeFormat(locale, { ...dateParts(locale), timeZone: 'UTC' }),
  );
  return f.format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant on the user's clock: date and hours:minutes in their time zone. */
export function formatDateTime(value: string, locale: Locale, timeZone: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const f = cached(
    `t:${locale}:${timeZone}`,
    () =>
      new Intl.DateTimeFormat(locale, {
        ...dateParts(locale),
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
        timeZone,
      }),
  );
  return f.format(date);
}

function optionLabel(field: FieldDef, value: unknown, locale: Locale): string {
  const option = field.options?.find((o) => o.value === value);
  return labelText(option?.label, locale, String(value));
}

/**
 * A value as text for the user: money with its currency, dates and datetimes in their language
 * and zone, picklist labels in their language. Empty values are ''.
 * @example formatValue({ name: 'amount', type: 'currency' }, 1200000, { locale: 'zh-CN', timeZone: 'Asia/Shanghai', currency: 'CNY' }) // '¥1,200,000.00'
 */
export function formatValue(field: FieldDef, value: unknown, options: FormatOptions): string {
  if (value === null || value === undefined || value === '') return '';
  const { locale } = options;
  const type = field.type === 'formula' ? (field.returns ?? 'text') : field.type;
  switch (type) {
    case 'integer':
    case 'decimal': {
      const n = Number(value);
      if (!Number.isFinite(n)) return String(value);
      const scale = type === 'integer' ? 0 : (field.scale ?? 2);
      return numberFormat(locale, { maximumFractionDigits: scale }).format(n);
    }
    case 'currency': {
      const n = Number(value);
      if (!Number.isFinite(n)) return String(value);
      const scale = field.scale ?? 2;
      return options.currency
        ? numberFormat(locale, {
            style: 'currency',
            currency: options.currency,
            minimumFractionDigits: scale,
            maximumFractionDigits: scale,
          }).format(n)
        : numberFormat(locale, {
            minimumFractionDigits: scale,
            maximumFractionDigits: scale,
          }).format(n);
    }
    case 'percent': {
      const n = Number(value);
      if (!Number.isFinite(n)) return String(value);
      // Stored as 0–100 (what the user types), shown with the locale's percent sign.
      return numberFormat(locale, {
        style: 'percent',
        maximumFractionDigits: field.scale ?? 2,
      }).format(n / 100);
    }
    case 'boolean':
      return message(locale, value ? 'yes' : 'no');
    case 'date':
      return formatDate(String(value), locale);
    case 'datetime':
      return formatDateTime(String(value), locale, options.timeZone);
    case 'picklist':
      return optionLabel(field, value, locale);
    case 'multipicklist':
      return Array.isArray(value)
        ? listIn(
            value.map((v) => optionLabel(field, v, locale)),
            locale,
          )
        : '';
    case 'tags':
      return Array.isArray(value) ? listIn(value.map(String), locale) : String(value);
    case 'lookup': {
      if (typeof value === 'object') {
        const target =
          field.target && options.documents
            ? findModule(options.documents, field.target)
            : undefined;
        const record = value as Record<string, unknown>;
        return target ? recordTitle(target, record) : String(record.name ?? record.id ?? '');
      }
      return String(value);
    }
    case 'user':
      return options.userName?.(String(value)) ?? String(value);
    default:
      return String(value);
  }
}
