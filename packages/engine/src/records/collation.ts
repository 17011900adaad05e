import type { Locale } from '@atrium/metadata';
import { sql } from 'kysely';
import type { Db } from '../db.js';

/**
 * The collations text sorts use, decided once per database: ICU's root collation
 * (`und-x-icu`: linguistic, case only breaking ties, so "aardvark" comes before "OpenAPI") and,
 * for zh-CN callers, ICU's Chinese collation (`zh-x-icu`: Han characters in pinyin order).
 * A server built without ICU has neither; text then sorts in the database's own collation.
 */
export interface TextCollations {
  default?: string;
  'zh-CN'?: string;
}

const known = new WeakMap<Db, Promise<TextCollations>>();

/** The collations this database offers, looked up once per Db (the engine's first list). */
export function textCollations(db: Db): Promise<TextCollations> {
  let found = known.get(db);
  if (!found) {
    found = sql<{ collname: string }>`select collname from pg_collation
      where collname in ('und-x-icu', 'zh-x-icu') and collprovider = 'i'`
      .execute(db)
      .then(({ rows }) => {
        const names = new Set(rows.map((r) => r.collname));
        const und = names.has('und-x-icu') ? 'und-x-icu' : undefined;
        return { default: und, 'zh-CN': names.has('zh-x-icu') ? 'zh-x-icu' : und };
      });
    found.catch(() => known.delete(db));
    known.set(db, found);
  }
  return found;
}

/** The collation a caller's text sorts use, or undefined for the database's own. */
export function collationFor(collations: TextCollations, locale: Locale): string | undefined {
  return locale === 'zh-CN' ? collations['zh-CN'] : collations.default;
}
