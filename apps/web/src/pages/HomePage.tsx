import { Navigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { modulesOf, useWorkspace } from '../meta.js';

/** The first module the user may read is the home page. */
export function HomePage() {
  const { t } = useTranslation();
  const { documents, ready } = useWorkspace();
  if (!ready) return <p>{t('common.loading')}</p>;
  const first = modulesOf(documents)[0];
  if (!first) return <p>{t('common.noModules')}</p>;
  return <Navigate to="/m/$module" params={{ module: first.name }} replace />;
}
