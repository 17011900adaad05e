import { useNavigate } from '@tanstack/react-router';
import { useCallback } from 'react';
import type { ReportAnswer, WidgetType } from '../api/reports.js';
import { Chart, type ChartPoint } from './Chart.js';
import { chartData, chartOption } from './chart-option.js';

/** Narrower than this, bars turn sideways and donut labels move to the legend. */
const NARROW = 520;

/** A report drawn as a chart; a click on a bar, slice or stage opens the records behind it. */
export function ChartView({
  result,
  type,
  measure,
  title,
  locale,
}: {
  result: ReportAnswer;
  type: WidgetType;
  measure?: string;
  title: string;
  locale: string;
}) {
  const navigate = useNavigate();
  const data = chartData(result, measure);
  const option = useCallback(
    (width: number) =>
      chartOption(type, chartData(result, measure), {
        locale,
        currency: result.currency,
        narrow: width < NARROW,
        title,
      }),
    [type, result, measure, locale, title],
  );
  const onPoint = ({ rowIndex, seriesIndex }: ChartPoint) => {
    const row = data.rows[rowIndex];
    const figure = data.measures[type === 'bar' || type === 'line' ? seriesIndex : 0];
    const drill = figure ? row?.$drill?.[figure.key] : undefined;
    if (drill)
      void navigate({
        to: '/m/$module',
        params: { module: drill.module },
        search: { filter: drill.filter, from: title },
      });
  };
  return <Chart option={option} locale={locale} label={title} onPoint={onPoint} />;
}
