import { sql } from 'kysely';
import type { Db } from '../db.js';

/**
 * Counts a sign-in attempt under `key` (address and e-mail) in a one-minute window kept in
 * Postgres, so the limit holds across every node. Old windows are swept now and then, so keys
 * made of attacker input do not pile up.
 */
export async function loginAllowed(
  db: Db,
  key: string,
  perMinute: number,
): Promise<{ allowed: boolean; retryAfterSeconds: number }> {
  const r = await sql<{ attempts: number; left: number }>`
    insert into atrium.login_attempts as a (key, window_start, attempts) values (${key}, now(), 1)
    on conflict (key) do update set
      attempts = case when a.window_start <= now() - interval '1 minute' then 1 else a.attempts + 1 end,
      window_start = case when a.window_start <= now() - interval '1 minute' then now() else a.window_start end
    returning attempts,
      ceil(extract(epoch from (window_start + interval '1 minute' - now())))::int as left`.execute(
    db,
  );
  if (Math.random() < 0.01) {
    await sql`delete from atrium.login_attempts where window_start < now() - interval '1 minute'`.execute(
      db,
    );
  }
  const row = r.rows[0] as { attempts: number; left: number };
  return { allowed: row.attempts <= perMinute, retryAfterSeconds: Math.max(1, row.left) };
}
