import { describe, expect, it } from 'vitest';
import type { DatePeriod } from '../src/index.js';
import {
  canonicalTimeZone,
  dateRange,
  isDatePeriod,
  isTimeZone,
  periodDates,
} from '../src/index.js';

/** The range as two ISO dates, for readable expectations. */
function range(period: DatePeriod, now: string, n?: number): [string, string] {
  const { from, to } = dateRange(period, new Date(now), n);
  return [from.toISOString().slice(0, 10), to.toISOString().slice(0, 10)];
}

describe('dateRange', () => {
  it('returns UTC midnights', () => {
    const { from, to } = dateRange('today', new Date('2026-11-23T22:45:10.123Z'));
    expect(from.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(to.toISOString()).toBe('2026-11-24T00:00:00.000Z');
  });

  it('keeps the last millisecond of a day in that day', () => {
    expect(range('today', '2026-11-23T23:59:59.999Z')).toEqual(['2026-11-23', '2026-11-24']);
    expect(range('today', '2026-11-24T00:00:00.000Z')).toEqual(['2026-11-24', '2026-11-25']);
  });

  it('gives yesterday and tomorrow across a month and a year', () => {
    expect(range('yesterday', '2026-03-01T08:00:00Z')).toEqual(['2026-02-28', '2026-03-01']);
    expect(range('yesterday', '2024-03-01T08:00:00Z')).toEqual(['2024-02-29', '2024-03-01']);
    expect(range('tomorrow', '2026-12-31T08:00:00Z')).toEqual(['2027-01-01', '2027-01-02']);
  });

  it('starts weeks on Monday', () => {
    // 2026-11-23 is a Monday, 2026-11-29 a Sunday.
    expect(range('this_week', '2026-11-23T00:00:00Z')).toEqual(['2026-11-23', '2026-11-30']);
    expect(range('this_week', '2026-11-26T12:00:00Z')).toEqual(['2026-11-23', '2026-11-30']);
    expect(range('this_week', '2026-11-29T23:59:59Z')).toEqual(['2026-11-23', '2026-11-30']);
    expect(range('this_week', '2026-11-30T00:00:00Z')).toEqual(['2026-11-30', '2026-12-07']);
    expect(range('last_week', '2026-11-29T10:00:00Z')).toEqual(['2026-11-16', '2026-11-23']);
    expect(range('next_week', '2026-11-29T10:00:00Z')).toEqual(['2026-11-30', '2026-12-07']);
  });

  it('spans a week across a year boundary', () => {
    // 2026-01-01 is a Thursday.
    expect(range('this_week', '2026-01-01T10:00:00Z')).toEqual(['2025-12-29', '2026-01-05']);
  });

  it('gives months, with their real lengths and across years', () => {
    expect(range('this_month', '2026-11-23T10:00:00Z')).toEqual(['2026-11-01', '2026-12-01']);
    expect(range('this_month', '2024-02-10T10:00:00Z')).toEqual(['2024-02-01', '2024-03-01']);
    expect(range('last_month', '2026-01-15T10:00:00Z')).toEqual(['2025-12-01', '2026-01-01']);
    expect(range('next_month', '2026-12-15T10:00:00Z')).toEqual(['2027-01-01', '2027-02-01']);
    expect(range('last_month', '2026-03-31T10:00:00Z')).toEqual(['2026-02-01', '2026-03-01']);
  });

  it('gives calendar quarters', () => {
    expect(range('this_quarter', '2026-01-01T00:00:00Z')).toEqual(['2026-01-01', '2026-04-01']);
    expect(range('this_quarter', '2026-03-31T23:59:59Z')).toEqual(['2026-01-01', '2026-04-01']);
    expect(range('this_quarter', '2026-05-20T10:00:00Z')).toEqual(['2026-04-01', '2026-07-01']);
    expect(range('this_quarter', '2026-08-01T10:00:00Z')).toEqual(['2026-07-01', '2026-10-01']);
    expect(range('this_quarter', '2026-11-23T10:00:00Z')).toEqual(['2026-10-01', '2027-01-01']);
    expect(range('last_quarter', '2026-02-10T10:00:00Z')).toEqual(['2025-10-01', '2026-01-01']);
    expect(range('last_quarter', '2026-05-10T10:00:00Z')).toEqual(['2026-01-01', '2026-04-01']);
    expect(range('next_quarter', '2026-11-23T10:00:00Z')).toEqual(['2027-01-01', '2027-04-01']);
  });

  it('gives years', () => {
    expect(range('this_year', '2026-12-31T23:59:59Z')).toEqual(['2026-01-01', '2027-01-01']);
    expect(range('last_year', '2026-01-01T00:00:00Z')).toEqual(['2025-01-01', '2026-01-01']);
    expect(range('next_year', '2026-06-01T00:00:00Z')).toEqual(['2027-01-01', '2028-01-01']);
  });

  it('gives the last n days ending today, today included', () => {
    expect(range('last_n_days', '2026-11-23T10:00:00Z', 1)).toEqual(['2026-11-23', '2026-11-24']);
    expect(range('last_n_days', '2026-11-23T10:00:00Z', 7)).toEqual(['2026-11-17', '2026-11-24']);
    expect(range('last_n_days', '2026-01-02T10:00:00Z', 5)).toEqual(['2025-12-29', '2026-01-03']);
    expect(range('last_n_days', '2026-11-23T10:00:00Z')).toEqual(['2026-11-23', '2026-11-24']);
  });

  it('gives the next n days starting today', () => {
    expect(range('next_n_days', '2026-12-30T10:00:00Z', 3)).toEqual(['2026-12-30', '2027-01-02']);
  });

  it('counts whole days across a daylight-saving change (UTC has none)', () => {
    const { from, to } = dateRange('last_n_days', new Date('2026-03-31T12:00:00Z'), 30);
    expect((to.getTime() - from.getTime()) / 86_400_000).toBe(30);
  });
});

describe('isDatePeriod', () => {
  it('knows the periods and nothing else', () => {
    expect(isDatePeriod('this_month')).toBe(true);
    expect(isDatePeriod('last_n_days')).toBe(true);
    expect(isDatePeriod('this_decade')).toBe(false);
    expect(isDatePeriod('')).toBe(false);
    expect(isDatePeriod(3)).toBe(false);
    expect(isDatePeriod(null)).toBe(false);
  });
});

describe('periods on a time zone’s calendar', () => {
  const instants = (period: DatePeriod, now: string, timeZone: string, n?: number) => {
    const { from, to } = dateRange(period, new Date(now), n, timeZone);
    return [from.toISOString(), to.toISOString()];
  };

  it('puts today where the zone’s calendar is', () => {
    // 20:00 UTC on the 23rd is already the 24th in Shanghai (UTC+8).
    expect(periodDates('today', new Date('2026-11-23T20:00:00Z'), 1, 'Asia/Shanghai')).toEqual({
      from: '2026-11-24',
      to: '2026-11-25',
    });
    expect(instants('today', '2026-11-23T20:00:00Z', 'Asia/Shanghai')).toEqual([
      '2026-11-23T16:00:00.000Z',
      '2026-11-24T16:00:00.000Z',
    ]);
    // 03:00 UTC on the 23rd is still the 22nd in Los Angeles (UTC-8 in November).
    expect(
      periodDates('today', new Date('2026-11-23T03:00:00Z'), 1, 'America/Los_Angeles'),
    ).toEqual({ from: '2026-11-22', to: '2026-11-23' });
  });

  it('keeps UTC as the default', () => {
    expect(instants('this_month', '2026-11-23T10:00:00Z', 'UTC')).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
    expect(periodDates('this_month', new Date('2026-11-23T10:00:00Z'))).toEqual({
      from: '2026-11-01',
      to: '2026-12-01',
    });
  });

  it('follows daylight saving: a month and a day that change their offset', () => {
    // New York: EST (UTC-5) on March 1st, EDT (UTC-4) on April 1st.
    expect(instants('this_month', '2026-03-15T12:00:00Z', 'America/New_York')).toEqual([
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ]);
    // Berlin springs forward on 2026-03-29: a day of 23 hours.
    const [from, to] = instants('today', '2026-03-29T12:00:00Z', 'Europe/Berlin');
    expect([from, to]).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    // 30 calendar days across the change hold 30 dates, one hour short of 30 × 24 hours.
    const days = periodDates('last_n_days', new Date('2026-03-31T12:00:00Z'), 30, 'Europe/Berlin');
    expect(days).toEqual({ from: '2026-03-02', to: '2026-04-01' });
  });

  it('starts a day whose midnight is skipped at the change', () => {
    // São Paulo moved its clocks from 00:00 to 01:00 on 2018-11-04.
    expect(instants('today', '2018-11-04T12:00:00Z', 'America/Sao_Paulo')).toEqual([
      '2018-11-04T03:00:00.000Z',
      '2018-11-05T02:00:00.000Z',
    ]);
  });

  it('knows IANA names and their canonical spelling, and nothing else', () => {
    expect(canonicalTimeZone('asia/shanghai')).toBe('Asia/Shanghai');
    expect(canonicalTimeZone('utc')).toBe('UTC');
    expect(isTimeZone('Europe/Berlin')).toBe(true);
    for (const bad of ['Mars/Base', '+05:00', '', 'UTC; select 1', 'a'.repeat(100)])
      expect(canonicalTimeZone(bad)).toBeUndefined();
    expect(isTimeZone(5)).toBe(false);
  });
});
