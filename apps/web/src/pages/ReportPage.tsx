import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WidgetType } from '../api/reports.js';
import { ChartView } from '../dashboard/ChartView.js';
import { chartData, isEmpty } from '../dashboard/chart-option.js';
import { DashboardFilter } from '../dashboard/DashboardFilter.js';
import { useDashboardList, useReportsApi } from '../dashboard/hooks.js';
import { PeriodNote } from '../dashboard/PeriodNote.js';
import { ReportTable } from '../dashboard/ReportTable.js';
import { MissingRatesNote } from '../dashboard/WidgetCard.js';
import { useWorkspace } from '../meta.js';
import '../dashboard/dashboard.css';

const CHARTS: readonly string[] = ['bar', 'line', 'donut', 'funnel'];

/**
 * One report full-size (`/reports/:name`): its chart, its table with totals (every figure a
 * link to its records), the shared filter, and export to CSV or Excel.
 */
export function ReportPage() {
  const { t } = useTranslation();
  const { name } = useParams({ from: '/app/reports/$name' });
  const { dashboard, ...filter } = useSearch({ from: '/app/reports/$name' });
  const navigate = useNavigate();
  const api = useReportsApi();
  const { locale } = useWorkspace();
  const dashboards = useDashboardList();
  const [download, setDownload] = useState<{ busy?: string; error?: string }>({});
  const answer = useQuery({
    queryKey: ['report', name, filter.period ?? '', filter.owner ?? '', locale],
    queryFn: () => api.report(name, filter),
    placeholderData: keepPreviousData,
  });
  const result = answer.data;
  const back = dashboard
    ? (dashboards.data?.find((d) => d.name === dashboard)?.label ?? dashboard)
    : undefined;

  const exportAs = async (format: 'csv' | 'xlsx') => {
    setDownload({ busy: format });
    try {
      await api.download(name, filter, format);
      setDownload({});
    } catch (e) {
      setDownload({ error: e instanceof Error ? e.message : String(e) });
    }
  };

  return (
    <div className="report-page" aria-busy={answer.isFetching}>
      {dashboard && (
        <nav aria-label={t('record.breadcrumb')} className="breadcrumb">
          <Link to="/dashboards/$name" params={{ name: dashboard }} search={filter}>
            {t('report.back', { dashboard: back })}
          </Link>
        </nav>
      )}
      <div className="page-header dashboard-header">
        <div className="dashboard-heading">
          <h1>{result?.label ?? '\u00a0'}</h1>
          <PeriodNote period={result?.period} currency={result?.currency} />
        </div>
        <fieldset className="report-actions">
          <legend className="visually-hidden">{t('report.export')}</legend>
          {(['csv', 'xlsx'] as const).map((format) => (
            <button
              key={format}
              type="button"
              className="button"
              disabled={download.busy !== undefined || !result}
              onClick={() => void exportAs(format)}
            >
              {download.busy === format
                ? t('report.downloading')
                : t(format === 'csv' ? 'report.csv' : 'report.xlsx')}
            </button>
          ))}
        </fieldset>
      </div>
      <DashboardFilter
        value={filter}
        period={result?.period}
        ownerFilter
        onChange={(next) =>
          void navigate({
            to: '/reports/$name',
            params: { name },
            search: { ...next, ...(dashboard ? { dashboard } : {}) },
          })
        }
      />
      {download.error && (
        <p role="alert" className="form-error">
          {t('report.downloadFailed', { message: download.error })}
        </p>
      )}
      {answer.error && !result ? (
        <p role="alert" className="form-error">
          {t('common.error', { message: answer.error.message })}
        </p>
      ) : !result ? (
        <div className="widget report-body">
          <div className="skeleton" data-type="bar" aria-busy="true">
            <span className="visually-hidden">{t('common.loading')}</span>
          </div>
        </div>
      ) : isEmpty(chartData(result, undefined)) && result.rows.length === 0 ? (
        <p className="widget-state">{t('widget.empty')}</p>
      ) : (
        <>
          {CHARTS.includes(result.chart) && (
            <section className="widget report-chart" aria-label={result.label}>
              <ChartView
                result={result}
                type={result.chart as WidgetType}
                title={result.label}
                locale={locale}
              />
            </section>
          )}
          <section className="widget report-body">
            <ReportTable
              result={result}
              title={result.label}
              locale={locale}
              caption={result.label}
            />
            {result.truncated && <p className="period-note">{t('report.truncated')}</p>}
          </section>
          {result.missingRates && <MissingRatesNote missing={result.missingRates} />}
        </>
      )}
    </div>
  );
}
