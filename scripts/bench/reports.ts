/**
 * `pnpm bench:reports` — reporting on the seeded bench module, measured in one run:
 *
 * 1. `GET /api/records/bench_deals/aggregate?groupBy=stage&measures=count,sum:amount` through
 *    the whole server (authentication, access, one SQL statement, JSON) against the very SQL the
 *    engine compiles for it, run directly through pg. Requests alternate in ABBA order, one at a
 *    time; the ratio is pg's median time over the route's (≥ 0.8 is the target).
 * 2. A dashboard of 6 widgets (pipeline by stage, leads by source, won KPI with its previous
 *    period, leaderboard, forecast, funnel over the stage history) answered by
 *    `GET /api/dashboards/bench_sales` in one request (target: within 500 ms).
 *
 * Flags:
 *   --rows N    deals to seed (default 200000; 1000000 is the issue's size)
 *   --runs N    measured requests per side (default 30)
 *   --keep      keep the database
 *
 * DATABASE_URL is used when set, else an embedded Postgres (as `pnpm bench`). Not part of CI.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import {
  applyChange,
  buildAggregate,
  type CompiledModule,
  createDb,
  createEngine,
  createUser,
  migrateSystem,
  parseGroups,
  parseMeasures,
} from '@atrium/engine';
import { buildApp } from '@atrium/server';
import pg from 'pg';
import { accessDocuments, createHierarchy } from './access.js';
import { openBenchDatabase } from './database.js';
import { machineLine } from './machine.js';
import { accountsModule, dealsModule } from './modules.js';
import { seed } from './seed.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
  },
});
const rows = Number(flags.rows);
const runs = Number(flags.runs);
const log = (line: string) => process.stderr.write(`[bench:reports] ${line}\n`);

const won = { '==': [{ var: 'stage' }, 'won'] };
/** The six reports of the measured dashboard, on the bench module. */
const REPORTS = [
  {
    kind: 'report',
    module: 'bench_deals',
    name: 'bench_pipeline',
    type: 'summary',
    groupBy: ['stage'],
    measures: ['count', 'sum:amount'],
    filter: { '!': { in: [{ var: 'stage' }, ['won', 'lost']] } },
  },
  {
    kind: 'report',
    module: 'bench_deals',
    name: 'bench_sources',
    type: 'summary',
    groupBy: ['source'],
    measures: ['count'],
    dateField: 'close_date',
  },
  {
    kind: 'report',
    module: 'bench_deals',
    name: 'bench_won',
    type: 'summary',
    measures: ['sum:amount', 'count'],
    filter: won,
    dateField: 'close_date',
  },
  {
    kind: 'report',
    module: 'bench_deals',
    name: 'bench_leaders',
    type: 'leaderboard',
    amount: 'amount',
    dateField: 'close_date',
    won,
    lost: { '==': [{ var: 'stage' }, 'lost'] },
  },
  {
    kind: 'report',
    module: 'bench_deals',
    name: 'bench_forecast',
    type: 'forecast',
    amount: 'amount',
    probability: 'probability',
    dateField: 'close_date',
    quarters: 2,
  },
  {
    kind: 'report',
    module: 'bench_deals',
    name: 'bench_funnel',
    type: 'funnel',
    field: 'stage',
    stages: ['lead', 'qualified', 'proposal', 'negotiation', 'won'],
  },
];
const position = (i: number) => ({ x: (i % 2) * 6, y: Math.floor(i / 2) * 4, w: 6, h: 4 });
const DASHBOARD = {
  kind: 'dashboard',
  name: 'bench_sales',
  filter: { period: 'this_quarter', owner: true },
  widgets: [
    { report: 'bench_pipeline', type: 'bar' },
    { report: 'bench_sources', type: 'donut' },
    { report: 'bench_won', type: 'kpi', measure: 'sum:amount' },
    { report: 'bench_leaders', type: 'table' },
    { report: 'bench_forecast', type: 'bar', measure: 'expected' },
    { report: 'bench_funnel', type: 'funnel', measure: 'entered' },
  ].map((w, i) => ({ ...w, position: position(i) })),
};

const AGGREGATE = 'groupBy=stage&measures=count,sum:amount';

async function main(): Promise<void> {
  const machine = machineLine();
  log(machine);
  const database = await openBenchDatabase(log);
  const handle = createDb(database.url, { max: 10 });
  const direct = new pg.Pool({ connectionString: database.url, max: 2 });
  let close = async () => {};
  try {
    await migrateSystem(handle.db);
    const engine = await createEngine(handle.db, { workspace: 'main' });
    const password = randomBytes(12).toString('base64url');
    const admin = await createUser(handle.db, {
      email: 'bench@atrium.local',
      password,
      name: 'Bench',
      isAdmin: true,
    });
    // The date the dashboard's period filters on is indexed, as an admin would make it.
    const indexedDeals = {
      ...dealsModule,
      fields: dealsModule.fields.map((f) =>
        f.name === 'close_date' ? { ...f, indexed: true } : f,
      ),
    };
    await applyChange(
      engine,
      { documents: [accountsModule, indexedDeals, ...accessDocuments()] },
      admin.id,
    );
    const owners = await createHierarchy(handle.db, randomBytes(12).toString('base64url'));
    const snapshot = engine.metadata.current;
    const deals = snapshot.modules.get('bench_deals') as CompiledModule;
    const accounts = snapshot.modules.get('bench_accounts') as CompiledModule;
    log(`seeding ${rows.toLocaleString('en')} deals …`);
    await seed(
      database.url,
      { deals, accounts },
      { rows, accounts: 1000, owner: admin.id, owners },
    );
    log('seeding their stage history and moving close dates around today …');
    await seedHistory(direct, deals.table, engine.workspace.schema);
    await applyChange(engine, { documents: [...REPORTS, DASHBOARD] }, admin.id);
    // Applying the funnel filled the stage history from the field history, and the reports made
    // their index: autovacuum would soon mark their pages all-visible and count them (index-only
    // scans and plans depend on it); here it is done at once.
    await direct.query(`vacuum analyze "${engine.workspace.schema}"."_stage_history"`);
    await direct.query(`vacuum analyze ${deals.table}`);

    const app = await buildApp({ engine, jwtSecret: randomBytes(32).toString('base64url') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    close = async () => {
      await app.close();
    };
    const address = app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const login = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@atrium.local', password }),
    });
    const token = ((await login.json()) as { token: string }).token;
    const get = async (path: string) => {
      const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 200) throw new Error(`${path}: ${r.status} ${await r.text()}`);
      return r.json() as Promise<Record<string, unknown>>;
    };

    // The SQL the route runs for the administrator, compiled by the engine itself.
    const actor = { id: admin.id, email: admin.email, isAdmin: true, role: null, profile: null };
    const built = await buildAggregate(
      engine,
      { actor: actor as never, locale: 'en', timeZone: 'UTC' },
      { module: 'bench_deals', groups: [], measures: [], filters: [] },
      (m) => ({
        groups: parseGroups(m, 'stage'),
        measures: parseMeasures(m, 'count,sum:amount'),
      }),
    );
    const text = built.query.sql;
    const params = [...built.query.parameters];
    const viaRoute = await get(`/api/records/bench_deals/aggregate?${AGGREGATE}`);
    const viaPg = await direct.query(text, params);
    if ((viaRoute.rows as unknown[]).length !== viaPg.rows.length)
      throw new Error('the route and pg disagree on the number of groups');
    log(`one statement: ${text.replace(/\s+/g, ' ').slice(0, 160)}…`);

    log(`aggregate: ${runs} runs per side, ABBA …`);
    const route: number[] = [];
    const plain: number[] = [];
    const time = async (f: () => Promise<unknown>, into: number[]) => {
      const t = performance.now();
      await f();
      into.push(performance.now() - t);
    };
    const routeOnce = () => get(`/api/records/bench_deals/aggregate?${AGGREGATE}`);
    const pgOnce = () => direct.query(text, params);
    for (let i = 0; i < 3; i++) await Promise.all([routeOnce(), pgOnce()]);
    for (let i = 0; i < runs; i++) {
      const order = i % 2 === 0 ? [0, 1] : [1, 0];
      for (const side of order) await (side === 0 ? time(routeOnce, route) : time(pgOnce, plain));
    }

    log(`dashboard: ${runs} runs …`);
    const dashboard: number[] = [];
    const first = await get('/api/dashboards/bench_sales');
    const widgets = first.widgets as {
      report: string;
      error?: unknown;
      result?: { rows: unknown[] };
    }[];
    const problems = widgets.filter((w) => w.error);
    if (problems.length > 0) throw new Error(`widgets refused: ${JSON.stringify(problems)}`);
    for (let i = 0; i < runs; i++) await time(() => get('/api/dashboards/bench_sales'), dashboard);

    const each: [string, number[]][] = REPORTS.map((r) => [r.name, []]);
    for (let i = 0; i < Math.max(3, Math.floor(runs / 3)); i++)
      for (const [name, into] of each)
        await time(() => get(`/api/reports/${name}?period=this_quarter`), into);

    // What the machine gives right now: one plain scan of the table, timed in the same run.
    const scan: number[] = [];
    for (let i = 0; i < 5; i++)
      await time(() => direct.query(`select count(*), sum(amount) from ${deals.table}`), scan);
    // That one is answered from the index on amount; a read of every row of the table is what
    // the widgets over the whole table pay at least.
    const read: number[] = [];
    for (let i = 0; i < 5; i++)
      await time(
        () =>
          direct.query(`select count(*), sum(amount) from ${deals.table} where deleted_at is null`),
        read,
      );

    const m = (xs: number[]) => median(xs);
    const lines = [
      machine,
      `database: ${database.server}; ${rows.toLocaleString('en')} deals; ${runs} runs per side`,
      '',
      'aggregate: group by stage, count and sum:amount (money converted in SQL)',
      `  route (HTTP, all of it)   median ${m(route).toFixed(1)} ms  p95 ${p95(route).toFixed(1)} ms`,
      `  same SQL through pg       median ${m(plain).toFixed(1)} ms  p95 ${p95(plain).toFixed(1)} ms`,
      `  ratio (pg / route)        ${(m(plain) / m(route)).toFixed(2)}  (target ≥ 0.80)`,
      '',
      `dashboard of ${widgets.length} widgets (one request, period this_quarter, KPI with previous period)`,
      `  median ${m(dashboard).toFixed(0)} ms  p95 ${p95(dashboard).toFixed(0)} ms  best ${Math.min(...dashboard).toFixed(0)} ms  (target ≤ 500 ms)`,
      `  rows per widget: ${widgets.map((w) => `${w.report}=${w.result?.rows.length ?? 0}`).join(', ')}`,
      `  each report alone (median / p95 ms): ${each.map(([n, xs]) => `${n} ${m(xs).toFixed(0)} / ${p95(xs).toFixed(0)}`).join(', ')}`,
      `  one plain scan of the table (select count(*), sum(amount)) ${m(scan).toFixed(0)} ms: the dashboard costs ${(m(dashboard) / m(scan)).toFixed(1)} scans`,
      `  one read of every row (the same where deleted_at is null) ${m(read).toFixed(0)} ms: the dashboard costs ${(m(dashboard) / m(read)).toFixed(1)} reads`,
      `load average at the end: ${os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await close();
    await direct.end();
    await handle.destroy();
    await database.close({ keep: flags.keep ?? false });
  }
}

/**
 * Each deal's stage history as the write path would have left it: created at `lead`, then moved
 * to its stage, at moments spread over the past year; and close dates spread over this year
 * and the next, so the period and forecast widgets have records to count.
 */
async function seedHistory(pool: pg.Pool, table: string, schema: string): Promise<void> {
  const history = `"${schema}"."_history"`;
  await pool.query(
    `update ${table} set close_date = current_date - 365 + (abs(hashtext(id::text)) % 730)`,
  );
  await pool.query(
    `insert into ${history} (module, record_id, action, changes, actor, at)
     select 'bench_deals', id, 'create', jsonb_build_object('stage', jsonb_build_object('from', null, 'to', 'lead')),
       owner_id, now() - (abs(hashtext(id::text)) % 365) * interval '1 day'
     from ${table}`,
  );
  await pool.query(
    `insert into ${history} (module, record_id, action, changes, actor, at)
     select 'bench_deals', r.id, 'update', jsonb_build_object('stage', jsonb_build_object('from', 'lead', 'to', r.stage)),
       r.owner_id, h.at + (abs(hashtext(r.name)) % 30 + 1) * interval '1 day'
     from ${table} r join ${history} h on h.record_id = r.id and h.action = 'create'
     where r.stage <> 'lead'`,
  );
  await pool.query(`vacuum analyze ${table}`);
  await pool.query(`vacuum analyze ${history}`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)] as number;
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
