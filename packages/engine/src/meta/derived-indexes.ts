import type { MetadataDoc } from '@atrium/metadata';
import { type ScopeIndex, scopeIndexes } from '../access-indexes.js';
import { reportIndexes } from '../reports/report-indexes.js';

/**
 * The indexes derived from documents other than a module's own fields: the scope indexes of
 * private modules' sharing (access-indexes.ts) and the report indexes of the modules reports
 * read (reports/report-indexes.ts). Plan keeps them in step with every change; an engine's start
 * brings them to what the stored documents call for (index-sync.ts).
 */
export function derivedIndexes(documents: readonly MetadataDoc[]): ScopeIndex[] {
  return [...scopeIndexes(documents), ...reportIndexes(documents)];
}
