import { sql } from 'kysely';
import type { Db } from '../db.js';
import { PgListener } from '../pg-listener.js';
import { type Actor, USER_COLUMNS, type UserRow } from './users.js';

/** The channel the `atrium.notify_credentials` trigger speaks on: `user:<id>`, `session:<id>`, `token:<id>`. */
export const CREDENTIALS_CHANNEL = 'atrium_credentials';

/** A session as the authentication hook needs it. */
export interface SessionState {
  id: string;
  userId: string;
  /** False once logged out or revoked. */
  live: boolean;
  /** Checked on every request: a cached entry must not outlive it. */
  expiresAt: string;
}

/** An API token as the authentication hook needs it (looked up by the hash of its secret). */
export interface TokenState {
  id: string;
  userId: string;
  live: boolean;
  /** Null: never; checked on every request, a cached entry must not outlive it. */
  expiresAt: string | null;
  /** When it was last used, as stored: the hook writes it at most once a minute. */
  lastUsedAt: Date | string | null;
}

interface Entry {
  value: unknown;
  at: number;
}

/**
 * Who a credential belongs to, kept per node for a short time so a request costs no query.
 * Any change to a user, session or API token (by any node, or by hand in SQL) fires a trigger
 * whose NOTIFY drops the entry on every listening node; a node that is not listening (or lost
 * its listener) keeps entries for `staleMs` only (1 s), so nodes agree within a second either way.
 * The node that makes a change also calls `forget`, so its own next request already sees it.
 */
export class CredentialCache {
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every forget: a load that began before one is not kept (it may be stale). */
  #generation = 0;
  readonly #listener = new PgListener(CREDENTIALS_CHANNEL, {
    onNotify: (payload) => this.forget(payload),
    // Changes made before LISTEN took hold were not heard.
    onListening: () => this.forgetAll(),
  });

  constructor(
    private readonly db: Db,
    private readonly options: { staleMs?: number; listeningMs?: number; max?: number } = {},
  ) {}

  /** The user with this id as an Actor with their active flag, or undefined. */
  /** Whether a session or token is live now (not revoked, not expired). */
  static usable(state: SessionState | TokenState | undefined): boolean {
    if (!state?.live) return false;
    return state.expiresAt === null || new Date(state.expiresAt).getTime() > Date.now();
  }

  async user(id: string): Promise<(Actor & { active: boolean }) | undefined> {
    return this.cached(`user:${id}`, async () => {
      const r =
        await sql<UserRow>`select ${USER_COLUMNS} from atrium.users where id = ${id}`.execute(
          this.db,
        );
      const u = r.rows[0];
      if (!u) return undefined;
      return {
        id: u.id,
        email: u.email,
        isAdmin: u.isAdmin,
        role: u.role,
        profile: u.profile,
        locale: u.locale,
        active: u.active,
      };
    });
  }

  async session(id: string): Promise<SessionState | undefined> {
    return this.cached(`session:${id}`, async () => {
      const r = await sql<SessionState>`select id, user_id as "userId",
          (revoked_at is null and expires_at > now()) as live, expires_at as "expiresAt"
        from atrium.sessions where id = ${id}`.execute(this.db);
      return r.rows[0];
    });
  }

  async token(hash: string): Promise<TokenState | undefined> {
    return this.cached(`token-hash:${hash}`, async () => {
      const r = await sql<TokenState>`select id, user_id as "userId",
          (revoked_at is null and (expires_at is null or expires_at > now())) as live,
          expires_at as "expiresAt", last_used_at as "lastUsedAt"
        from atrium.api_tokens where token_hash = ${hash}`.execute(this.db);
      return r.rows[0];
    });
  }

  /** Drops what is known of `user:<id>`, `session:<id>` or `token:<id>` (a token by its id). */
  forget(key: string): void {
    this.#generation++;
    if (key.startsWith('token:')) {
      const id = key.slice('token:'.length);
      for (const [k, e] of this.#entries) {
        if (k.startsWith('token-hash:') && (e.value as TokenState | undefined)?.id === id) {
          this.#entries.delete(k);
        }
      }
      return;
    }
    this.#entries.delete(key);
  }

  forgetAll(): void {
    this.#generation++;
    this.#entries.clear();
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    const maxAge = this.#listener.listening
      ? (this.options.listeningMs ?? 30_000)
      : (this.options.staleMs ?? 1_000);
    if (hit && Date.now() - hit.at < maxAge) return hit.value as T;
    const at = Date.now();
    const generation = this.#generation;
    const value = await load();
    if (generation !== this.#generation) return value;
    // Bounded: keys come from verified tokens, but a burst of users must not grow memory forever.
    if (this.#entries.size >= (this.options.max ?? 50_000)) this.#entries.clear();
    this.#entries.set(key, { value, at });
    return value;
  }

  /**
   * Listens for credential changes made by any node, on a dedicated connection, reconnecting
   * with backoff when it is lost (everything is forgotten then, since notifications were missed).
   */
  async listen(url: string, onError: (e: Error) => void = () => {}): Promise<void> {
    await this.#listener.listen(url, onError);
  }

  async close(): Promise<void> {
    await this.#listener.close();
  }
}
