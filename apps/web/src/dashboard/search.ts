import type { Logic } from '../api/reports.js';

/** A list opened from a report figure: the figure's filter and the report it came from. */
export interface DrillSearch {
  filter?: Logic;
  from?: string;
}

/** The list route's drill-down parameters, kept only when they have the right shape. */
export function drillSearch(search: Record<string, unknown>): DrillSearch {
  const filter = search.filter;
  const ok =
    (typeof filter === 'object' && filter !== null && !Array.isArray(filter)) ||
    typeof filter === 'boolean';
  return {
    ...(ok ? { filter: filter as Logic } : {}),
    ...(ok && typeof search.from === 'string' ? { from: search.from } : {}),
  };
}

/** The dashboard filter in the URL, so a filtered dashboard can be shared as a link. */
export interface ReportSearch {
  period?: string;
  owner?: string;
}

export function reportSearch(search: Record<string, unknown>): ReportSearch {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const period = text(search.period);
  const owner = text(search.owner);
  return { ...(period ? { period } : {}), ...(owner ? { owner } : {}) };
}
