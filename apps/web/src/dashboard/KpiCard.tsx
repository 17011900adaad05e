import { useTranslation } from 'react-i18next';
import type { DashboardWidget } from '../api/reports.js';
import { DrillLink } from './DrillLink.js';
import { formatFigure } from './format.js';

/**
 * A KPI: the figure in large type and its change against the previous period as an arrow, a
 * signed percentage and words for screen readers (the colour only repeats what they say).
 */
export function KpiCard({ widget, locale }: { widget: DashboardWidget; locale: string }) {
  const { t } = useTranslation();
  const kpi = widget.kpi;
  if (!kpi) return null;
  const format = (v: unknown) =>
    formatFigure(v, kpi.type, {
      locale,
      currency: kpi.currency || widget.result?.currency || 'USD',
    });
  const measure = widget.measure ?? widget.result?.columns.find((c) => c.role === 'measure')?.key;
  const drill = measure ? widget.result?.totals?.$drill?.[measure] : undefined;
  const value = format(kpi.value);
  const change = kpi.change;
  const direction = change === null ? 'none' : change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
  const percent =
    change === null
      ? ''
      : new Intl.NumberFormat(locale, {
          style: 'percent',
          maximumFractionDigits: 1,
          signDisplay: 'exceptZero',
        }).format(change);
  const words =
    direction === 'up'
      ? t('kpi.up', { change: percent.replace(/^\+/, '') })
      : direction === 'down'
        ? t('kpi.down', { change: percent.replace(/^[-−]/, '') })
        : direction === 'flat'
          ? t('kpi.flat')
          : t('kpi.noPrevious');
  return (
    <div className="kpi">
      {drill ? (
        <DrillLink
          drill={drill}
          from={widget.title}
          className="kpi-value"
          label={`${value} — ${t('widget.records', { what: widget.title })}`}
        >
          {value}
        </DrillLink>
      ) : (
        <span className="kpi-value">{value}</span>
      )}
      <p className="kpi-change" data-direction={direction}>
        {direction !== 'none' && (
          <span className="kpi-arrow" aria-hidden="true">
            {direction === 'up' ? '▲' : direction === 'down' ? '▼' : '■'}
          </span>
        )}
        {percent && <span aria-hidden="true">{percent}</span>}
        <span className="visually-hidden">{words}</span>
        {kpi.previous !== null && (
          <span className="kpi-previous">{t('kpi.previous', { value: format(kpi.previous) })}</span>
        )}
        {direction === 'none' && kpi.previous === null && (
          <span className="kpi-previous" aria-hidden="true">
            {t('kpi.noPrevious')}
          </span>
        )}
      </p>
    </div>
  );
}
