import { Navigate, useRouterState } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { modulesOf, useWorkspace } from '../meta.js';

/**
 * The first module the user may read is the home page. A navigation the user started while the
 * workspace was loading (a click in the menu, its page still on its way) wins over it.
 */
export function HomePage() {
  const { t } = useTranslation();
  const { documents, ready } = useWorkspace();
  const going = useRouterState({ select: (s) => s.location.pathname });
  if (going !== '/') return null;
  if (!ready) return <p>{t('common.loading')}</p>;
  const first = modulesOf(documents)[0];
  if (!first) return <p>{t('common.noModules')}</p>;
  return <Navigate to="/m/$module" params={{ module: first.name }} replace />;
}
