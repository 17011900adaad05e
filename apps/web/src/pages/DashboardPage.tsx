import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { DashboardWidget } from '../api/reports.js';
import { DashboardFilter } from '../dashboard/DashboardFilter.js';
import { useReportsApi } from '../dashboard/hooks.js';
import { PeriodNote } from '../dashboard/PeriodNote.js';
import { WidgetCard } from '../dashboard/WidgetCard.js';
import { labelOf, useWorkspace } from '../meta.js';
import '../dashboard/dashboard.css';

/** What the grid shows before the first answer: the document's widgets, else a plain layout. */
type DashboardDocLike = { label?: Parameters<typeof labelOf>[0]; widgets?: DashboardWidget[] };

/** The dashboard's document, when the caller's metadata holds it. */
function dashboardDoc(documents: unknown[], name: string): DashboardDocLike | undefined {
  return documents.find(
    (d): d is DashboardDocLike =>
      (d as { kind?: string }).kind === 'dashboard' && (d as { name?: string }).name === name,
  );
}

function placeholders(documents: unknown[], name: string): DashboardWidget[] {
  const doc = dashboardDoc(documents, name);
  const widgets = doc?.widgets?.map((w) => ({ ...w, title: '' }));
  if (widgets && widgets.length > 0) return widgets;
  return [0, 1, 2, 3].map((i) => ({
    report: `placeholder-${i}`,
    type: i < 2 ? 'kpi' : 'bar',
    title: '',
    position: i < 2 ? { x: i * 6, y: 0, w: 6, h: 2 } : { x: (i - 2) * 6, y: 2, w: 6, h: 5 },
  }));
}

/**
 * A dashboard (`/dashboards/:name`): its widgets in a 12-column grid, answered in one request
 * for the filter in the URL (period, owner), so a filtered dashboard is a link to share.
 */
export function DashboardPage() {
  const { t } = useTranslation();
  const { name } = useParams({ from: '/app/dashboards/$name' });
  const search = useSearch({ from: '/app/dashboards/$name' });
  const navigate = useNavigate();
  const api = useReportsApi();
  const { locale, documents } = useWorkspace();
  const answer = useQuery({
    queryKey: ['dashboard', name, search.period ?? '', search.owner ?? '', locale],
    queryFn: () => api.dashboard(name, search),
    // A new filter keeps the grid in place, each widget showing its skeleton meanwhile.
    placeholderData: keepPreviousData,
  });
  const data = answer.data;
  const loading = answer.isFetching && (answer.isPlaceholderData || !data);
  const widgets = [...(data?.widgets ?? placeholders(documents, name))].sort(
    (a, b) => a.position.y - b.position.y || a.position.x - b.position.x,
  );

  // Named from the metadata at once, so the page says what it is while its figures load (or fail).
  const doc = dashboardDoc(documents, name);
  const title = data?.label ?? (doc ? labelOf(doc.label, locale, name) : '\u00a0');

  if (answer.error && !data) {
    return (
      <div className="dashboard">
        <h1>{title}</h1>
        <p role="alert" className="form-error">
          {t('common.error', { message: answer.error.message })}
        </p>
        <button type="button" className="button" onClick={() => void answer.refetch()}>
          {t('widget.retry')}
        </button>
      </div>
    );
  }

  return (
    <div className="dashboard" aria-busy={loading}>
      <div className="page-header dashboard-header">
        <div className="dashboard-heading">
          <h1>{title}</h1>
          <PeriodNote
            period={data?.period}
            currency={data?.widgets.find((w) => w.result)?.result?.currency}
          />
        </div>
        <DashboardFilter
          value={search}
          period={data?.period}
          ownerFilter={data?.filter.owner === true}
          onChange={(next) =>
            void navigate({ to: '/dashboards/$name', params: { name }, search: next })
          }
        />
      </div>
      {data && data.widgets.length === 0 ? (
        <p className="widget-state">{t('dashboard.noWidgets')}</p>
      ) : (
        <div className="dashboard-grid">
          {widgets.map((w) => (
            <WidgetCard
              key={`${w.report}:${w.position.x}:${w.position.y}`}
              widget={w}
              loading={loading || !data}
              locale={locale}
              dashboard={name}
              // The report page opens on the period the dashboard shows.
              search={{ ...search, ...(data?.period && { period: data.period.name }) }}
            />
          ))}
        </div>
      )}
    </div>
  );
}
