import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from '@tanstack/react-router';
import {
  type DrillSearch,
  drillSearch,
  type ReportSearch,
  reportSearch,
} from './dashboard/search.js';
import { HomePage } from './pages/HomePage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { Shell } from './shell/Shell.js';

const rootRoute = createRootRoute({ component: Outlet, notFoundComponent: NotFoundPage });

export const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Record<string, unknown>): { next?: string } =>
    typeof search.next === 'string' ? { next: search.next } : {},
  component: SignInPage,
});

/** Every page behind sign-in lives in the shell. */
const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: 'app',
  beforeLoad: ({ location }) => {
    if (!localStorage.getItem('atrium.token')) {
      throw redirect({ to: '/sign-in', search: { next: location.href } });
    }
  },
  component: Shell,
});

const homeRoute = createRoute({ getParentRoute: () => appRoute, path: '/', component: HomePage });

/** Pages that render records load with the renderer, after the shell is on screen. */
export const listRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/m/$module',
  validateSearch: (search: Record<string, unknown>): { view?: string } & DrillSearch => ({
    ...(typeof search.view === 'string' ? { view: search.view } : {}),
    ...drillSearch(search),
  }),
  component: lazyRouteComponent(() => import('./pages/ListPage.js'), 'ListPage'),
});

export const boardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/m/$module/board/$view',
  component: lazyRouteComponent(() => import('./pages/BoardPage.js'), 'BoardPage'),
});

/** A module's recycle bin: its deleted records and Restore. */
export const binRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/m/$module/bin',
  component: lazyRouteComponent(() => import('./pages/BinPage.js'), 'BinPage'),
});

export const newRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/m/$module/new',
  // Pre-filled values, e.g. the link to the record a related list was opened from.
  validateSearch: (search: Record<string, unknown>): { prefill?: Record<string, string> } =>
    search.prefill && typeof search.prefill === 'object'
      ? { prefill: search.prefill as Record<string, string> }
      : {},
  component: lazyRouteComponent(() => import('./pages/FormPage.js'), 'NewRecordPage'),
});

export const recordRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/m/$module/$id',
  component: lazyRouteComponent(() => import('./pages/RecordPage.js'), 'RecordPage'),
});

export const editRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/m/$module/$id/edit',
  component: lazyRouteComponent(() => import('./pages/FormPage.js'), 'EditRecordPage'),
});

/** Dashboards and reports bring the chart library with them; no other page loads it. */
export const dashboardRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/dashboards/$name',
  validateSearch: reportSearch,
  component: lazyRouteComponent(() => import('./pages/DashboardPage.js'), 'DashboardPage'),
});

export const dashboardsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/dashboards',
  component: lazyRouteComponent(() => import('./pages/ReportsPage.js'), 'DashboardsIndex'),
});

export const reportRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reports/$name',
  validateSearch: (search: Record<string, unknown>): ReportSearch & { dashboard?: string } => ({
    ...reportSearch(search),
    ...(typeof search.dashboard === 'string' ? { dashboard: search.dashboard } : {}),
  }),
  component: lazyRouteComponent(() => import('./pages/ReportPage.js'), 'ReportPage'),
});

export const reportsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/reports',
  component: lazyRouteComponent(() => import('./pages/ReportsPage.js'), 'ReportsPage'),
});

/** What waits for the user's decision and what became of their own requests. */
export const approvalsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: '/approvals',
  validateSearch: (search: Record<string, unknown>): { tab?: 'requests' } =>
    search.tab === 'requests' ? { tab: 'requests' } : {},
  component: lazyRouteComponent(() => import('./pages/ApprovalsPage.js'), 'ApprovalsPage'),
});

const analyticsRoutes = [dashboardRoute, dashboardsRoute, reportRoute, reportsRoute] as const;

const routeTree = rootRoute.addChildren([
  signInRoute,
  appRoute.addChildren([
    homeRoute,
    listRoute,
    boardRoute,
    newRoute,
    binRoute,
    recordRoute,
    editRoute,
    approvalsRoute,
    ...analyticsRoutes,
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: 'intent' });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
