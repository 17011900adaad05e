import { useTranslation } from 'react-i18next';
import type { Period } from '../api/reports.js';
import { dayBefore, formatDay } from './format.js';

/** The days a report covers and the currency of its amounts, under the page title. */
export function PeriodNote({
  period,
  currency,
}: {
  period: Period | null | undefined;
  currency: string | undefined;
}) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language === 'zh-CN' ? 'zh-CN' : 'en';
  const parts: string[] = [];
  if (period) {
    parts.push(
      t('dashboard.periodRange', {
        from: formatDay(period.from, locale),
        to: formatDay(dayBefore(period.to), locale),
      }),
    );
  }
  if (currency) parts.push(t('money.currency', { currency }));
  if (parts.length === 0) return null;
  return <p className="period-note">{parts.join(' · ')}</p>;
}
