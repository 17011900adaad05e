import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** Postgres type OIDs whose default parsing would lose meaning in JSON. */
const NUMERIC = 1700;
const INT8 = 20;
const DATE = 1082;

// numeric and bigint come back as JS numbers (the value schemas bound them to safe ranges);
// a date stays 'YYYY-MM-DD' so no time zone can shift it.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === NUMERIC || oid === INT8) return (v: string) => Number(v);
    if (oid === DATE) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

/** A Kysely instance over a pg pool; the schema of records is dynamic, so rows are untyped. */
export type Db = Kysely<any>;

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  destroy(): Promise<void>;
}

/** Opens a pool on `url` with Atrium's type parsing. */
export function createDb(url: string, options: { max?: number } = {}): DbHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, url, destroy: () => db.destroy() };
}
