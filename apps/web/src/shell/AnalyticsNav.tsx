import './analytics-nav.css';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { useDashboardList, useReportList } from '../dashboard/hooks.js';

/**
 * The sidebar's dashboards and reports, shown only to someone who may run a report (the
 * server lists only those; a user without any sees no dead link).
 */
export function AnalyticsNav() {
  const { t } = useTranslation();
  const reports = useReportList();
  const dashboards = useDashboardList();
  if (!reports.data || reports.data.length === 0) return null;
  return (
    <>
      <div className="nav-group" id="nav-analytics">
        {t('nav.analytics')}
      </div>
      <ul className="nav" aria-labelledby="nav-analytics">
        {(dashboards.data ?? []).map((d) => (
          <li key={d.name}>
            <Link
              to="/dashboards/$name"
              params={{ name: d.name }}
              activeOptions={{ includeSearch: false }}
              data-dashboard={d.name}
            >
              <span className="nav-icon" aria-hidden="true">
                ◔
              </span>
              {d.label}
            </Link>
          </li>
        ))}
        <li>
          <Link to="/reports" activeOptions={{ exact: false }}>
            <span className="nav-icon" aria-hidden="true">
              ≡
            </span>
            {t('nav.reports')}
          </Link>
        </li>
      </ul>
    </>
  );
}
