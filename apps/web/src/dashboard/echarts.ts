/**
 * The one chart library, trimmed to what dashboards draw: bar, line, pie (donut) and funnel
 * with a grid, tooltip, legend and the aria component (a text description for screen readers),
 * on the SVG renderer (crisp at any zoom, and lighter than canvas for a handful of shapes).
 * Only dashboard and report pages import this file, so it stays out of the first load.
 */
import { BarChart, FunnelChart, LineChart, PieChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import langZH from 'echarts/i18n/langZH-obj.js';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  FunnelChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  TitleComponent,
  AriaComponent,
  SVGRenderer,
]);
// echarts' own texts (the aria description, "other" in legends) in Chinese.
echarts.registerLocale('ZH', langZH);

export { echarts };

/** echarts' locale name for the app's language. */
export const chartLocale = (locale: string) => (locale === 'zh-CN' ? 'ZH' : 'EN');

/** The series colours: the app's accent first, then distinguishable hues. */
export const PALETTE = [
  '#1f5fbf',
  '#2e9e6b',
  '#e08a1e',
  '#8a4fd1',
  '#d4455a',
  '#1c9bb0',
  '#7a8699',
  '#b8860b',
];
