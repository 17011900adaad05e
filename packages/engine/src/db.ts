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

type QueryResult = pg.QueryResult<Record<string, unknown>>;

/** What a statement that was not sent answers: the command, no rows. */
function unsent(command: string): QueryResult {
  return { command, rowCount: null, oid: 0, fields: [], rows: [] };
}

/**
 * A pg client that holds back a transaction's plain `begin` until its first statement: when that
 * statement has no parameters (a write's first is the metadata lock), both go as one simple
 * query, one round trip less per transaction. A statement with parameters is preceded by the
 * `begin` as before; a transaction that sent nothing commits or rolls back without a word.
 * Anything else (callbacks, query objects, cursors) passes through untouched.
 */
class DeferredBeginClient extends pg.Client {
  beginHeld = false;

  // biome-ignore lint/suspicious/noExplicitAny: pg's overloads, passed through as they come.
  override query(...args: any[]): any {
    const [text, values, callback] = args;
    if (typeof text !== 'string' || typeof values === 'function' || callback !== undefined)
      return this.passThrough(args);
    if (text === 'begin' && !this.beginHeld) {
      this.beginHeld = true;
      return Promise.resolve(unsent('BEGIN'));
    }
    if (!this.beginHeld) return super.query(text, values);
    this.beginHeld = false;
    if (text === 'commit') return Promise.resolve(unsent('COMMIT'));
    if (text === 'rollback') return Promise.resolve(unsent('ROLLBACK'));
    if (Array.isArray(values) && values.length > 0)
      return super.query('begin').then(() => super.query(text, values));
    return (super.query(`begin; ${text}`) as Promise<QueryResult | QueryResult[]>).then((r) =>
      Array.isArray(r) ? r[r.length - 1] : r,
    );
  }

  /**
   * A call this client does not rewrite, after the held `begin` if there is one. (Not named
   * `release`: the pool gives each checked-out client its own `release`, which would shadow it.)
   */
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  private passThrough(args: any[]): any {
    if (!this.beginHeld) return (super.query as (...a: unknown[]) => unknown)(...args);
    this.beginHeld = false;
    // Rare (no such call inside a write transaction today): send the begin first, synchronously
    // queued before the call, as pg runs queries in the order they are made.
    super.query('begin').catch(() => {});
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}

/** A Kysely instance over a pg pool; the schema of records is dynamic, so rows are untyped. */
export type Db = Kysely<any>;

export interface DbHandle {
  db: Db;
  pool: pg.Pool;
  url: string;
  destroy(): Promise<void>;
}

/** Options of {@link createDb}. */
export interface DbOptions {
  /** Most connections the pool opens (default 10). */
  max?: number;
  /**
   * How long a query waits for a connection, free or new, before failing (default 10 s): while
   * the database is away a request answers 503 instead of hanging.
   */
  connectionTimeoutMillis?: number;
  /** Hears of connections that died while idle in the pool (the pool already dropped them). */
  onError?: (e: Error) => void;
}

/**
 * Opens a pool on `url` with Atrium's type parsing. The pool survives the database going away
 * (restart, `pg_terminate_backend`, an idle timeout): dead connections are dropped, queries fail
 * with an error {@link isDatabaseUnavailable} recognises, and new connections are opened once
 * the database is back.
 */
export function createDb(url: string, options: DbOptions = {}): DbHandle {
  const pool = new pg.Pool({
    Client: DeferredBeginClient,
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    keepAlive: true,
    types,
    // Timestamps are read and written in UTC whatever the server's default zone.
    options: '-c TimeZone=UTC',
  });
  // An idle connection that dies makes the pool emit 'error'; unheard, Node would exit.
  pool.on('error', options.onError ?? (() => {}));
  // A connection that dies while checked out (between two statements of a transaction) emits
  // 'error' on itself, where the pool does not listen. Its next query fails with the cause and
  // the pool discards it on release, so nothing else is needed here.
  pool.on('connect', (client) => client.on('error', () => {}));
  // A held `begin` never outlives the checkout that held it (kysely always ends a transaction
  // with commit or rollback; this is for a checkout that ended otherwise).
  pool.on('release', (_e, client) => {
    (client as unknown as DeferredBeginClient).beginHeld = false;
  });
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, url, destroy: () => db.destroy() };
}

/** SQLSTATEs of a server that is shutting down, starting up, crashed or full. */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
/** Socket errors of a server that is not there, or a connection cut under us. */
const UNAVAILABLE_SOCKET = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** Errors node-postgres raises without a code when a connection is gone or cannot be had. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|timeout exceeded when trying to connect)/;

/**
 * Whether `e` says the database cannot be reached right now (as opposed to refusing a
 * statement): the request may succeed when retried, so it deserves a 503, not a 500.
 */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as { code?: unknown; message?: unknown; errors?: unknown };
  if (typeof err.code === 'string') {
    // Class 08: connection exception.
    if (UNAVAILABLE_STATES.has(err.code) || err.code.startsWith('08')) return true;
    if (UNAVAILABLE_SOCKET.has(err.code)) return true;
  }
  if (typeof err.message === 'string' && UNAVAILABLE_MESSAGE.test(err.message)) return true;
  // Node tries every address of `localhost` and reports all failures together.
  return Array.isArray(err.errors) && err.errors.some(isDatabaseUnavailable);
}
