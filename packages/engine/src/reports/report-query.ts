import {
  DATE_PERIODS,
  dayStart,
  type JsonLogic,
  type JsonSchema,
  periodDates,
} from '@atrium/metadata';
import type { RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { isCalendarDate } from './currencies.js';
import { reportMsg } from './report-messages.js';

/** Parameters of `GET /api/reports/:name` and `GET /api/dashboards/:name`. */
export interface ReportQuery {
  period?: string;
  owner?: string;
  asOf?: string;
  format?: 'json' | 'csv' | 'xlsx';
}

/** The named periods a report takes: `date_in`'s, without the ones that need a number. */
export const REPORT_PERIODS = DATE_PERIODS.filter((p) => !p.endsWith('_n_days'));

export const REPORT_QUERY_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    period: {
      type: 'string',
      maxLength: 30,
      description: `${REPORT_PERIODS.join(', ')}, all, or from..to (YYYY-MM-DD..YYYY-MM-DD, both days included)`,
    },
    owner: {
      type: 'string',
      maxLength: 36,
      description: 'me, or a user id: only records that user owns',
    },
    asOf: {
      type: 'string',
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: 'The date whose exchange rates convert money (default today)',
    },
    format: {
      type: 'string',
      enum: ['json', 'csv', 'xlsx'],
      description: 'json (default), or a csv or xlsx file',
    },
  },
};

/** A period resolved to calendar dates: [from, to). */
export interface Period {
  name: string;
  from: string;
  to: string;
}

const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

/** `this_quarter` / `2026-01-01..2026-03-31` / `all` → the dates, on the caller's calendar. */
export function resolvePeriod(
  raw: string | undefined,
  ctx: RequestContext,
  now = new Date(),
): Period | null {
  if (raw === undefined || raw === 'all') return null;
  if ((REPORT_PERIODS as readonly string[]).includes(raw)) {
    const d = periodDates(raw as (typeof REPORT_PERIODS)[number], now, 1, ctx.timeZone ?? 'UTC');
    return { name: raw, from: d.from, to: d.to };
  }
  const m = RANGE.exec(raw);
  if (m && isCalendarDate(m[1]) && isCalendarDate(m[2]) && (m[1] as string) <= (m[2] as string))
    return { name: raw, from: m[1] as string, to: addDays(m[2] as string, 1) };
  throw new AtriumError('INVALID_QUERY', [
    reportMsg.at('period', 'period', { periods: REPORT_PERIODS }),
  ]);
}

/**
 * The period just before: a calendar month, quarter or year before one that starts on the
 * first of a month and spans whole months; else the same number of days before.
 */
export function previousPeriod(p: Period): Period {
  const months = monthsBetween(p.from, p.to);
  if (months !== undefined)
    return { name: `before ${p.name}`, from: addMonths(p.from, -months), to: p.from };
  const days = (Date.parse(p.to) - Date.parse(p.from)) / 86_400_000;
  return { name: `before ${p.name}`, from: addDays(p.from, -days), to: p.from };
}

/**
 * The records of `p` on `field`: `[from, to)`, as a list filter. A `datetime` field compares
 * with the instants the days start at on the caller's calendar.
 */
export function periodFilter(
  field: string,
  p: Period,
  datetime: boolean,
  timeZone = 'UTC',
): JsonLogic {
  const at = (day: string) => (datetime ? dayStart(day, timeZone).toISOString() : day);
  return { and: [{ '>=': [{ var: field }, at(p.from)] }, { '<': [{ var: field }, at(p.to)] }] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `me` or a user id → the owner condition (the caller stays `$user.id` so drill-downs keep it). */
export function ownerFilter(raw: string | undefined): JsonLogic | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'me') return { '==': [{ var: 'owner_id' }, { var: '$user.id' }] };
  if (UUID.test(raw)) return { '==': [{ var: 'owner_id' }, raw.toLowerCase()] };
  throw new AtriumError('INVALID_QUERY', [reportMsg.at('owner', 'owner')]);
}

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);
}

export function addMonths(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate()))
    .toISOString()
    .slice(0, 10);
}

function monthsBetween(from: string, to: string): number | undefined {
  if (!from.endsWith('-01') || !to.endsWith('-01')) return undefined;
  const a = new Date(`${from}T00:00:00Z`);
  const b = new Date(`${to}T00:00:00Z`);
  const n = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth();
  return n > 0 ? n : undefined;
}
