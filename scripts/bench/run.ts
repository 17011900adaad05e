/**
 * `pnpm bench` — the generic Atrium API against a hand-written Fastify + pg route doing the same
 * work, measured in one run on a seeded 1M-row module, plus the time of adding a field to it. The deals belong to 50 users in a role hierarchy
 * (`private` default, 2 sharing rules); `list_scoped` compares a sales rep's list to the admin's.
 *
 * Flags:
 *   --rows N          deals to seed (default 1000000; e.g. 50000 for a quick run)
 *   --duration S      measured seconds per side and scenario (default 10)
 *   --warmup S        warm-up seconds per side and scenario (default 2)
 *   --passes N        passes per side, run in ABBA order (default 4)
 *   --connections N   concurrent connections of the load generator (default 16; `list_scoped`
 *                     always runs at 8, as its target is set for)
 *   --pool N          database pool size of both the engine and the baseline (default 10)
 *   --only LIST       scenarios to run, comma-separated: get,list_view,list,list_fields,sort_lookup,
 *                     sort_text,create,bulk_create,list_scoped,create_automations (default all)
 *   --cpu-prof        write a V8 CPU profile of the server process (the path is printed)
 *   --node-flags=…    extra Node flags of the server process, e.g. --node-flags=--max-semi-space-size=64
 *   --keep            keep the database (atrium_bench_<random>) instead of dropping it
 *   --json            print the results as JSON instead of the table
 *
 * DATABASE_URL (a server where the user may CREATE DATABASE) is used when set; otherwise an
 * embedded Postgres runs in a temporary directory for the length of the run. Progress goes to
 * stderr, the report to stdout. Not part of CI or `pnpm test`.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  applyChange,
  type CompiledModule,
  createDb,
  createEngine,
  createUser,
  migrateSystem,
} from '@atrium/engine';
import type { FieldDef } from '@atrium/metadata';
import { accessDocuments, createHierarchy, REP_EMAIL } from './access.js';
import { type AddFieldResult, timeAddField } from './add-field.js';
import { AUTOMATION_BENCH_DOCUMENTS } from './automations.js';
import { openBenchDatabase, postmasterPid } from './database.js';
import { measure, type ScenarioResult } from './load.js';
import { machineLine } from './machine.js';
import { accountsModule, dealsModule, dealsView } from './modules.js';
import { formatReport, type Report } from './report.js';
import { BULK_SIZE, buildScenarios, checkParity, SCENARIO_KEYS } from './scenarios.js';
import { sampleIds, seed } from './seed.js';
import { login, startServer, stopServer } from './server-process.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    passes: { type: 'string', default: '4' },
    connections: { type: 'string', default: '16' },
    pool: { type: 'string', default: '10' },
    only: { type: 'string', default: SCENARIO_KEYS.join(',') },
    'cpu-prof': { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const rows = positive('rows');
const seconds = positive('duration');
const warmupSeconds = Number(flags.warmup);
const connections = positive('connections');
const passes = positive('passes');
const poolSize = positive('pool');
const only = new Set((flags.only ?? '').split(',').map((s) => s.trim()));
const WORKSPACE = 'main';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

async function main(): Promise<void> {
  const machine = machineLine();
  log(machine);
  const database = await openBenchDatabase(log);
  log(`database ${database.name} on ${database.server}`);
  const handle = createDb(database.url, { max: 2 });
  let child: ChildProcess | undefined;
  const cleanup = async () => {
    child?.kill('SIGTERM');
    await handle.destroy().catch(() => {});
    await database.close({ keep: flags.keep ?? false });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    await migrateSystem(handle.db);
    const engine = await createEngine(handle.db, { workspace: WORKSPACE });
    const password = randomBytes(12).toString('base64url');
    const admin = await createUser(handle.db, {
      email: 'bench@atrium.local',
      password,
      name: 'Bench',
      isAdmin: true,
    });
    await applyChange(
      engine,
      {
        documents: [
          accountsModule,
          dealsModule,
          dealsView,
          ...accessDocuments(),
          ...AUTOMATION_BENCH_DOCUMENTS,
        ],
      },
      admin.id,
    );
    const repPassword = randomBytes(12).toString('base64url');
    const owners = await createHierarchy(handle.db, repPassword);
    const snapshot = engine.metadata.current;
    const deals = snapshot.modules.get('bench_deals') as CompiledModule;
    const accounts = snapshot.modules.get('bench_accounts') as CompiledModule;

    log(`seeding ${rows.toLocaleString('en')} deals …`);
    const seeded = await seed(
      database.url,
      { deals, accounts },
      { rows, accounts: 1000, owner: admin.id, owners },
    );
    log(
      `seeded in ${((seeded.insertMs + seeded.indexMs + seeded.analyzeMs) / 1000).toFixed(1)} s ` +
        `(insert ${(seeded.insertMs / 1000).toFixed(1)} s, indexes ${(seeded.indexMs / 1000).toFixed(1)} s, ` +
        `vacuum analyze ${(seeded.analyzeMs / 1000).toFixed(1)} s)`,
    );
    const ids = await sampleIds(database.url, deals, 10_000);
    const postmaster = await postmasterPid(database.url);
    const accountIds = await sampleIds(database.url, accounts, 100);

    const jwtSecret = randomBytes(32).toString('base64url');
    const serverFlags = (flags['node-flags'] ?? '').split(' ').filter(Boolean);
    if (flags['cpu-prof']) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'atrium-bench-profile-'));
      serverFlags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
      log(`the server's CPU profile will be written to ${dir} when it stops`);
    }
    const settings = { url: database.url, workspace: WORKSPACE, jwtSecret, poolSize };
    const started = await startServer(settings, serverFlags);
    child = started.child;
    log(`server (pid ${child.pid}) listening on port ${started.port}`);
    const url = `http://127.0.0.1:${started.port}`;
    const token = await login(url, 'bench@atrium.local', password);
    const repToken = await login(url, REP_EMAIL, repPassword);
    const scenarios = buildScenarios(ids, accountIds, { admin: token, rep: repToken }).filter((s) =>
      only.has(s.key),
    );
    await checkParity(url, token, scenarios, ids[0] as string);
    log('both sides answer the same JSON');

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      log(`measuring ${scenario.name} …`);
      const result = await measure(scenario, {
        url,
        token,
        connections: scenario.connections ?? connections,
        seconds,
        passes,
        warmupSeconds,
        watched: { server: child.pid, postmaster },
      });
      log(
        `  generic ${result.generic.rps.toFixed(0)} req/s, baseline ${result.baseline.rps.toFixed(0)} req/s, ratio ${result.ratio.toFixed(2)}`,
      );
      results.push(result);
    }
    await stopServer(child);
    child = undefined;

    log('adding fields to the seeded table …');
    const addField: AddFieldResult[] = [];
    let module = dealsModule;
    const newFields: FieldDef[] = [
      { name: 'bench_note', type: 'text' },
      {
        name: 'bench_tier',
        type: 'picklist',
        options: [{ value: 'gold' }, { value: 'silver' }, { value: 'bronze' }],
      },
    ];
    for (const field of newFields) {
      const timed = await timeAddField(engine, module, field, admin.id);
      module = timed.module;
      addField.push(timed.result);
      log(`  ${field.type} ${field.name}: ${timed.result.ms.toFixed(0)} ms`);
    }

    const report: Report = {
      machine,
      machineAfter: machineLine(),
      database: database.server,
      rows,
      connections,
      seconds,
      passes,
      seed: seeded,
      scenarios: results,
      addField,
      bulkSize: BULK_SIZE,
    };
    process.stdout.write(
      flags.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`,
    );
  } finally {
    await cleanup();
  }
}

function positive(name: 'rows' | 'duration' | 'connections' | 'pool' | 'passes'): number {
  const v = Number(flags[name]);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
