import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { Drill } from '../api/reports.js';

/** A link to the records behind a figure: the module's list with the figure's filter. */
export function DrillLink({
  drill,
  from,
  label,
  children,
  className,
}: {
  drill: Drill;
  /** The report's title, shown on the list as "Filtered from …". */
  from: string;
  label?: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <Link
      to="/m/$module"
      params={{ module: drill.module }}
      search={{ filter: drill.filter, from }}
      aria-label={label}
      className={className}
    >
      {children}
    </Link>
  );
}
