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

/** A calendar date as days since 1970-01-01 (so date arithmetic never meets a clock change). */
type Day = number;

/**
 * The calendar dates [from, to) of a relative period, as `YYYY-MM-DD`, on the calendar of
 * `timeZone` (an IANA name; UTC by default) at the instant `now`. Weeks start on Monday.
 * `last_n_days` is the N days ending today (today included); `next_n_days` the N days from today.
 * This is what a `date` field is compared with: a date is a date, in no zone.
 * @example periodDates('today', new Date('2026-11-23T20:00:00Z'), 1, 'Asia/Shanghai') // { from: '2026-11-24', to: '2026-11-25' }
 */
export function periodDates(
  period: DatePeriod,
  now: Date,
  n = 1,
  timeZone = 'UTC',
): { from: string; to: string } {
  const [from, to] = periodDays(period, localDay(now, timeZone), n);
  return { from: isoDay(from), to: isoDay(to) };
}

/**
 * The half-open range of instants [from, to) of a relative period: from the first instant of
 * its first day to the first instant of the day after it, on the calendar of `timeZone` (UTC by
 * default). This is what a `datetime` field (stored in UTC) is compared with.
 * @example dateRange('this_month', new Date('2026-11-23T10:00:00Z')) // [2026-11-01T00:00Z, 2026-12-01T00:00Z)
 * @example dateRange('today', new Date('2026-11-23T10:00:00Z'), 1, 'Asia/Shanghai') // [2026-11-22T16:00Z, 2026-11-23T16:00Z)
 */
export function dateRange(
  period: DatePeriod,
  now: Date,
  n = 1,
  timeZone = 'UTC',
): { from: Date; to: Date } {
  const [from, to] = periodDays(period, localDay(now, timeZone), n);
  return { from: startOfDay(from, timeZone), to: startOfDay(to, timeZone) };
}

function periodDays(period: DatePeriod, today: Day, n: number): [Day, Day] {
  const date = new Date(today * DAY);
  const y = date.getUTCFullYear();
  const m = date.getUTCMonth();
  const days = (from: Day, count: number): [Day, Day] => [from, from + count];
  const months = (fromMonth: number, count: number): [Day, Day] => [
    Date.UTC(y, fromMonth, 1) / DAY,
    Date.UTC(y, fromMonth + count, 1) / DAY,
  ];
  const monday = today - ((date.getUTCDay() + 6) % 7);
  const quarter = m - (m % 3);
  switch (period) {
    case 'today':
      return days(today, 1);
    case 'yesterday':
      return days(today - 1, 1);
    case 'tomorrow':
      return days(today + 1, 1);
    case 'this_week':
      return days(monday, 7);
    case 'last_week':
      return days(monday - 7, 7);
    case 'next_week':
      return days(monday + 7, 7);
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
      return months(0, 12);
    case 'last_year':
      return months(-12, 12);
    case 'next_year':
      return months(12, 12);
    case 'last_n_days':
      return days(today - (n - 1), n);
    case 'next_n_days':
      return days(today, n);
    default: {
      const unknown: never = period;
      throw new Error(`unknown period ${String(unknown)}`);
    }
  }
}

/** True for a name `Intl` knows as a time zone (`Asia/Shanghai`, `UTC`); numeric offsets are not names. */
export function isTimeZone(name: unknown): name is string {
  return typeof name === 'string' && canonicalTimeZone(name) !== undefined;
}

/** The canonical spelling of an IANA time zone (`asia/shanghai` → `Asia/Shanghai`), or undefined. */
export function canonicalTimeZone(name: string): string | undefined {
  if (name.length === 0 || name.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name))
    return undefined;
  try {
    return formatter(name).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    // Only valid names get here (an invalid one threw above), and there are a few hundred.
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall-clock time at `at` in `timeZone`, read as if it were UTC (ms). */
function wallClock(at: number, timeZone: string): number {
  if (timeZone === 'UTC') return Math.floor(at / 1000) * 1000;
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) {
    if (part.type !== 'literal' && part.type !== 'era') p[part.type] = Number(part.value);
  }
  const year = p.year as number;
  const wall = Date.UTC(year, (p.month as number) - 1, p.day, p.hour, p.minute, p.second);
  // Date.UTC reads years 0–99 as 1900–1999.
  return year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
}

/** The calendar day `now` falls on in `timeZone`. */
function localDay(now: Date, timeZone: string): Day {
  return Math.floor(wallClock(now.getTime(), timeZone) / DAY);
}

/**
 * The first instant of `day` in `timeZone`: its midnight, or the first instant after a clock
 * change that skips midnight.
 */
function startOfDay(day: Day, timeZone: string): Date {
  const midnight = day * DAY;
  const offsetAt = (at: number) => wallClock(at, timeZone) - at;
  // The offset at a guess, then at the instant that gives: exact unless midnight is skipped.
  let at = midnight - offsetAt(midnight);
  at = midnight - offsetAt(at);
  // Landed on the evening before a skipped midnight: the day starts at the change, which is
  // midnight read with the offset in force before it.
  if (Math.floor(wallClock(at, timeZone) / DAY) < day) at = midnight - offsetAt(at);
  return new Date(at);
}

function isoDay(day: Day): string {
  return new Date(day * DAY).toISOString().slice(0, 10);
}

export function isDatePeriod(value: unknown): value is DatePeriod {
  return typeof value === 'string' && (DATE_PERIODS as readonly string[]).includes(value);
}

/**
 * The first instant of the calendar day `day` (`YYYY-MM-DD`) in `timeZone`: where a period of
 * dates begins for a `datetime` field (reports turn their periods into instants with it).
 * @example dayStart('2026-11-24', 'Asia/Shanghai') // 2026-11-23T16:00:00.000Z
 */
export function dayStart(day: string, timeZone = 'UTC'): Date {
  return startOfDay(Math.floor(Date.parse(day) / DAY), timeZone);
}
