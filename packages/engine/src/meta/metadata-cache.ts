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
    if (via) return this.install(await loadMetadata(via, this.schema));
    const joined = this.#loading !== undefined;
    const snapshot = await this.load();
    if (joined && seen !== undefined && snapshot.revision < seen) return this.load();
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

  /** Listens for revisions applied by any node, on a dedicated connection. */
  async listen(url: string, onError: (e: Error) => void = () => {}): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on('error', onError);
    await client.connect();
    client.on('notification', (msg) => {
      const [schema, revision] = (msg.payload ?? '').split(':');
      if (schema === this.schema) this.refresh(Number(revision)).catch(onError);
    });
    await client.query(`listen ${META_CHANNEL}`);
    this.#listener = client;
    // A revision applied between load() and LISTEN would otherwise be missed.
    await this.refresh();
  }

  async close(): Promise<void> {
    await this.#listener?.end();
    this.#listener = undefined;
  }
}
