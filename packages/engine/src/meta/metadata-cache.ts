import pg from 'pg';
import type { Db } from '../db.js';
import { compileSnapshot, type Snapshot } from '../records/compiled-module.js';
import { loadMetadata, META_CHANNEL, type StoredMetadata } from './store.js';

/**
 * This process's compiled metadata. Requests read `current` (no I/O); a new revision applied
 * anywhere arrives through LISTEN/NOTIFY and is compiled once.
 */
export class MetadataCache {
  #snapshot: Snapshot;
  #listener: pg.Client | undefined;
  #loading: Promise<Snapshot> | undefined;
  /** A load on a write transaction's connection, for the revision that write saw. */
  #loadingVia: { revision: number; snapshot: Promise<Snapshot> } | undefined;
  /** Set by close(): no more listening, nor retries. */
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  /** The connection attempt in progress, for close() to wait on. */
  #connecting: Promise<void> | undefined;

  private constructor(
    private readonly db: Db,
    private readonly schema: string,
    snapshot: Snapshot,
  ) {
    this.#snapshot = snapshot;
  }

  static async load(db: Db, schema: string): Promise<MetadataCache> {
    const stored = await loadMetadata(db, schema);
    return new MetadataCache(
      db,
      schema,
      compileSnapshot(schema, stored.revision, stored.documents),
    );
  }

  get current(): Snapshot {
    return this.#snapshot;
  }

  /**
   * Reloads when the stored revision is newer than `seen` (or unconditionally). A write
   * transaction passes itself as `via` and loads on its own connection: it never waits for a
   * free pool connection, nor for a load that began before its revision committed.
   */
  async refresh(seen?: number, via?: Db): Promise<Snapshot> {
    if (seen !== undefined && seen <= this.#snapshot.revision) return this.#snapshot;
    if (via) return this.loadVia(via, seen);
    const joined = this.#loading !== undefined;
    const snapshot = await this.load();
    if (joined && seen !== undefined && snapshot.revision < seen) return this.load();
    return snapshot;
  }

  /**
   * Writes queued behind an apply reach the new revision together: one loads and compiles it
   * on its connection, the others with the same `seen` wait for that. It cannot be older: its
   * transaction holds the shared lock, so no apply commits between its read of `seen` and its load.
   */
  private loadVia(via: Db, seen: number | undefined): Promise<Snapshot> {
    if (seen !== undefined && this.#loadingVia?.revision === seen) return this.#loadingVia.snapshot;
    const snapshot = loadMetadata(via, this.schema).then((stored) => this.install(stored));
    if (seen === undefined) return snapshot;
    const entry = { revision: seen, snapshot };
    this.#loadingVia = entry;
    const done = () => {
      if (this.#loadingVia === entry) this.#loadingVia = undefined;
    };
    snapshot.then(done, done);
    return snapshot;
  }

  private load(): Promise<Snapshot> {
    this.#loading ??= loadMetadata(this.db, this.schema)
      .then((stored) => this.install(stored))
      .finally(() => {
        this.#loading = undefined;
      });
    return this.#loading;
  }

  private install(stored: StoredMetadata): Snapshot {
    if (stored.revision > this.#snapshot.revision) {
      this.#snapshot = compileSnapshot(this.schema, stored.revision, stored.documents);
    }
    return this.#snapshot;
  }

  /**
   * Listens for revisions applied by any node, on a dedicated connection. When that connection
   * is lost (a Postgres restart, `pg_terminate_backend`, a network cut) it is opened again with
   * backoff, and the metadata reloaded once, since notifications sent meanwhile are gone.
   * Rejects when the first connection cannot be made; `close()` stops listening and retrying.
   */
  async listen(url: string, onError: (e: Error) => void = () => {}): Promise<void> {
    this.#closed = false;
    await this.connectListener(url, onError);
  }

  private async connectListener(url: string, onError: (e: Error) => void): Promise<void> {
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    client.on('error', onError);
    client.on('notification', (msg) => {
      const [schema, revision] = (msg.payload ?? '').split(':');
      if (schema === this.schema) this.refresh(Number(revision)).catch(onError);
    });
    client.once('end', () => {
      if (this.#listener !== client) return;
      this.#listener = undefined;
      this.relisten(url, onError, 0);
    });
    const attempt = (async () => {
      await client.connect();
      await client.query(`listen ${META_CHANNEL}`);
      if (this.#closed) return;
      this.#listener = client;
      // A revision applied before LISTEN (since load(), or while disconnected) would be missed.
      await this.refresh();
    })();
    this.#connecting = attempt.catch(() => {});
    try {
      await attempt;
    } catch (e) {
      // The connection may be up with the reload failed: start over rather than miss a revision.
      if (this.#listener === client) this.#listener = undefined;
      await client.end().catch(() => {});
      throw e;
    }
    if (this.#closed) await client.end().catch(() => {});
  }

  /** Tries again after a delay that doubles up to 5 s (with jitter, so nodes do not stampede). */
  private relisten(url: string, onError: (e: Error) => void, failures: number): void {
    if (this.#closed) return;
    const delay = Math.min(5_000, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.connectListener(url, onError).catch((e: Error) => {
        onError(e);
        this.relisten(url, onError, failures + 1);
      });
    }, delay);
    // A pending retry alone does not keep the process alive.
    this.#retry.unref();
  }

  /** Stops listening, and any retry to listen again. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#connecting;
    const listener = this.#listener;
    this.#listener = undefined;
    await listener?.end();
  }
}
