import { useSyncExternalStore } from 'react';

/** Below 600 px the bin shows cards instead of a table (the same width as bin.css says). */
const NARROW = '(max-width: 600px)';

/** True while the window is phone-narrow; follows resizes and rotations. */
export function useNarrow(): boolean {
  return useSyncExternalStore(
    (listener) => {
      const query = window.matchMedia(NARROW);
      query.addEventListener('change', listener);
      return () => query.removeEventListener('change', listener);
    },
    () => window.matchMedia(NARROW).matches,
  );
}
