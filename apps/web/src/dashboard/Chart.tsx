import { useEffect, useRef, useState } from 'react';
import { chartLocale, echarts } from './echarts.js';

/** A point clicked: the row of the report it stands for and the series (figure) index. */
export interface ChartPoint {
  rowIndex: number;
  seriesIndex: number;
}

/**
 * An echarts chart that fills its container and follows its size (a ResizeObserver, so a
 * widget resized by the grid or a rotated phone redraws). `option` is built from the width, so
 * a narrow chart can lay itself out differently. Re-created when the language changes, so
 * echarts' own texts follow it.
 */
export function Chart({
  option,
  locale,
  label,
  onPoint,
}: {
  option: (width: number) => Record<string, unknown>;
  locale: string;
  /** What the chart shows, for people who cannot see it (echarts adds the figures). */
  label: string;
  onPoint?: (point: ChartPoint) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [width, setWidth] = useState(0);
  const click = useRef(onPoint);
  click.current = onPoint;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const instance = echarts.init(el, null, { renderer: 'svg', locale: chartLocale(locale) });
    chart.current = instance;
    instance.on('click', (params) => {
      const data = params.data as { rowIndex?: number } | undefined;
      const rowIndex = typeof data?.rowIndex === 'number' ? data.rowIndex : params.dataIndex;
      click.current?.({ rowIndex, seriesIndex: params.seriesIndex ?? 0 });
    });
    const observer = new ResizeObserver(() => {
      instance.resize();
      setWidth(el.clientWidth);
    });
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [locale]);

  useEffect(() => {
    if (!chart.current || width === 0) return;
    chart.current.setOption(
      // The title is not drawn (the widget has its own heading); echarts' aria description
      // starts with it: "This is a chart about “Pipeline”…", then the figures.
      // echarts measures labels on a canvas, which knows no `inherit`: hand it the page's font
      // (the CJK stack in Chinese), or truncation and layout are computed for another font.
      {
        ...option(width),
        title: { text: label, show: false },
        textStyle: { fontFamily: getComputedStyle(ref.current as HTMLElement).fontFamily },
      },
      { notMerge: true },
    );
  }, [option, width, label]);

  return <div ref={ref} className="chart" role="img" aria-label={label} data-chart="" />;
}
