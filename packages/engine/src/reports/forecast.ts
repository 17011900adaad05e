import {
  forecastCategories,
  groupSpec,
  type JsonLogic,
  type Locale,
  type MeasureSpec,
  numericRef,
  periodDates,
  storedType,
} from '@atrium/metadata';
import { moduleOf } from '../engine.js';
import { AtriumError } from '../errors.js';
import { type AggregateColumn, type AggregateResult, aggregate, andOf } from './aggregate.js';
import { specAt } from './aggregate-query.js';
import { bucketLabel, word } from './group-labels.js';
import { addMonths, type Period, periodFilter } from './report-query.js';
import type { DrillDown, ReportResult, ReportRow, ReportRun } from './report-run.js';
import { resultHead } from './report-run.js';

const HEADINGS = {
  month: { en: 'Month', 'zh-CN': '月份' },
  'category:closed': { en: 'Closed', 'zh-CN': '已成交' },
  'category:commit': { en: 'Commit', 'zh-CN': '承诺' },
  'category:best_case': { en: 'Best case', 'zh-CN': '最佳情况' },
  'category:pipeline': { en: 'In pipeline', 'zh-CN': '管道中' },
  pipeline: { en: 'Pipeline', 'zh-CN': '商机金额' },
  expected: { en: 'Expected revenue', 'zh-CN': '预计收入' },
  payments: { en: 'Payments due', 'zh-CN': '应收回款' },
} as const satisfies Record<string, Record<Locale, string>>;

/**
 * Per close month from the first day of this quarter over `quarters` quarters: the records
 * closing then, their amount, and amount × probability (or, by category, closed + commit); with
 * `categories`, the amount in each forecast category; with `payments`, the payments due each
 * month. Two aggregates (one per module), both through the one read path.
 */
function narrowed(drill: DrillDown, logic: JsonLogic): DrillDown {
  return { module: drill.module, filter: andOf([drill.filter, logic]) };
}

export async function runForecast(run: ReportRun): Promise<ReportResult> {
  const { engine, ctx, doc } = run;
  const quarter = periodDates('this_quarter', new Date(), 1, ctx.timeZone ?? 'UTC');
  const months = (doc.quarters ?? 2) * 3;
  const period: Period = {
    name: `next_${doc.quarters ?? 2}_quarters`,
    from: quarter.from,
    to: addMonths(quarter.from, months),
  };
  const dateField = doc.dateField as string;
  const snapshot = engine.metadata.current;
  const isDatetime = (module: string, field: string) => {
    const ref = moduleOf(snapshot, module).resolve(field);
    return ref !== undefined && storedType(ref) === 'datetime';
  };
  const monthFilter = (module: string, field: string, from: string) =>
    periodFilter(
      field,
      { name: from, from, to: addMonths(from, 1) },
      isDatetime(module, field),
      ctx.timeZone,
    );
  const within = (module: string, field: string) => ({
    logic: periodFilter(field, period, isDatetime(module, field), ctx.timeZone),
    path: 'period',
  });

  const dealFilters = [...run.filters, within(doc.module, dateField)];
  // By category: one sum per category, and (without a probability) expected = closed + commit.
  const categories = doc.categories ? forecastCategories(doc.categories) : [];
  const inCategories = (names: readonly string[]): JsonLogic => ({
    in: [
      { var: doc.categories?.field ?? '' },
      categories.filter(([k]) => names.includes(k)).flatMap(([, stages]) => stages),
    ],
  });
  const committed = doc.probability === undefined ? inCategories(['closed', 'commit']) : undefined;
  const shared = {
    ...(run.asOf !== undefined && { asOf: run.asOf }),
    ...(run.alongside && { alongside: true }),
  };
  // The deals' and the payments' aggregates are independent: both are asked for at once.
  const dealsAsked = aggregate(
    engine,
    ctx,
    { module: doc.module, groups: [], measures: [], filters: dealFilters, ...shared, limit: 1000 },
    (m) => {
      const amount = specAt('report.amount', () =>
        numericRef(m.resolve, m.doc.name, doc.amount ?? ''),
      );
      const measures: MeasureSpec[] = [
        { key: 'count', fn: 'count' },
        { key: 'pipeline', fn: 'sum', field: amount },
        committed
          ? { key: 'expected', fn: 'sum', field: amount, where: committed }
          : {
              key: 'expected',
              fn: 'sum',
              field: amount,
              weight: specAt('report.probability', () =>
                numericRef(m.resolve, m.doc.name, doc.probability ?? ''),
              ),
            },
      ];
      for (const [k] of categories)
        measures.push({ key: `category:${k}`, fn: 'sum', field: amount, where: inCategories([k]) });
      return { groups: [groupSpec(m.resolve, m.doc.name, `${dateField}:month`)], measures };
    },
  );

  const p = doc.payments;
  let paymentsAsked: Promise<AggregateResult | undefined> = Promise.resolve(undefined);
  let paymentFilters: { logic: JsonLogic; path: string }[] = [];
  if (p) {
    paymentFilters = [
      ...(p.filter === undefined ? [] : [{ logic: p.filter, path: 'report.payments.filter' }]),
      ...run.filters.filter((f) => f.path === 'owner'),
      within(p.module, p.dateField),
    ];
    paymentsAsked = aggregate(
      engine,
      ctx,
      {
        module: p.module,
        groups: [],
        measures: [],
        filters: paymentFilters,
        ...shared,
        limit: 1000,
      },
      (m) => ({
        groups: [groupSpec(m.resolve, m.doc.name, `${p.dateField}:month`)],
        measures: [
          {
            key: 'payments',
            fn: 'sum',
            field: specAt('report.payments.amount', () =>
              numericRef(m.resolve, m.doc.name, p.amount),
            ),
          },
        ],
      }),
    ).catch((e: unknown) => {
      // A caller who may not read payments still gets the deals' forecast.
      if (!(e instanceof AtriumError && e.code === 'FORBIDDEN')) throw e;
      return undefined;
    });
  }
  const [deals, payments] = await Promise.all([dealsAsked, paymentsAsked]);

  const byMonth = (r: AggregateResult | undefined, key: string) =>
    new Map((r?.rows ?? []).map((row) => [row[key] as string | null, row]));
  const dealRows = byMonth(deals, `${dateField}:month`);
  const paymentRows = p ? byMonth(payments, `${p.dateField}:month`) : new Map();
  const columns: AggregateColumn[] = [
    {
      key: 'month',
      label: HEADINGS.month[ctx.locale],
      role: 'group',
      type: 'date',
      bucket: 'month',
    },
    { key: 'count', label: word(ctx.locale, 'count'), role: 'measure', type: 'number' },
    { key: 'pipeline', label: HEADINGS.pipeline[ctx.locale], role: 'measure', type: 'currency' },
    { key: 'expected', label: HEADINGS.expected[ctx.locale], role: 'measure', type: 'currency' },
    ...categories.map(
      ([k]): AggregateColumn => ({
        key: `category:${k}`,
        label: HEADINGS[`category:${k}`][ctx.locale],
        role: 'measure',
        type: 'currency',
      }),
    ),
  ];
  if (payments)
    columns.push({
      key: 'payments',
      label: HEADINGS.payments[ctx.locale],
      role: 'measure',
      type: 'currency',
    });
  const rows: ReportRow[] = [];
  for (let i = 0; i < months; i++) {
    const month = addMonths(period.from, i);
    const d = dealRows.get(month);
    const dealDrill: DrillDown = {
      module: doc.module,
      filter: andOf([
        ...run.filters.map((f) => f.logic),
        monthFilter(doc.module, dateField, month),
      ]),
    };
    const row: ReportRow = {
      month,
      count: (d?.count as number | undefined) ?? 0,
      pipeline: (d?.pipeline as number | undefined) ?? 0,
      expected: (d?.expected as number | undefined) ?? 0,
      $labels: { month: bucketLabel(month, 'month', ctx.locale) },
      $drill: {
        count: dealDrill,
        pipeline: dealDrill,
        expected: committed ? narrowed(dealDrill, committed) : dealDrill,
      },
    };
    for (const [k] of categories) {
      row[`category:${k}`] = (d?.[`category:${k}`] as number | undefined) ?? 0;
      row.$drill[`category:${k}`] = narrowed(dealDrill, inCategories([k]));
    }
    if (payments && p) {
      row.payments = (paymentRows.get(month)?.payments as number | undefined) ?? 0;
      row.$drill.payments = {
        module: p.module,
        filter: andOf([
          ...paymentFilters.filter((f) => f.path !== 'period').map((f) => f.logic),
          monthFilter(p.module, p.dateField, month),
        ]),
      };
    }
    rows.push(row);
  }
  const missing = [deals.missingRates, payments?.missingRates].filter((x) => x !== undefined);
  return {
    ...resultHead(run, deals.currency),
    period,
    columns,
    rows,
    ...(missing.length > 0 && {
      missingRates: {
        currencies: [...new Set(missing.flatMap((x) => x.currencies))].sort(),
        records: missing.reduce((n, x) => n + x.records, 0),
      },
    }),
  };
}
