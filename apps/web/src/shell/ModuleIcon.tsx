import type { ModuleIcon as IconName, ModuleDoc } from '@atrium/metadata';

/**
 * The navigation's icon set: 20 px line icons drawn on a 24 grid with the current colour, one per
 * name a module may give (`icon` in its document). Kept inline (a few hundred bytes) rather than
 * pulling an icon library into the first load.
 */
const PATHS: Record<IconName, string> = {
  lead: 'M12 3a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM4 21v-1a6 6 0 0 1 9-5.2M17 14v6M14 17h6',
  account: 'M4 21V5l8-2v18M12 8h8v13M7 8h2M7 12h2M7 16h2M15 12h2M15 16h2M2 21h20',
  contact: 'M4 4h16v16H4zM12 8a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5zM8 17a4 4 0 0 1 8 0',
  deal: 'M3 7h18v13H3zM8 7V4h8v3M3 12h18M11 12v2h2v-2',
  contract: 'M6 3h9l4 4v14H6zM14 3v5h5M9 12h7M9 16h5',
  payment: 'M3 6h18v12H3zM3 10h18M7 15h3',
  task: 'M9 11l2 2 4-4M5 4h14v16H5z',
  case: 'M12 3l9 16H3zM12 10v4M12 17v.5',
  product: 'M12 3l8 4.5v9L12 21l-8-4.5v-9zM4 7.5l8 4.5 8-4.5M12 12v9',
  quote: 'M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6',
  order: 'M3 4h3l2 11h11l2-8H7M10 20a1 1 0 1 0 0 .1M18 20a1 1 0 1 0 0 .1',
  invoice: 'M6 3h12v18H6zM9 7h6M9 11h6M9 15h3',
  campaign: 'M3 10v4h4l6 4V6L7 10zM17 9a4 4 0 0 1 0 6',
  calendar: 'M4 5h16v15H4zM4 9h16M8 3v4M16 3v4',
  document: 'M6 3h9l4 4v14H6zM14 3v5h5',
  folder: 'M3 6h6l2 2h10v11H3z',
};

/** A module's icon, or the first letter of its label in a rounded square when it names none. */
export function ModuleIcon({ module, label }: { module: ModuleDoc; label: string }) {
  const path = module.icon ? PATHS[module.icon] : undefined;
  if (!path)
    return (
      <span className="nav-icon" aria-hidden="true">
        {label.slice(0, 1).toUpperCase()}
      </span>
    );
  return (
    <svg
      className="nav-svg"
      viewBox="0 0 24 24"
      width="18"
      height="18"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.75"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
    >
      <path d={path} />
    </svg>
  );
}

/** Modules in the order their documents give (`navOrder`), then by label in the user's language. */
export function navOrder(modules: ModuleDoc[], labelOf: (m: ModuleDoc) => string): ModuleDoc[] {
  const last = Number.MAX_SAFE_INTEGER;
  return [...modules].sort(
    (a, b) => (a.navOrder ?? last) - (b.navOrder ?? last) || labelOf(a).localeCompare(labelOf(b)),
  );
}
