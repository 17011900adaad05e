/**
 * A LIKE/ILIKE pattern that matches `text` literally (`%`, `_` and `\` escaped, with `\` being
 * Postgres's default escape character) where `mode` says: anywhere, or at the start.
 * @example likePattern('100%', 'contains') // '%100\%%'
 */
export function likePattern(text: string, mode: 'contains' | 'starts_with'): string {
  const escaped = text.replace(/[\\%_]/g, (c) => `\\${c}`);
  return mode === 'contains' ? `%${escaped}%` : `${escaped}%`;
}
