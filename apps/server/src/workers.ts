import { type EffectsConfig, type Engine, JobWorker, sideEffectHandlers } from '@atrium/engine';

/** How many job workers a server runs and how often they look for work. */
export interface WorkersConfig {
  /** `ATRIUM_WORKERS` (default 1; 0: this process runs no jobs, another does). */
  count: number;
  /** `ATRIUM_WORKER_POLL_MS` (default 1000): the wait between looks when there was nothing to do. */
  pollMs: number;
  /**
   * `ATRIUM_JOB_LEASE_MS` (default 60000): how long a claimed job is held before another worker
   * may take it (its worker presumed dead). Keep it well above the slowest handler (a webhook
   * waits up to 10 s), or a slow job is run a second time while the first is still at it.
   */
  leaseMs: number;
}

/** Reads `ATRIUM_WORKERS` and `ATRIUM_WORKER_POLL_MS`, throwing an error naming a bad value. */
export function workersConfig(env: NodeJS.ProcessEnv = process.env): WorkersConfig {
  const int = (name: string, fallback: number, min: number, max: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new Error(
        `${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`,
      );
    return n;
  };
  return {
    count: int('ATRIUM_WORKERS', 1, 0, 32),
    pollMs: int('ATRIUM_WORKER_POLL_MS', 1000, 10, 600_000),
    leaseMs: int('ATRIUM_JOB_LEASE_MS', 60_000, 1000, 3_600_000),
  };
}

/**
 * Starts the server's job workers on the workspace's outbox. Any number of processes may run
 * them side by side (claims skip what another holds). `stop()` stops polling and waits for the
 * jobs in hand, so a shutdown does not cut a delivery off midway.
 */
export function startWorkers(
  engine: Engine,
  effects: EffectsConfig,
  config: WorkersConfig,
  log: (line: string) => void = () => {},
): { workers: JobWorker[]; stop: () => Promise<void> } {
  // Every job kind, composed in one place (sideEffectHandlers).
  const handlers = sideEffectHandlers(engine, effects);
  const workers = Array.from(
    { length: config.count },
    () => new JobWorker(engine.db, engine.workspace.schema, handlers, { leaseMs: config.leaseMs }),
  );
  for (const w of workers)
    w.start(config.pollMs, (e) =>
      log(`job worker ${w.id}: ${e instanceof Error ? e.message : String(e)}`),
    );
  return { workers, stop: async () => void (await Promise.all(workers.map((w) => w.stop()))) };
}
