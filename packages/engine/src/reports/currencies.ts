import { isCurrencyCode, type Problem, valueMsg } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';
import { qt } from '../sql-names.js';
import { reportMsg } from './report-messages.js';

/** One exchange rate: `rate` units of the home currency buy one unit of `currency`, from `date` on. */
export interface ExchangeRate {
  currency: string;
  rate: number;
  /** `YYYY-MM-DD`: the first day the rate is in force (until the next rate of that currency). */
  date: string;
}

/** The body and answer of `GET|PUT /api/currencies`. */
export interface Currencies {
  /** ISO 4217 code every report answers money in. */
  home: string;
  rates: ExchangeRate[];
}

/** The home currency of a workspace nobody has set one for. */
export const DEFAULT_HOME_CURRENCY = 'USD';

/** JSON Schema of the PUT body (shape only; codes, dates and duplicates are checked after). */
export const CURRENCIES_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['home', 'rates'],
  properties: {
    home: { type: 'string', minLength: 3, maxLength: 3 },
    rates: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['currency', 'rate', 'date'],
        properties: {
          currency: { type: 'string', minLength: 3, maxLength: 3 },
          rate: { type: 'number', exclusiveMinimum: 0, maximum: 1e12 },
          date: { type: 'string', minLength: 10, maxLength: 10 },
        },
      },
    },
  },
} as const;

const TTL_MS = 10_000;
const homes = new WeakMap<Engine, { code: string; at: number }>();

/**
 * The home currency, kept per node for a few seconds (like time zones) so a report pays no
 * query for it; a change made through this node is seen at once.
 */
export async function homeCurrency(engine: Engine): Promise<string> {
  const hit = homes.get(engine);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.code;
  const r = await sql<{ code: string }>`select code from ${sql.raw(
    qt(engine.workspace.schema, '_currency_home'),
  )}`.execute(engine.db);
  const code = r.rows[0]?.code ?? DEFAULT_HOME_CURRENCY;
  homes.set(engine, { code, at: Date.now() });
  return code;
}

export async function getCurrencies(engine: Engine): Promise<Currencies> {
  const s = engine.workspace.schema;
  const [home, rates] = await Promise.all([
    sql<{ code: string }>`select code from ${sql.raw(qt(s, '_currency_home'))}`.execute(engine.db),
    sql<ExchangeRate>`select currency, rate, to_char(valid_from, 'YYYY-MM-DD') as date
      from ${sql.raw(qt(s, '_currency_rates'))} order by currency, valid_from`.execute(engine.db),
  ]);
  return { home: home.rows[0]?.code ?? DEFAULT_HOME_CURRENCY, rates: rates.rows };
}

/**
 * Replaces the home currency and the whole rate table in one transaction. Codes must be active
 * ISO 4217 codes, a rate's currency not the home one, dates real calendar dates, and each
 * (currency, date) given once; every problem is reported on its path.
 */
export async function putCurrencies(engine: Engine, body: Currencies): Promise<Currencies> {
  const problems: Problem[] = [];
  if (!isCurrencyCode(body.home))
    problems.push(valueMsg.at('home', 'notCurrencyCode', { code: body.home }));
  const seen = new Set<string>();
  body.rates.forEach((r, i) => {
    if (!isCurrencyCode(r.currency))
      problems.push(valueMsg.at(`rates[${i}].currency`, 'notCurrencyCode', { code: r.currency }));
    else if (r.currency === body.home)
      problems.push(reportMsg.at(`rates[${i}].currency`, 'homeNoRate'));
    if (!isCalendarDate(r.date)) problems.push(reportMsg.at(`rates[${i}].date`, 'date'));
    const key = `${r.currency}@${r.date}`;
    if (seen.has(key))
      problems.push(
        reportMsg.at(`rates[${i}]`, 'twoRates', { currency: r.currency, date: r.date }),
      );
    seen.add(key);
  });
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
  const s = engine.workspace.schema;
  await engine.db.transaction().execute(async (trx) => {
    await sql`insert into ${sql.raw(qt(s, '_currency_home'))} (only_one, code) values (true, ${body.home})
      on conflict (only_one) do update set code = excluded.code`.execute(trx);
    await sql`delete from ${sql.raw(qt(s, '_currency_rates'))}`.execute(trx);
    if (body.rates.length > 0)
      await sql`insert into ${sql.raw(qt(s, '_currency_rates'))} (currency, valid_from, rate)
        select * from unnest(${body.rates.map((r) => r.currency)}::text[],
          ${body.rates.map((r) => r.date)}::date[], ${body.rates.map((r) => r.rate)}::numeric[])`.execute(
        trx,
      );
  });
  homes.set(engine, { code: body.home, at: Date.now() });
  return getCurrencies(engine);
}

/** `YYYY-MM-DD` naming a day that exists (2026-02-30 does not). */
export function isCalendarDate(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}$/.test(value) &&
    !Number.isNaN(Date.parse(value)) &&
    new Date(value).toISOString().slice(0, 10) === value
  );
}
