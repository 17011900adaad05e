import {
  type Bucket,
  type GroupSpec,
  isMoney,
  type JsonLogic,
  type MeasureSpec,
  periodDates,
  valueSpec,
} from '@atrium/metadata';
import { type CompiledQuery, type RawBuilder, sql } from 'kysely';
import { readView } from '../access-view.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { collationFor, textCollations } from '../records/collation.js';
import type { CompiledModule } from '../records/compiled-module.js';
import { filterSql } from '../records/filter-sql.js';
import { withFreshMetadata } from '../records/fresh-metadata.js';
import { listMsg } from '../records/list-messages.js';
import type { QueryJoins } from '../records/lookup-join.js';
import { callerVars, compile, scopedJoins } from '../records/read.js';
import { q, qt } from '../sql-names.js';
import { DEFAULT_GROUP_ROWS } from './aggregate-query.js';
import { homeCurrency, isCalendarDate } from './currencies.js';
import { groupHeading, groupLabel, measureHeading } from './group-labels.js';
import { reportMsg } from './report-messages.js';
import { withReportSettings } from './report-settings.js';

/** A column of an answer: a group (`stage`) or a figure (`sum:amount`), headed in the caller's language. */
export interface AggregateColumn {
  key: string;
  label: string;
  role: 'group' | 'measure';
  /** Groups: the field's type (`picklist`, `date`…); measures: `number` or `currency`. */
  type: string;
  /** Groups of dates: the bucket. */
  bucket?: Bucket;
}

/**
 * One row: the group values and figures under their keys, the groups' labels under `$labels`,
 * and under `$filter` the list filter (JSON Logic) that gives exactly the row's records on
 * `GET /api/records/:module?filter=`.
 */
export type AggregateRow = Record<string, unknown> & {
  $labels: Record<string, string>;
  $filter: JsonLogic;
};

export interface AggregateResult {
  /** The currency sums and averages of money are in: the workspace's home currency. */
  currency: string;
  columns: AggregateColumn[];
  rows: AggregateRow[];
  /** The figures over every matching record, when asked for. */
  totals?: AggregateRow;
  /** More groups than `limit` matched; the first `limit` are answered. */
  truncated?: true;
  /**
   * Records whose currency has no rate in force on `asOf`: left out of money figures (counted
   * by `count`), never added as if they were in the home currency.
   */
  missingRates?: { currencies: string[]; records: number };
}

/** What to aggregate: parsed groups and measures, and the JSON Logic filters that narrow it. */
export interface AggregatePlan {
  module: string;
  groups: GroupSpec[];
  measures: MeasureSpec[];
  /** Each filter with the path its refusals are reported at (`filter`, `report.filter`). */
  filters: { logic: JsonLogic; path: string }[];
  asOf?: string;
  sort?: string;
  limit?: number;
  totals?: boolean;
  /** Run beside other statements of one answer (a dashboard's widgets): report-settings.ts. */
  alongside?: boolean;
}

const TRUNC: Record<Bucket, string> = {
  day: 'day',
  week: 'week',
  month: 'month',
  quarter: 'quarter',
  year: 'year',
};
const STEP: Record<Bucket, string> = {
  day: "interval '1 day'",
  week: "interval '7 days'",
  month: "interval '1 month'",
  quarter: "interval '3 months'",
  year: "interval '1 year'",
};

/**
 * Aggregates through the one read path: authorize, the module as the caller may read it
 * (hidden fields are unknown fields), the filters compiled to SQL AND the caller's access
 * scope, then ONE query of Postgres aggregates. Money is converted to the home currency at the
 * rates in force on `asOf` inside that query.
 */
export function aggregate(
  engine: Engine,
  ctx: RequestContext,
  plan: AggregatePlan,
  parse: (m: CompiledModule) => Pick<AggregatePlan, 'groups' | 'measures'>,
): Promise<AggregateResult> {
  return withFreshMetadata(engine, async () => {
    const built = await buildAggregate(engine, ctx, plan, parse);
    const result = plan.alongside
      ? await withReportSettings(engine, true, (trx) =>
          trx.executeQuery<Record<string, unknown>>(built.query),
        )
      : await engine.db.executeQuery<Record<string, unknown>>(built.query);
    return built.answer(result.rows, engine);
  });
}

/** The compiled query of an aggregate and how to read its rows; the bench runs the query alone. */
export interface BuiltAggregate {
  query: CompiledQuery;
  answer(rows: Record<string, unknown>[], engine: Engine): Promise<AggregateResult>;
}

export async function buildAggregate(
  engine: Engine,
  ctx: RequestContext,
  plan: AggregatePlan,
  parse: (m: CompiledModule) => Pick<AggregatePlan, 'groups' | 'measures'>,
): Promise<BuiltAggregate> {
  const snapshot = engine.metadata.current;
  const base = moduleOf(snapshot, plan.module);
  engine.access.authorize(ctx.actor, base, 'read');
  const m = readView(engine.access, ctx.actor, base, snapshot.modules);
  const { groups, measures } = parse(m);
  const vars = callerVars(ctx);
  const joins = scopedJoins(engine, ctx, m, snapshot);
  const where: RawBuilder<unknown>[] = [sql`r.deleted_at is null`];
  for (const f of plan.filters)
    where.push(filterSql(compile(m, f.logic, f.path, vars, ctx.timeZone), joins));
  const scope = engine.access.scope(ctx.actor, base, 'read');
  if (scope) where.push(scope);
  if (plan.asOf !== undefined && !isCalendarDate(plan.asOf))
    throw new AtriumError('INVALID_QUERY', [reportMsg.at('asOf', 'date')]);
  const timeZone = ctx.timeZone ?? 'UTC';
  const asOf = plan.asOf ?? periodDates('today', new Date(), 1, timeZone).from;
  const [home, collations] = await Promise.all([homeCurrency(engine), textCollations(engine.db)]);
  const collation = collationFor(collations, ctx.locale);
  const money = measures.some((x) => isMoney(x.field)) && m.currency !== undefined;

  // Inner select: one row per record with the group keys, labels and measure inputs as
  // plain columns; the outer query groups those, so parameters never repeat in GROUP BY.
  const inner: RawBuilder<unknown>[] = [];
  const userJoins: string[] = [];
  groups.forEach((g, i) => {
    inner.push(sql`${groupKeySql(g, joins, timeZone)} as ${sql.raw(`g${i}`)}`);
    const label = labelSql(m, g, joins, userJoins);
    if (label) inner.push(sql`${sql.raw(label)} as ${sql.raw(`l${i}`)}`);
  });
  const currencyCode = sql`coalesce(r.currency_code, ${m.currency ?? home})`;
  measures.forEach((x, j) => {
    if (x.field) {
      let value: RawBuilder<unknown> = sql.raw(`r.${q(x.field.field.name)}`);
      if (x.weight) value = sql`${value} * r.${sql.raw(q(x.weight.field.name))} / 100`;
      inner.push(sql`${value} as ${sql.raw(`a${j}`)}`);
    }
    if (x.where !== undefined) {
      const cond = filterSql(compile(m, x.where, `measures.${x.key}`, vars, ctx.timeZone), joins);
      inner.push(sql`coalesce(${cond}, false) as ${sql.raw(`w${j}`)}`);
    }
  });
  if (money) inner.push(sql`${currencyCode} as c`);
  if (inner.length === 0) inner.push(sql`1 as one`);

  const rates = qt(engine.workspace.schema, '_currency_rates');
  const fxCte = money
    ? sql`with fx as (select distinct on (currency) currency, rate from ${sql.raw(rates)}
        where valid_from <= ${asOf}::date order by currency, valid_from desc) `
    : sql``;
  const from = sql`${sql.raw(m.table)} r${joins.from()}${sql.raw(userJoins.join(''))}`;
  const whereSql = sql.join(where, sql` and `);
  const records = sql`(select ${sql.join(inner)} from ${from} where ${whereSql}) s`;
  const grouped = groups.map((g, i) => (hasLabel(g) ? `g${i}, l${i}` : `g${i}`)).join(', ');
  // Money is converted after grouping: the records are first summed per group and currency
  // (partial figures, no rate looked up per record), then each of those few groups is
  // multiplied by its currency's rate. A sum of amounts times a rate is exactly the sum of the
  // amounts each times the rate (numeric arithmetic), so the figures are those of converting
  // every record.
  const partials: RawBuilder<unknown>[] = [];
  if (money) {
    if (grouped) partials.push(sql.raw(grouped));
    partials.push(sql`c`, sql`count(*) as n`);
    measures.forEach((x, j) => {
      partials.push(...partialSql(x, j));
    });
  }
  const source = money
    ? sql`(select ${sql.join(partials)} from ${records} group by ${sql.raw(grouped ? `${grouped}, c` : 'c')}) s
      left join fx on fx.currency = s.c`
    : records;
  const rate = sql`(case when s.c = ${home} then 1 else fx.rate end)`;

  // Outer select: the groups, the bucket bounds the drill-down needs, the figures.
  const outer: RawBuilder<unknown>[] = [];
  groups.forEach((g, i) => {
    const gi = sql.raw(`g${i}`);
    outer.push(gi);
    if (hasLabel(g)) outer.push(sql.raw(`l${i}`));
    if (g.bucket) {
      const next = sql.raw(`(g${i} + ${STEP[g.bucket]})`);
      if (
        g.ref.field.type === 'date' ||
        (g.ref.field.type === 'formula' && g.ref.field.returns === 'date')
      ) {
        outer.push(sql`${next}::date as ${sql.raw(`t${i}`)}`);
      } else {
        outer.push(sql`(${gi}::timestamp at time zone ${timeZone}) as ${sql.raw(`f${i}`)}`);
        outer.push(sql`(${next}::timestamp at time zone ${timeZone}) as ${sql.raw(`t${i}`)}`);
      }
    }
  });
  measures.forEach((x, j) => {
    const figure = money ? convertedSql(x, j, rate) : measureSql(x, j);
    outer.push(sql`${figure} as ${sql.raw(`m${j}`)}`);
  });
  if (money)
    outer.push(
      sql`coalesce(sum(n) filter (where s.c <> ${home} and fx.rate is null), 0) as missing`,
    );
  const totals = plan.totals === true && groups.length > 0;
  if (totals) outer.push(sql.raw(`grouping(g0) as total`));
  const groupBy =
    groups.length === 0
      ? sql``
      : totals
        ? sql.raw(` group by grouping sets ((${grouped}), ())`)
        : sql.raw(` group by ${grouped}`);
  const order = orderSql(groups, measures, plan.sort, collation, totals);
  const limit = plan.limit ?? DEFAULT_GROUP_ROWS;
  const query = sql<
    Record<string, unknown>
  >`${fxCte}select ${sql.join(outer)} from ${source}${groupBy}${order} limit ${limit + (totals ? 2 : 1)}`.compile(
    engine.db,
  );

  const columns: AggregateColumn[] = [
    ...groups.map(
      (g): AggregateColumn => ({
        key: g.key,
        label: groupHeading(g, ctx.locale),
        role: 'group',
        type: g.ref.field.type === 'formula' ? (g.ref.field.returns ?? 'text') : g.ref.field.type,
        ...(g.bucket && { bucket: g.bucket }),
      }),
    ),
    ...measures.map(
      (x): AggregateColumn => ({
        key: x.key,
        label: measureHeading(x, ctx.locale),
        role: 'measure',
        type: isMoney(x.field) && m.currency !== undefined ? 'currency' : 'number',
      }),
    ),
  ];

  const answer = async (raw: Record<string, unknown>[]): Promise<AggregateResult> => {
    const baseFilter = plan.filters.map((f) => f.logic);
    const read = (r: Record<string, unknown>, total: boolean): AggregateRow => {
      const out: Record<string, unknown> = {};
      const labels: Record<string, string> = {};
      const conds: JsonLogic[] = [...baseFilter];
      if (!total)
        groups.forEach((g, i) => {
          const value = r[`g${i}`] ?? null;
          out[g.key] = value;
          labels[g.key] = groupLabel(g, value, r[`l${i}`], ctx.locale);
          conds.push(groupCondition(g, value, r[`f${i}`] ?? value, r[`t${i}`]));
        });
      measures.forEach((x, j) => {
        out[x.key] = r[`m${j}`] ?? null;
      });
      return { ...out, $labels: labels, $filter: andOf(conds) };
    };
    let rows = raw;
    let totalsRow: AggregateRow | undefined;
    if (totals) {
      const t = rows.find((r) => r.total === 1);
      rows = rows.filter((r) => r.total !== 1);
      if (t) totalsRow = read(t, true);
    } else if (plan.totals === true) {
      totalsRow = rows[0] ? read(rows[0], true) : undefined;
    }
    const result: AggregateResult = {
      currency: home,
      columns,
      rows: rows.slice(0, limit).map((r) => read(r, false)),
    };
    if (totalsRow) result.totals = totalsRow;
    if (rows.length > limit) result.truncated = true;
    if (money) {
      const missing = raw.reduce(
        (n, r) => n + (totals ? (r.total === 1 ? Number(r.missing) : 0) : Number(r.missing)),
        0,
      );
      if (missing > 0) {
        const found = await sql<{
          c: string;
        }>`${fxCte}select distinct ${currencyCode} as c
          from ${from} left join fx on fx.currency = ${currencyCode}
          where ${whereSql} and ${currencyCode} <> ${home} and fx.rate is null order by 1`.execute(
          engine.db,
        );
        result.missingRates = { currencies: found.rows.map((x) => x.c), records: missing };
      }
    }
    return result;
  };
  return { query, answer };
}

function hasLabel(g: GroupSpec): boolean {
  return g.ref.field.type === 'lookup' || g.ref.field.type === 'user';
}

function groupKeySql(g: GroupSpec, joins: QueryJoins, timeZone: string): RawBuilder<unknown> {
  const column = sql.raw(joins.column(g.ref));
  if (!g.bucket) return column;
  const unit = sql.raw(`'${TRUNC[g.bucket]}'`);
  const kind = valueSpec(g.ref.field).valueKind;
  // A date is a calendar date in no zone; an instant is read on the caller's calendar.
  if (kind === 'date') return sql`date_trunc(${unit}, ${column}::timestamp)::date`;
  return sql`date_trunc(${unit}, ${column} at time zone ${timeZone})::date`;
}

/** SQL of a group's label: a lookup's record name (through the scoped join), a user's name. */
function labelSql(
  m: CompiledModule,
  g: GroupSpec,
  joins: QueryJoins,
  userJoins: string[],
): string | undefined {
  const name = g.ref.field.name;
  if (g.ref.field.type === 'user') {
    const alias = `u${userJoins.length}`;
    userJoins.push(` left join atrium.users ${alias} on ${alias}.id = r.${q(name)}`);
    return `coalesce(nullif(${alias}.name, ''), ${alias}.email)`;
  }
  if (g.ref.field.type !== 'lookup') return undefined;
  const join = m.lookups.get(name);
  const recordName = join?.target.recordName;
  // The target's name only when the caller may read it (readView's resolver knows).
  const ref = recordName ? m.resolve(`${name}.${recordName}`) : undefined;
  if (!join || !ref) return 'null::text';
  return `${joins.column(ref)}::text`;
}

function measureSql(x: MeasureSpec, j: number): RawBuilder<unknown> {
  const a = sql.raw(`a${j}`);
  const filter = x.where !== undefined ? sql.raw(` filter (where w${j})`) : sql``;
  switch (x.fn) {
    case 'count':
      return sql`count(*)${filter}`;
    case 'sum':
      return sql`coalesce(sum(${a})${filter}, 0)`;
    case 'avg':
      return sql`round(avg(${a})${filter}, 6)`;
    case 'min':
      return sql`min(${a})${filter}`;
    case 'max':
      return sql`max(${a})${filter}`;
  }
}

/** A measure's partial figures over the records of one group in one currency (`p`, `q`). */
function partialSql(x: MeasureSpec, j: number): RawBuilder<unknown>[] {
  const a = sql.raw(`a${j}`);
  const filter = x.where !== undefined ? sql.raw(` filter (where w${j})`) : sql``;
  const p = sql.raw(`p${j}`);
  switch (x.fn) {
    case 'count':
      return [sql`count(*)${filter} as ${p}`];
    case 'sum':
      return [sql`sum(${a})${filter} as ${p}`];
    case 'avg':
      return [sql`sum(${a})${filter} as ${p}`, sql`count(${a})${filter} as ${sql.raw(`q${j}`)}`];
    case 'min':
      return [sql`min(${a})${filter} as ${p}`];
    case 'max':
      return [sql`max(${a})${filter} as ${p}`];
  }
}

/**
 * A measure from its partial figures per currency: money multiplied by the currency's `rate`
 * (null when the currency has no rate on `asOf`: left out) and rounded to 2 decimals.
 */
function convertedSql(x: MeasureSpec, j: number, rate: RawBuilder<unknown>): RawBuilder<unknown> {
  const p = sql.raw(`p${j}`);
  const q = sql.raw(`q${j}`);
  if (!isMoney(x.field))
    switch (x.fn) {
      case 'count':
      case 'sum':
        return sql`coalesce(sum(${p}), 0)`;
      case 'avg':
        return sql`round(sum(${p}) / nullif(sum(${q}), 0), 6)`;
      case 'min':
        return sql`min(${p})`;
      case 'max':
        return sql`max(${p})`;
    }
  switch (x.fn) {
    case 'count':
      return sql`coalesce(sum(${p}), 0)`;
    case 'sum':
      return sql`coalesce(round(sum(${p} * ${rate}), 2), 0)`;
    case 'avg':
      return sql`round(sum(${p} * ${rate}) / nullif(sum(${q}) filter (where ${rate} is not null), 0), 2)`;
    case 'min':
      return sql`round(min(${p} * ${rate}), 2)`;
    case 'max':
      return sql`round(max(${p} * ${rate}), 2)`;
  }
}

function orderSql(
  groups: GroupSpec[],
  measures: MeasureSpec[],
  sort: string | undefined,
  collation: string | undefined,
  totals: boolean,
): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (totals) parts.push(sql`grouping(g0) desc`);
  for (const item of (sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const desc = item.startsWith('-');
    const key = desc ? item.slice(1) : item;
    const dir = sql.raw(desc ? 'desc' : 'asc');
    const mj = measures.findIndex((x) => x.key === key);
    const gi = groups.findIndex((g) => g.key === key);
    if (mj >= 0) parts.push(sql`${sql.raw(`m${mj}`)} ${dir} nulls last`);
    else if (gi >= 0) parts.push(...groupOrder(groups[gi] as GroupSpec, gi, collation, dir));
    else
      throw new AtriumError('INVALID_QUERY', [reportMsg.at('sort', 'notGroupOrMeasure', { key })]);
  }
  groups.forEach((g, i) => {
    parts.push(...groupOrder(g, i, collation, sql.raw('asc')));
  });
  return parts.length === 0 ? sql`` : sql` order by ${sql.join(parts)}`;
}

function groupOrder(
  g: GroupSpec,
  i: number,
  collation: string | undefined,
  dir: RawBuilder<unknown>,
): RawBuilder<unknown>[] {
  const gi = sql.raw(`g${i}`);
  if (g.ref.field.type === 'picklist') {
    const options = (g.ref.field.options ?? []).map((o) => o.value);
    return [sql`array_position(${options}::text[], ${gi}) ${dir} nulls last`, sql`${gi} ${dir}`];
  }
  if (hasLabel(g)) {
    const label = sql.raw(`l${i}${collation ? ` collate "${collation}"` : ''}`);
    return [sql`${gi} is null`, sql`${label} ${dir} nulls last`, sql`${gi} ${dir}`];
  }
  return [sql`${gi} ${dir} nulls last`];
}

/** The list filter that picks a group's records: equal to the value, or within the bucket. */
function groupCondition(g: GroupSpec, value: unknown, from: unknown, to: unknown): JsonLogic {
  const v = { var: g.ref.field.name };
  if (value === null) return { '==': [v, null] };
  if (g.bucket) return { and: [{ '>=': [v, from as string] }, { '<': [v, to as string] }] };
  return { '==': [v, value as JsonLogic] };
}

export function andOf(conds: JsonLogic[]): JsonLogic {
  if (conds.length === 0) return true;
  if (conds.length === 1) return conds[0] as JsonLogic;
  return { and: conds };
}

/** Filters parsed from a request's `filter` parameter (JSON), or a 400 on `filter`. */
export function requestFilter(raw: string | undefined): { logic: JsonLogic; path: string }[] {
  if (raw === undefined) return [];
  try {
    return [{ logic: JSON.parse(raw) as JsonLogic, path: 'filter' }];
  } catch {
    throw new AtriumError('INVALID_FILTER', [listMsg.at('filter', 'filterNotJson')]);
  }
}
