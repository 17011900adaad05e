import type { ReportAnswer, ReportColumn, ReportRow, WidgetType } from '../api/reports.js';
import { PALETTE } from './echarts.js';
import { formatFigure, groupText } from './format.js';

/** What a chart draws of a report: the category axis, the figures, and the row of each point. */
export interface ChartData {
  group: ReportColumn | undefined;
  measures: ReportColumn[];
  rows: ReportRow[];
}

/**
 * The figures a chart shows: the widget's `measure`; without one, every money figure (a
 * forecast's pipeline, expected and payments side by side), else the first figure.
 */
export function chartData(result: ReportAnswer, measure: string | undefined): ChartData {
  const figures = result.columns.filter((c) => c.role === 'measure');
  const chosen = figures.find((c) => c.key === measure);
  const money = figures.filter((c) => c.type === 'currency');
  const measures = chosen ? [chosen] : money.length > 0 ? money : figures.slice(0, 1);
  return {
    group: result.columns.find((c) => c.role === 'group'),
    measures,
    rows: result.rows,
  };
}

/** True when there is nothing to draw: no rows, or every figure empty or zero. */
export function isEmpty(data: ChartData): boolean {
  return !data.rows.some((row) =>
    data.measures.some((m) => typeof row[m.key] === 'number' && row[m.key] !== 0),
  );
}

const num = (v: unknown) => (typeof v === 'number' ? v : null);

/**
 * The echarts option of a widget. `narrow` (a phone, a small widget) turns bars sideways so the
 * category names read from left to right instead of overlapping under the axis.
 */
export function chartOption(
  type: WidgetType,
  data: ChartData,
  options: { locale: string; currency: string; narrow: boolean; title: string },
): Record<string, unknown> {
  const { locale, currency, narrow } = options;
  const categories = data.rows.map((row) =>
    data.group ? groupText(row, data.group, locale) : options.title,
  );
  const first = data.measures[0];
  const fmt = (m: ReportColumn | undefined, compact: boolean) => (v: unknown) =>
    formatFigure(v, m?.type ?? 'number', { locale, currency, compact });
  const base = {
    color: PALETTE,
    animation: false,
    aria: { enabled: true, decal: { show: false } },
  };

  if (type === 'donut' || type === 'funnel') {
    const values = data.rows.map((row, i) => ({
      name: categories[i],
      value: num(row[first?.key ?? '']) ?? 0,
      // Kept on the point, so a click finds its row after empty slices are left out.
      rowIndex: i,
    }));
    const tooltip = {
      trigger: 'item',
      confine: true,
      formatter: (p: { name: string; value: number; percent?: number }) =>
        `${p.name}: ${fmt(first, false)(p.value)}${p.percent === undefined ? '' : ` (${p.percent}%)`}`,
    };
    if (type === 'donut') {
      return {
        ...base,
        tooltip,
        // A plain legend wraps onto more lines instead of hiding items behind page arrows.
        legend: { type: 'plain', bottom: 0, left: 'center', itemWidth: 12, itemHeight: 12 },
        series: [
          {
            type: 'pie',
            name: first?.label,
            radius: ['32%', '54%'],
            center: ['50%', '38%'],
            avoidLabelOverlap: true,
            label: { show: false },
            data: values.filter((v) => v.value !== 0),
          },
        ],
      };
    }
    return {
      ...base,
      tooltip,
      series: [
        {
          type: 'funnel',
          name: first?.label,
          sort: 'none',
          left: 8,
          right: 8,
          top: 8,
          bottom: 8,
          // Wide enough at the bottom for the last stage's name.
          minSize: narrow ? '40%' : '24%',
          gap: 2,
          label: {
            position: 'inside',
            formatter: (p: { name: string; value: number }) =>
              `${p.name}  ${fmt(first, true)(p.value)}`,
            color: '#fff',
            overflow: 'truncate',
          },
          data: values,
        },
      ],
    };
  }

  const horizontal = type === 'bar' && narrow && data.group?.type !== 'date';
  const categoryAxis = {
    type: 'category',
    data: categories,
    axisTick: { alignWithLabel: true },
    axisLabel: horizontal
      ? { width: 96, overflow: 'truncate' }
      : {
          hideOverlap: true,
          width: 88,
          overflow: 'truncate',
          interval: 0,
          rotate: narrow && categories.length > 4 ? 30 : 0,
        },
    ...(horizontal && { inverse: true }),
  };
  const valueAxis = {
    type: 'value',
    axisLabel: { formatter: fmt(first, true), hideOverlap: true },
    // Sideways bars have little room for the figures under them.
    ...(horizontal && { splitNumber: 3 }),
    splitLine: { lineStyle: { color: '#eef1f4' } },
  };
  return {
    ...base,
    grid: {
      left: 8,
      right: 16,
      top: data.measures.length > 1 ? (narrow ? 56 : 32) : 12,
      bottom: 8,
      containLabel: true,
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      axisPointer: { type: type === 'line' ? 'line' : 'shadow' },
      valueFormatter: fmt(first, false),
    },
    ...(data.measures.length > 1 && {
      legend: { top: 0, type: 'plain', itemWidth: 12, itemHeight: 12 },
    }),
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: data.measures.map((m) => ({
      type: type === 'line' ? 'line' : 'bar',
      name: m.label,
      data: data.rows.map((row) => num(row[m.key])),
      barMaxWidth: 40,
      ...(type === 'line' && { symbolSize: 6, smooth: false }),
      cursor: 'pointer',
    })),
  };
}
