import {
  type Bucket,
  type FieldDef,
  type GroupSpec,
  type Label,
  type Locale,
  labelText,
  type MeasureSpec,
} from '@atrium/metadata';

/** What a report says where a group has no value, and for yes/no fields. */
const WORDS = {
  empty: { en: '(empty)', 'zh-CN': '（空）' },
  yes: { en: 'Yes', 'zh-CN': '是' },
  no: { en: 'No', 'zh-CN': '否' },
  count: { en: 'Count', 'zh-CN': '数量' },
  sum: { en: 'Sum of {f}', 'zh-CN': '{f}合计' },
  avg: { en: 'Average {f}', 'zh-CN': '{f}平均值' },
  min: { en: 'Lowest {f}', 'zh-CN': '{f}最小值' },
  max: { en: 'Highest {f}', 'zh-CN': '{f}最大值' },
  day: { en: '{f} (day)', 'zh-CN': '{f}（日）' },
  week: { en: '{f} (week)', 'zh-CN': '{f}（周）' },
  month: { en: '{f} (month)', 'zh-CN': '{f}（月）' },
  quarter: { en: '{f} (quarter)', 'zh-CN': '{f}（季度）' },
  year: { en: '{f} (year)', 'zh-CN': '{f}（年）' },
} as const satisfies Record<string, Record<Locale, string>>;

export function word(locale: Locale, key: keyof typeof WORDS, f = ''): string {
  return WORDS[key][locale].replace('{f}', f);
}

export function fieldLabel(field: FieldDef, locale: Locale): string {
  return labelText(field.label as Label | undefined, locale, field.name);
}

/** The heading of a group's column: `Stage`, `Close date (month)`. */
export function groupHeading(g: GroupSpec, locale: Locale): string {
  const f = fieldLabel(g.ref.field, locale);
  return g.bucket ? word(locale, g.bucket, f) : f;
}

/** The heading of a measure's column: `Count`, `Sum of Amount`. */
export function measureHeading(m: MeasureSpec, locale: Locale): string {
  if (m.fn === 'count') return word(locale, 'count');
  return word(locale, m.fn, m.field ? fieldLabel(m.field.field, locale) : m.key);
}

/**
 * The label of one group value in the caller's language: a picklist's option label, a lookup's
 * record name or a user's name (`named`, read by the query), a date bucket written out.
 */
export function groupLabel(g: GroupSpec, value: unknown, named: unknown, locale: Locale): string {
  if (value === null || value === undefined) return word(locale, 'empty');
  const field = g.ref.field;
  if (g.bucket) return bucketLabel(String(value), g.bucket, locale);
  switch (field.type) {
    case 'picklist': {
      const option = field.options?.find((o) => o.value === value);
      return option
        ? labelText(option.label as Label | undefined, locale, option.value)
        : String(value);
    }
    case 'boolean':
      return word(locale, value ? 'yes' : 'no');
    default:
      return typeof named === 'string' && named !== '' ? named : String(value);
  }
}

const formats = new Map<string, Intl.DateTimeFormat>();
function format(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}${JSON.stringify(options)}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', ...options });
    formats.set(key, f);
  }
  return f;
}

/** `2026-10-01` as a quarter → `Q4 2026` / `2026年第4季度`. The day is read as a calendar date. */
export function bucketLabel(day: string, bucket: Bucket, locale: Locale): string {
  const at = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return day;
  const year = at.getUTCFullYear();
  switch (bucket) {
    case 'year':
      return locale === 'zh-CN' ? `${year}年` : String(year);
    case 'quarter': {
      const n = Math.floor(at.getUTCMonth() / 3) + 1;
      return locale === 'zh-CN' ? `${year}年第${n}季度` : `Q${n} ${year}`;
    }
    case 'month':
      return format(locale, {
        year: 'numeric',
        month: locale === 'zh-CN' ? 'long' : 'short',
      }).format(at);
    case 'week': {
      const d = format(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(at);
      return locale === 'zh-CN' ? `${d}当周` : `Week of ${d}`;
    }
    case 'day':
      return format(locale, { year: 'numeric', month: 'short', day: 'numeric' }).format(at);
  }
}
