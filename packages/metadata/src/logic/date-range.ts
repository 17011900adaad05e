/** Relative periods understood by the `date_in` operation. */
export const DATE_PERIODS = [
  'today',
  'yesterday',
  'tomorrow',
  'this_week',
  'last_week',
  'next_week',
  'this_month',
  'last_month',
  'next_month',
  'this_quarter',
  'last_quarter',
  'next_quarter',
  'this_year',
  'last_year',
  'next_year',
  'last_n_days',
  'next_n_days',
] as const;
export type DatePeriod = (typeof DATE_PERIODS)[number];

const DAY = 86_400_000;

/**
 * The half-open UTC range [from, to) of a relative period at `now`. Weeks start on Monday.
 * `last_n_days` is the N days ending today (today included); `next_n_days` the N days from today.
 * @example dateRange('this_month', new Date('2026-11-23T10:00:00Z')) // [2026-11-01, 2026-12-01)
 */
export function dateRange(period: DatePeriod, now: Date, n = 1): { from: Date; to: Date } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const days = (from: number, count: number) => ({
    from: new Date(from),
    to: new Date(from + count * DAY),
  });
  const months = (fromMonth: number, count: number) => ({
    from: new Date(Date.UTC(y, fromMonth, 1)),
    to: new Date(Date.UTC(y, fromMonth + count, 1)),
  });
  const monday = today - ((now.getUTCDay() + 6) % 7) * DAY;
  const quarter = m - (m % 3);
  switch (period) {
    case 'today':
      return days(today, 1);
    case 'yesterday':
      return days(today - DAY, 1);
    case 'tomorrow':
      return days(today + DAY, 1);
    case 'this_week':
      return days(monday, 7);
    case 'last_week':
      return days(monday - 7 * DAY, 7);
    case 'next_week':
      return days(monday + 7 * DAY, 7);
    case 'this_month':
      return months(m, 1);
    case 'last_month':
      return months(m - 1, 1);
    case 'next_month':
      return months(m + 1, 1);
    case 'this_quarter':
      return months(quarter, 3);
    case 'last_quarter':
      return months(quarter - 3, 3);
    case 'next_quarter':
      return months(quarter + 3, 3);
    case 'this_year':
      return { from: new Date(Date.UTC(y, 0, 1)), to: new Date(Date.UTC(y + 1, 0, 1)) };
    case 'last_year':
      return { from: new Date(Date.UTC(y - 1, 0, 1)), to: new Date(Date.UTC(y, 0, 1)) };
    case 'next_year':
      return { from: new Date(Date.UTC(y + 1, 0, 1)), to: new Date(Date.UTC(y + 2, 0, 1)) };
    case 'last_n_days':
      return days(today - (n - 1) * DAY, n);
    case 'next_n_days':
      return days(today, n);
    default: {
      const unknown: never = period;
      throw new Error(`unknown period ${String(unknown)}`);
    }
  }
}

export function isDatePeriod(value: unknown): value is DatePeriod {
  return typeof value === 'string' && (DATE_PERIODS as readonly string[]).includes(value);
}
