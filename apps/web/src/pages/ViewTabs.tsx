import type { ViewDoc } from '@atrium/metadata';
import { Link } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { labelOf } from '../meta.js';

/** The module's saved views as tabs: table views open the list, kanban views the board. */
export function ViewTabs({
  module,
  views,
  current,
  locale,
}: {
  module: string;
  views: ViewDoc[];
  current: string | undefined;
  locale: string;
}) {
  const { t } = useTranslation();
  if (views.length < 2) return null;
  return (
    <nav className="tabs" aria-label={t('list.views')}>
      {views.map((v) => {
        const label = labelOf(v.label, locale, v.name);
        const active = v.name === current;
        return v.type === 'kanban' ? (
          <Link
            key={v.name}
            to="/m/$module/board/$view"
            params={{ module, view: v.name }}
            aria-current={active ? 'page' : undefined}
            activeProps={{}}
          >
            {label}
          </Link>
        ) : (
          <Link
            key={v.name}
            to="/m/$module"
            params={{ module }}
            search={{ view: v.name }}
            aria-current={active ? 'page' : undefined}
            activeProps={{}}
          >
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
