import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { createReportsApi } from '../api/reports.js';
import { useSession } from '../session.js';

/** The reporting API over the session's token. */
export function useReportsApi() {
  const { http } = useSession();
  return useMemo(() => createReportsApi(http), [http]);
}

/** The reports the user may run (`GET /api/reports`); empty when none or not available. */
export function useReportList() {
  const api = useReportsApi();
  const { token } = useSession();
  const { i18n } = useTranslation();
  return useQuery({
    queryKey: ['reports', token, i18n.language],
    queryFn: () => api.reports(),
    enabled: token !== null,
    staleTime: 60_000,
  });
}

/** The workspace's dashboards (`GET /api/dashboards`). */
export function useDashboardList() {
  const api = useReportsApi();
  const { token } = useSession();
  const { i18n } = useTranslation();
  return useQuery({
    queryKey: ['dashboards', token, i18n.language],
    queryFn: () => api.dashboards(),
    enabled: token !== null,
    staleTime: 60_000,
  });
}
