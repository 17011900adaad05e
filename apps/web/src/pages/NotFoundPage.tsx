import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="content">
      <p>{t('common.notFound')}</p>
      <Link to="/">{t('common.home')}</Link>
    </div>
  );
}
