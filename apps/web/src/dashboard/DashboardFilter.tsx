import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Period } from '../api/reports.js';
import { useSession } from '../session.js';
import { dayBefore } from './format.js';
import type { ReportSearch } from './search.js';

/** The named periods offered; the server takes any `date_in` period and ranges as well. */
export const PERIODS = [
  'this_month',
  'last_month',
  'this_quarter',
  'last_quarter',
  'this_year',
  'last_year',
  'all',
] as const;

const RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/;

/**
 * The filter every widget shares: a period (named, or a custom range of two days) and, when
 * the dashboard offers it, the owner (everyone, me, or one user). Changes go to the URL.
 */
export function DashboardFilter({
  value,
  period,
  ownerFilter,
  onChange,
}: {
  value: ReportSearch;
  /** The period the last answer used (the dashboard's default when the URL names none). */
  period: Period | null | undefined;
  ownerFilter: boolean;
  onChange(next: ReportSearch): void;
}) {
  const { t } = useTranslation();
  const { client } = useSession();
  const id = useId();
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => client.users(),
    staleTime: 5 * 60_000,
    enabled: ownerFilter,
  });
  const current = value.period ?? period?.name ?? 'all';
  const range = RANGE.exec(current);
  const [custom, setCustom] = useState(range !== null);
  const [from, setFrom] = useState(range?.[1] ?? period?.from ?? '');
  const [to, setTo] = useState(range?.[2] ?? (period ? dayBefore(period.to) : ''));
  useEffect(() => {
    if (range) {
      setFrom(range[1] as string);
      setTo(range[2] as string);
    }
  }, [range?.[1], range?.[2]]);
  const named = (PERIODS as readonly string[]).includes(current) ? current : undefined;
  const selected = custom || range ? 'custom' : (named ?? current);

  return (
    <form
      className="dashboard-filter"
      aria-label={t('dashboard.filters')}
      onSubmit={(e) => {
        e.preventDefault();
        if (from && to && from <= to) onChange({ ...value, period: `${from}..${to}` });
      }}
    >
      <div className="field inline">
        <label htmlFor={`${id}-period`}>{t('dashboard.period')}</label>
        <select
          id={`${id}-period`}
          value={selected}
          onChange={(e) => {
            const next = e.target.value;
            if (next === 'custom') {
              setCustom(true);
              return;
            }
            setCustom(false);
            onChange({ ...value, period: next });
          }}
        >
          {!named && !range && !custom && <option value={current}>{current}</option>}
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {t(`period.${p}`)}
            </option>
          ))}
          <option value="custom">{t('period.custom')}</option>
        </select>
      </div>
      {(custom || range) && (
        <>
          <div className="field inline">
            <label htmlFor={`${id}-from`}>{t('dashboard.from')}</label>
            <input
              id={`${id}-from`}
              type="date"
              value={from}
              required
              onChange={(e) => setFrom(e.target.value)}
            />
          </div>
          <div className="field inline">
            <label htmlFor={`${id}-to`}>{t('dashboard.to')}</label>
            <input
              id={`${id}-to`}
              type="date"
              value={to}
              min={from || undefined}
              required
              onChange={(e) => setTo(e.target.value)}
            />
          </div>
          <button type="submit" className="button">
            {t('dashboard.apply')}
          </button>
        </>
      )}
      {ownerFilter && (
        <div className="field inline">
          <label htmlFor={`${id}-owner`}>{t('dashboard.owner')}</label>
          <select
            id={`${id}-owner`}
            value={value.owner ?? ''}
            onChange={(e) => onChange({ ...value, owner: e.target.value || undefined })}
          >
            <option value="">{t('dashboard.ownerEveryone')}</option>
            <option value="me">{t('dashboard.ownerMe')}</option>
            {(users.data ?? []).map((u) => (
              <option key={u.id} value={u.id}>
                {u.name || u.email}
              </option>
            ))}
          </select>
        </div>
      )}
    </form>
  );
}
