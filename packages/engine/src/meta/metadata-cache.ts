import type { Db } from '../db.js';
import { PgListener } from '../pg-listener.js';
import { compileSnapshot, type Snapshot } from '../records/compiled-module.js';
import { loadMetadata, META_CHANNEL, type StoredMetadata } from './store.js';

/**
 * This process's compiled metadata. Requests read `current` (no I/O); a new revision applied
 * anywhere arrives through LISTEN/NOTIFY and is compiled once.
 */
export class MetadataCache {
  #snapshot: Snapshot;
  readonly #listener = new PgListener(META_CHANNEL, {
    onNotify: (payload) => {
      const [schema, revision] = payload.split(':');
      if (schema === this.schema) this.refresh(Number(revision)).catch(this.#onError);
    },
    // A revision applied before LISTEN (since load(), or while disconnected) would be missed.
    onListening: async () => {
      await this.refresh();
    },
  });
  #onError: (e: Error) => void = () => {};
  #loading: Promise<Snapshot> | undefined;
  /** A load on a write transaction's connection, for the revision that write saw. */
  #loadingVia: { revision: number; snapshot: Promise<Snapshot> } | undefined;

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
    this.#onError = onError;
    await this.#listener.listen(url, onError);
  }

  /** Stops listening, and any retry to listen again. */
  async close(): Promise<void> {
    await this.#listener.close();
  }
}
