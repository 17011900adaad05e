import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DashboardWidget, MissingRates } from '../api/reports.js';
import { ChartView } from './ChartView.js';
import { chartData, isEmpty } from './chart-option.js';
import { KpiCard } from './KpiCard.js';
import { ReportTable } from './ReportTable.js';

/**
 * One widget of the grid: its title (a link to the full report), then a skeleton while the
 * dashboard loads, the refusal when its report may not be run, "no data" when the period holds
 * none, else the KPI, chart or table. A chart can switch to its table (keyboard users reach
 * every figure's records there).
 */
export function WidgetCard({
  widget,
  loading,
  locale,
  dashboard,
  search,
}: {
  widget: DashboardWidget;
  loading: boolean;
  locale: string;
  dashboard: string;
  search: { period?: string; owner?: string };
}) {
  const { t } = useTranslation();
  const [asTable, setAsTable] = useState(false);
  const { result } = widget;
  const chart = widget.type !== 'kpi' && widget.type !== 'table';
  const titleId = `widget-${widget.report}-${widget.position.x}-${widget.position.y}`;
  const empty =
    result !== undefined &&
    (widget.type === 'kpi' ? widget.kpi === undefined : isEmpty(chartData(result, widget.measure)));

  let body: React.ReactNode;
  if (loading) {
    body = (
      <div className="skeleton" data-type={widget.type} aria-busy="true">
        <span className="visually-hidden">{t('widget.loading', { title: widget.title })}</span>
      </div>
    );
  } else if (widget.error) {
    body = (
      <p className="widget-state widget-error" role="alert">
        {t('widget.error', { message: widget.error.message })}
      </p>
    );
  } else if (!result || empty) {
    body = <p className="widget-state">{t('widget.empty')}</p>;
  } else if (widget.type === 'kpi') {
    body = <KpiCard widget={widget} locale={locale} />;
  } else if (widget.type === 'table' || asTable) {
    body = (
      <ReportTable
        result={result}
        title={widget.title}
        locale={locale}
        measure={widget.measure}
        caption={widget.title}
      />
    );
  } else {
    body = (
      <ChartView
        result={result}
        type={widget.type}
        measure={widget.measure}
        title={widget.title}
        locale={locale}
      />
    );
  }

  return (
    <section
      className="widget"
      data-type={widget.type}
      data-report={widget.report}
      aria-labelledby={titleId}
      style={
        {
          '--x': widget.position.x + 1,
          '--y': widget.position.y + 1,
          '--w': widget.position.w,
          '--h': widget.position.h,
        } as React.CSSProperties
      }
    >
      <header className="widget-header">
        <h2 id={titleId}>
          <Link
            to="/reports/$name"
            params={{ name: widget.report }}
            search={{ ...search, dashboard }}
            className="widget-title"
          >
            {widget.title}
          </Link>
        </h2>
        {chart && !loading && result && !empty && (
          <button
            type="button"
            className="icon-button widget-toggle"
            aria-pressed={asTable}
            aria-label={t('widget.showTable')}
            title={asTable ? t('widget.showChart') : t('widget.showTable')}
            onClick={() => setAsTable((v) => !v)}
          >
            <span aria-hidden="true">{asTable ? '▥' : '☰'}</span>
          </button>
        )}
      </header>
      <div className="widget-body">{body}</div>
      {!loading && result?.missingRates && <MissingRatesNote missing={result.missingRates} short />}
    </section>
  );
}

/**
 * Records left out of money figures for want of an exchange rate (docs/reports.md): short in a
 * widget (the full sentence as its tooltip), the full sentence on a report page.
 */
export function MissingRatesNote({ missing, short }: { missing: MissingRates; short?: boolean }) {
  const { t } = useTranslation();
  const values = { count: missing.records, currencies: missing.currencies.join(', ') };
  const full = t('money.missingRates', values);
  return (
    <p className="missing-rates" role="note" title={short ? full : undefined}>
      <span aria-hidden="true">⚠ </span>
      {short ? (
        <>
          <span aria-hidden="true">{t('money.missingShort', values)}</span>
          <span className="visually-hidden">{full}</span>
        </>
      ) : (
        full
      )}
    </p>
  );
}
