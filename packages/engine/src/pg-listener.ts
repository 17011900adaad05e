import pg from 'pg';

/**
 * LISTEN on one channel over a dedicated connection that comes back by itself: when it is lost
 * (a Postgres restart, `pg_terminate_backend`, a network cut) it is opened again with backoff
 * (0.1 s doubling to 5 s, with jitter so nodes do not stampede), and `onListening` runs after
 * every (re)connect, since notifications sent meanwhile are gone. `close()` stops it and any retry.
 */
export class PgListener {
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  /** The connection attempt in progress, for close() to wait on. */
  #connecting: Promise<void> | undefined;

  constructor(
    private readonly channel: string,
    private readonly handlers: {
      onNotify(payload: string): void;
      /** After LISTEN holds; a rejection counts as a failed attempt and is retried. */
      onListening(): Promise<void> | void;
    },
  ) {}

  /** Whether the connection is up and listening now. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  /** Rejects when the first connection cannot be made. */
  async listen(url: string, onError: (e: Error) => void = () => {}): Promise<void> {
    this.#closed = false;
    await this.connect(url, onError);
  }

  private async connect(url: string, onError: (e: Error) => void): Promise<void> {
    const client = new pg.Client({ connectionString: url, keepAlive: true });
    client.on('error', onError);
    client.on('notification', (msg) => this.handlers.onNotify(msg.payload ?? ''));
    client.once('end', () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.relisten(url, onError, 0);
    });
    const attempt = (async () => {
      await client.connect();
      await client.query(`listen ${this.channel}`);
      if (this.#closed) return;
      this.#client = client;
      await this.handlers.onListening();
    })();
    this.#connecting = attempt.catch(() => {});
    try {
      await attempt;
    } catch (e) {
      // The connection may be up with onListening failed: start over rather than miss a change.
      if (this.#client === client) this.#client = undefined;
      await client.end().catch(() => {});
      throw e;
    }
    if (this.#closed) await client.end().catch(() => {});
  }

  private relisten(url: string, onError: (e: Error) => void, failures: number): void {
    if (this.#closed) return;
    const delay = Math.min(5_000, 100 * 2 ** failures) * (0.5 + Math.random() / 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.connect(url, onError).catch((e: Error) => {
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
    const client = this.#client;
    this.#client = undefined;
    await client?.end();
  }
}
