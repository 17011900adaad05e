import { Link, Navigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useDashboardList, useReportList } from '../dashboard/hooks.js';
import '../dashboard/dashboard.css';

/** Every report the user may run, each a link to its page. */
export function ReportsPage() {
  const { t } = useTranslation();
  const reports = useReportList();
  return (
    <div className="report-page">
      <div className="page-header">
        <h1>{t('report.list')}</h1>
      </div>
      {reports.error ? (
        <p role="alert" className="form-error">
          {t('common.error', { message: reports.error.message })}
        </p>
      ) : !reports.data ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : reports.data.length === 0 ? (
        <p className="widget-state">{t('report.none')}</p>
      ) : (
        <ul className="report-list">
          {reports.data.map((r) => (
            <li key={r.name}>
              <Link to="/reports/$name" params={{ name: r.name }}>
                {r.label}
              </Link>
              <span className="period-note">
                {t(`report.type.${r.type}`, { defaultValue: r.type })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** `/dashboards`: the first dashboard, or a note when there is none. */
export function DashboardsIndex() {
  const { t } = useTranslation();
  const dashboards = useDashboardList();
  if (dashboards.error)
    return (
      <p role="alert" className="form-error">
        {t('common.error', { message: dashboards.error.message })}
      </p>
    );
  if (!dashboards.data) return <p aria-busy="true">{t('common.loading')}</p>;
  const first = dashboards.data[0];
  if (!first) return <p className="widget-state">{t('dashboard.none')}</p>;
  return <Navigate to="/dashboards/$name" params={{ name: first.name }} replace />;
}
