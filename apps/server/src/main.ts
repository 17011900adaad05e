import { buildApp } from './app.js';
import { boot, ensureFirstAdmin } from './boot.js';
import { loadConfig } from './config.js';
import { stopOnSignals } from './embedded-postgres.js';
import { installTemplate } from './templates.js';

/** `pnpm start`: the whole CRM on one port, on an embedded Postgres unless DATABASE_URL is set. */
async function main(): Promise<void> {
  const config = loadConfig();
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
  const app = await buildApp({
    engine: booted.engine,
    jwtSecret: booted.jwtSecret,
    logger: { level: config.logLevel },
    corsOrigins: config.corsOrigins,
  });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await app.close();
    await booted.close();
  };
  stopOnSignals(shutdown);
  const address = await app.listen({ port: config.port, host: config.host });
  log(`Atrium is up: ${address}/api/health (API under /api, OpenAPI at /api/openapi.json)`);
}

main().catch((e: unknown) => {
  console.error(`[atrium] cannot start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
