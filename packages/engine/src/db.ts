import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

/** Postgres type OIDs whose default parsing would lose meaning in JSON. */
const NUMERIC = 1700;
const INT8 = 20;
const DATE = 1082;
const TIMESTAMPTZ = 1184;

// numeric and bigint come back as JS numbers (the value schemas bound them to safe ranges);
// a date stays 'YYYY-MM-DD' so no time zone can shift it; a timestamp becomes the ISO string
// the API sends, without a Date in between (sessions run in UTC, see createDb).
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === NUMERIC || oid === INT8) return (v: string) => Number(v);
    if (oid === DATE) return (v: string) => v;
    if (oid === TIMESTAMPTZ) return isoTimestamp;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;
const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ) as (v: string) => Date;

/** `2026-11-23 04:25:58.5+00` → `2026-11-23T04:25:58.500Z`, as Date.prototype.toJSON writes it. */
export function isoTimestamp(value: string): string {
  const m = UTC_TIMESTAMP.exec(value);
  if (m) return `${m[1]}T${m[2]}.${(m[3] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  const at = parseTimestamp(value);
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

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
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types,
    // Timestamps are read and written in UTC whatever the server's default zone.
    options: '-c TimeZone=UTC',
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, url, destroy: () => db.destroy() };
}
