import { useQuery } from '@tanstack/react-query';
import { useRouterState } from '@tanstack/react-router';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { createInboxApi } from '../api/inbox.js';
import { useSession } from '../session.js';

/** How often the bell and the approvals badge look again while the page stays open. */
const EVERY = 60_000;

export function useInboxApi() {
  const { http } = useSession();
  return useMemo(() => createInboxApi(http), [http]);
}

/**
 * Looks again when the user navigates (at most once per 10 s: the query stays fresh that long)
 * and once a minute, never faster: the count is a hint, not a live feed.
 */
function useRefreshOnNavigation(refetch: () => unknown, stale: boolean) {
  const path = useRouterState({ select: (s) => s.location.pathname });
  useEffect(() => {
    if (stale) void refetch();
  }, [path]);
}

/** The latest notifications and the unread count. */
export function useNotifications() {
  const api = useInboxApi();
  const { token } = useSession();
  const { i18n } = useTranslation();
  const q = useQuery({
    queryKey: ['notifications', token, i18n.language],
    queryFn: () => api.notifications(20),
    enabled: token !== null,
    staleTime: 10_000,
    refetchInterval: EVERY,
  });
  useRefreshOnNavigation(q.refetch, q.isStale);
  return q;
}

/** Approvals waiting for the user (`mine`) or the user's own requests. */
export function useApprovals(mine: boolean) {
  const api = useInboxApi();
  const { token } = useSession();
  const q = useQuery({
    queryKey: ['approvals', token, mine],
    queryFn: () => api.approvals(mine),
    enabled: token !== null,
    staleTime: 10_000,
    refetchInterval: mine ? EVERY : false,
  });
  return q;
}

/** The number of approvals waiting for the user, refreshed on navigation and every minute. */
export function usePendingCount(): number {
  const q = useApprovals(true);
  useRefreshOnNavigation(q.refetch, q.isStale);
  return q.data?.data.filter((a) => a.status === 'pending').length ?? 0;
}
