import './drill.css';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';

/** On a list opened from a report figure: where the filter came from, and a way to drop it. */
export function DrillChip({ module, from }: { module: string; from: string | undefined }) {
  const { t } = useTranslation();
  const report = from ?? '';
  return (
    <p className="drill-chip">
      <span>{t('drill.from', { report })}</span>
      <Link
        to="/m/$module"
        params={{ module }}
        search={{}}
        className="drill-chip-remove"
        aria-label={t('drill.remove', { report })}
      >
        <span aria-hidden="true">✕</span>
      </Link>
    </p>
  );
}
