import { useSyncExternalStore } from 'react';

/**
 * A counter per module, raised when a record of it comes back from the bin ("Undo" in a toast,
 * "Restore" on the bin page), so a list on screen reloads and shows it again.
 */
const revisions = new Map<string, number>();
const listeners = new Set<() => void>();

export function recordRestored(module: string): void {
  revisions.set(module, (revisions.get(module) ?? 0) + 1);
  for (const listener of listeners) listener();
}

/** The module's restore counter: part of a list's key, so a restore reloads it. */
export function useRestoredRevision(module: string): number {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => revisions.get(module) ?? 0,
  );
}
