import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';

/** Postgres' answers when a column or table named by this process's metadata is gone. */
const STALE_NAME = new Set(['42703', '42P01']);

/**
 * Runs a read; when it meets a column or table that a metadata apply has just renamed or
 * moved (Postgres 42703 / 42P01), reloads the metadata once and runs it again. A second miss
 * is a 409 METADATA_CHANGED, never a 500.
 */
export async function withFreshMetadata<T>(engine: Engine, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (e) {
    if (!isStaleName(e)) throw e;
  }
  await engine.metadata.refresh();
  try {
    return await read();
  } catch (e) {
    if (!isStaleName(e)) throw e;
    throw new AtriumError(
      'METADATA_CHANGED',
      [],
      'The module changed while it was read; try again',
    );
  }
}

function isStaleName(e: unknown): boolean {
  return (
    typeof e === 'object' && e !== null && STALE_NAME.has((e as { code?: unknown }).code as string)
  );
}
