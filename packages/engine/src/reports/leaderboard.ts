import {
  groupSpec,
  type JsonLogic,
  type Locale,
  type MeasureSpec,
  numericRef,
} from '@atrium/metadata';
import { type AggregateColumn, aggregate, andOf } from './aggregate.js';
import { specAt } from './aggregate-query.js';
import {
  type DrillDown,
  type ReportResult,
  type ReportRow,
  type ReportRun,
  resultHead,
} from './report-run.js';

const HEADINGS = {
  won_amount: { en: 'Won amount', 'zh-CN': '赢单金额' },
  won_count: { en: 'Deals won', 'zh-CN': '赢单数' },
  closed_count: { en: 'Deals closed', 'zh-CN': '已结束数' },
  win_rate: { en: 'Win rate', 'zh-CN': '赢率' },
} as const satisfies Record<string, Record<Locale, string>>;

/**
 * Per owner, in the period on `dateField`: the amount and number of records won, the number
 * closed (won or lost) and the win rate — one aggregate whose measures carry conditions.
 */
export async function runLeaderboard(run: ReportRun): Promise<ReportResult> {
  const { engine, ctx, doc } = run;
  const won = doc.won as JsonLogic;
  const closed: JsonLogic | undefined =
    doc.lost === undefined ? undefined : { or: [won, doc.lost] };
  const filters = run.periodFilters(run.period);
  const result = await aggregate(
    engine,
    ctx,
    {
      module: doc.module,
      groups: [],
      measures: [],
      filters,
      ...(run.asOf !== undefined && { asOf: run.asOf }),
      sort: '-won_amount,-won_count',
      limit: doc.limit ?? 100,
      ...(run.alongside && { alongside: true }),
      totals: true,
    },
    (m) => {
      const amount = specAt('report.amount', () =>
        numericRef(m.resolve, m.doc.name, doc.amount ?? ''),
      );
      const measures: MeasureSpec[] = [
        { key: 'won_amount', fn: 'sum', field: amount, where: won },
        { key: 'won_count', fn: 'count', where: won },
      ];
      if (closed !== undefined) measures.push({ key: 'closed_count', fn: 'count', where: closed });
      return { groups: [groupSpec(m.resolve, m.doc.name, 'owner_id')], measures };
    },
  );
  const columns: AggregateColumn[] = result.columns.map((c) =>
    c.role === 'measure'
      ? { ...c, label: HEADINGS[c.key as keyof typeof HEADINGS][ctx.locale] }
      : c,
  );
  if (closed !== undefined)
    columns.push({
      key: 'win_rate',
      label: HEADINGS.win_rate[ctx.locale],
      role: 'measure',
      type: 'percent',
    });
  const base = filters.map((f) => f.logic);
  const toRow = (r: (typeof result.rows)[number], owner: JsonLogic | undefined): ReportRow => {
    const { $filter: _, $labels, ...values } = r;
    const drill = (extra: JsonLogic): DrillDown => ({
      module: doc.module,
      filter: andOf([...base, ...(owner === undefined ? [] : [owner]), extra]),
    });
    const $drill: Record<string, DrillDown> = { won_amount: drill(won), won_count: drill(won) };
    if (closed !== undefined) {
      $drill.closed_count = drill(closed);
      $drill.win_rate = drill(closed);
      const n = Number(values.closed_count);
      values.win_rate = n > 0 ? Math.round((Number(values.won_count) / n) * 10_000) / 10_000 : null;
    }
    return { ...values, $labels, $drill };
  };
  const ownerOf = (r: (typeof result.rows)[number]): JsonLogic => ({
    '==': [{ var: 'owner_id' }, (r.owner_id as string | null) ?? null],
  });
  return {
    ...resultHead(run, result.currency),
    columns,
    rows: result.rows.map((r) => toRow(r, ownerOf(r))),
    ...(result.totals && { totals: toRow(result.totals, undefined) }),
    ...(result.truncated && { truncated: true as const }),
    ...(result.missingRates && { missingRates: result.missingRates }),
  };
}
