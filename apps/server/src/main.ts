import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { CredentialCache, effectsConfigFromEnv } from '@atrium/engine';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { boot, ensureFirstAdmin } from './boot.js';
import { loadConfig } from './config.js';
import { jwtSecretFile } from './data-dir.js';
import { stopOnSignals } from './embedded-postgres.js';
import { installTemplate } from './templates.js';
import { webBuilt } from './web-assets.js';
import { startWorkers, workersConfig } from './workers.js';

/** `pnpm start`: the whole CRM on one port, on an embedded Postgres unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const config = loadConfig();
  const workers = workersConfig();
  const effects = effectsConfigFromEnv();
  const log = (line: string) => console.log(`[atrium] ${line}`);
  if (!config.databaseUrl) log(`starting the embedded Postgres in ${config.dataDir}/pg`);
  const booted = await boot(config, log);
  await ensureFirstAdmin(booted, config, log);
  if (config.template && booted.engine.metadata.current.revision === 0) {
    const report = await installTemplate(booted, config.template, log);
    log(
      `installed template ${config.template}: ${report.documents} documents, ${report.records} sample records`,
    );
  }
  await booted.engine.metadata.listen(booted.database.url, (e) =>
    log(`metadata listener: ${e.message}`),
  );
  // Deactivations, logouts and revoked tokens made on any node reach this one within a second.
  const credentials = new CredentialCache(booted.handle.db);
  await credentials.listen(booted.database.url, (e) => log(`credentials listener: ${e.message}`));
  const build = (jwtSecret: string) =>
    buildApp({
      ...(effects.webhookSecret ? { webhookSecret: effects.webhookSecret } : {}),
      engine: booted.engine,
      jwtSecret,
      credentials,
      logger: { level: config.logLevel },
      corsOrigins: config.corsOrigins,
    });
  // The outbox's jobs (webhooks, mail, notifications) run in this process unless ATRIUM_WORKERS=0.
  const jobs = startWorkers(booted.engine, effects, workers, log);
  let secret = booted.jwtSecret;
  let app: FastifyInstance = await build(secret);
  // One change at a time: a rotation, then the shutdown, never both at once.
  let queue: Promise<void> = Promise.resolve();
  let closing = false;
  const secretFile = jwtSecretFile(config.dataDir);
  const shutdown = async () => {
    closing = true;
    unwatchFile(secretFile);
    await queue.catch(() => {});
    await app.close();
    await jobs.stop();
    await credentials.close();
    await booted.close();
  };
  stopOnSignals(shutdown);
  const address = await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address() as AddressInfo;

  if (config.jwtSecret === undefined) {
    // `atrium secret rotate` writes a new secret: serve with it, refusing older tokens.
    watchFile(secretFile, { interval: 1000, persistent: false }, () => {
      queue = queue
        .then(async () => {
          const next = (await readFile(secretFile, 'utf8').catch(() => '')).trim();
          if (closing || next === '' || next === secret) return;
          await app.close();
          secret = next;
          app = await build(secret);
          await app.listen({ port, host: config.host });
          log('the session signing secret was rotated: tokens signed before are refused');
        })
        .catch((e: unknown) => log(`could not apply the new signing secret: ${String(e)}`));
    });
  }
  log(`Atrium is up: ${address}/api/health (API under /api, OpenAPI at /api/openapi.json)`);
  if (webBuilt()) log(`open ${address}/ in a browser and sign in`);
}

main().catch((e: unknown) => {
  console.error(`[atrium] cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
