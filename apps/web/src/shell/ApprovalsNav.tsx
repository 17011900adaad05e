import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { usePendingCount } from '../inbox/hooks.js';

/** The sidebar's link to the approvals page, with how many wait for the user's decision. */
export function ApprovalsNav() {
  const { t } = useTranslation();
  const waiting = usePendingCount();
  return (
    <ul className="nav nav-approvals">
      <li>
        <Link to="/approvals" activeOptions={{ includeSearch: false }}>
          <span className="nav-icon" aria-hidden="true">
            ✓
          </span>
          {t('approvals.nav')}
          {waiting > 0 && (
            // Read as "Approvals 3 waiting"; the word is for screen readers only.
            <span className="nav-count">
              {waiting}
              <span className="visually-hidden"> {t('approvals.navWaiting')}</span>
            </span>
          )}
        </Link>
      </li>
    </ul>
  );
}
