import type { ModuleDoc } from '@atrium/metadata';
import { Link, Outlet, useRouterState } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { labelOf, modulesOf, useWorkspace } from '../meta.js';
import { AnalyticsNav } from './AnalyticsNav.js';
import { ApprovalsNav } from './ApprovalsNav.js';
import { GlobalSearch } from './GlobalSearch.js';
import { ModuleIcon, navOrder } from './ModuleIcon.js';
import { NotificationBell } from './NotificationBell.js';
import { Toasts } from './Toasts.js';
import { UserMenu } from './UserMenu.js';

/**
 * Sidebar of the modules the user may read (from `GET /api/meta`, plural labels in the user's
 * language) and the approvals link, a top bar with global search, notifications and the user
 * menu; below 768 px the sidebar is a drawer.
 */
export function Shell() {
  const { t } = useTranslation();
  const { documents, locale, error, ready } = useWorkspace();
  const [drawer, setDrawer] = useState(false);
  const path = useRouterState({ select: (s) => s.location.pathname });
  // Navigating closes the drawer.
  useEffect(() => setDrawer(false), [path]);
  // Once the shell is on screen, fetch the record pages' code in the background, so the first
  // list opens without waiting for it (it stays out of the first load).
  useEffect(() => {
    const timer = setTimeout(() => {
      void import('../pages/ListPage.js');
      void import('../pages/RecordPage.js');
    }, 300);
    return () => clearTimeout(timer);
  }, []);

  const navLabel = (m: ModuleDoc) => labelOf(m.pluralLabel ?? m.label, locale, m.name);
  const modules = navOrder(modulesOf(documents), navLabel);
  return (
    <div className="shell" data-drawer={drawer ? 'open' : 'closed'}>
      <a className="skip-link" href="#content">
        {t('shell.skip')}
      </a>
      <nav className="sidebar" aria-label={t('shell.nav')} id="sidebar">
        <div className="row-between">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">
              A
            </span>
            {t('app.name')}
          </div>
          {drawer && (
            <button
              type="button"
              className="icon-button"
              aria-label={t('shell.closeMenu')}
              onClick={() => setDrawer(false)}
            >
              ✕
            </button>
          )}
        </div>
        <ul className="nav">
          {modules.map((m) => {
            const label = navLabel(m);
            return (
              <li key={m.name}>
                <Link
                  to="/m/$module"
                  params={{ module: m.name }}
                  activeOptions={{ exact: false, includeSearch: false }}
                  data-module={m.name}
                >
                  <ModuleIcon module={m} label={label} />
                  {label}
                </Link>
              </li>
            );
          })}
        </ul>
        <ApprovalsNav />
        <AnalyticsNav />
      </nav>
      <div className="drawer-backdrop" aria-hidden="true" onClick={() => setDrawer(false)} />
      <div className="main">
        <header className="topbar">
          <button
            type="button"
            className="icon-button menu-button"
            aria-label={t('shell.menu')}
            aria-expanded={drawer}
            aria-controls="sidebar"
            onClick={() => setDrawer(true)}
          >
            ☰
          </button>
          <GlobalSearch />
          <div className="topbar-spacer" />
          <NotificationBell />
          <UserMenu />
        </header>
        <main className="content" id="content">
          {error ? (
            <p role="alert" className="form-error">
              {t('common.error', { message: error.message })}
            </p>
          ) : ready ? (
            <Outlet />
          ) : (
            <p aria-busy="true">{t('common.loading')}</p>
          )}
        </main>
      </div>
      <Toasts />
    </div>
  );
}
