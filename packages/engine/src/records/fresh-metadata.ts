import type { Engine } from '../engine.js';
import { AtriumError } from '../errors.js';

/**
 * Runs a read; when Postgres refuses a name in it (SQLSTATE class 42: a column or table that
 * a metadata apply on another node has just renamed or moved — 42703, 42P01 — or a dropped
 * column that Postgres then reads as a function call on the row, 42809/42883), reloads the
 * metadata and, if a newer revision came, runs the read once more. A second miss is a 409
 * METADATA_CHANGED, never a 500.
 */
export async function withFreshMetadata<T>(engine: Engine, read: () => Promise<T>): Promise<T> {
  const seen = engine.metadata.current.revision;
  try {
    return await read();
  } catch (e) {
    if (!isNameError(e)) throw e;
    if ((await engine.metadata.refresh()).revision === seen) throw e;
  }
  try {
    return await read();
  } catch (e) {
    if (!isNameError(e)) throw e;
    throw new AtriumError(
      'METADATA_CHANGED',
      [],
      'The module changed while it was read; try again',
    );
  }
}

function isNameError(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && /^42[0-9A-Z]{3}$/.test(code);
}
