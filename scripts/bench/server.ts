/**
 * The server side of the benchmark, run in a child process so the load generator does not share
 * its event loop: the Atrium app (generic API under /api) with the hand-written baseline mounted
 * under /bench through `buildApp`'s `extend`. Reads its settings from BENCH_SERVER (JSON),
 * answers `{ port }` on IPC when listening, and exits on 'stop'.
 */
import { createDb, createEngine } from '@atrium/engine';
import { buildApp } from '@atrium/server';
import { automationBaselineRoutes } from './automations.js';
import { baselinePool, baselineRoutes } from './baseline-routes.js';

export interface ServerSettings {
  url: string;
  workspace: string;
  jwtSecret: string;
  poolSize: number;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.BENCH_SERVER ?? '{}') as ServerSettings;
  const handle = createDb(settings.url, { max: settings.poolSize });
  const engine = await createEngine(handle.db, { workspace: settings.workspace });
  const pool = baselinePool(settings.url, settings.poolSize);
  const app = await buildApp({
    engine,
    jwtSecret: settings.jwtSecret,
    extend: async (app) => {
      await baselineRoutes(pool)(app);
      await automationBaselineRoutes(pool)(app);
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.on('message', async (message) => {
    if (message !== 'stop') return;
    await app.close();
    await pool.end();
    await handle.destroy();
    process.exit(0);
  });
  process.send?.({ port });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
