import type { AddFieldResult } from './add-field.js';
import type { ScenarioResult, SideResult } from './load.js';
import type { SeedResult } from './seed.js';

export interface Target {
  ratio?: number;
  p99?: number;
}

/** The issue's targets, per scenario; add field ≤ 1 s. */
export const TARGETS: Record<string, Target> = {
  'get by id': { ratio: 0.7 },
  // The view's columns against the hand-written route's every column (see the report's note).
  'list view': { ratio: 1.5, p99: 50 },
  list: { ratio: 0.7, p99: 50 },
  'list fields': { ratio: 0.7, p99: 50 },
  'sort lookup': { ratio: 0.7 },
  'sort text': { ratio: 0.7 },
  create: { ratio: 0.5 },
  'bulk create': { ratio: 0.5 },
  // A create that three automations act on (scripts/bench/automations.ts).
  'create auto': { ratio: 0.5 },
  // Not generic ÷ hand-written: a sales rep's list ÷ the admin's same list (see the report's note).
  'list scoped': { ratio: 0.8, p99: 50 },
};
export const ADD_FIELD_TARGET_MS = 1000;

export interface Report {
  machine: string;
  machineAfter: string;
  database: string;
  rows: number;
  connections: number;
  seconds: number;
  passes: number;
  seed: SeedResult;
  scenarios: ScenarioResult[];
  addField: AddFieldResult[];
  /** Records per request of the bulk create scenario. */
  bulkSize: number;
}

/** Scenario names are padded to this width in the table. */
const NAME = 12;

const n = (v: number, digits = 0) => v.toFixed(digits);
const pad = (s: string, w: number) => s.padStart(w);

/** The plain-text report: one line per scenario with the ratio and PASS/MISS, then add field. */
export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push(
    `Atrium benchmark — generic API vs hand-written Fastify + pg, measured in the same run`,
  );
  lines.push(`machine:  ${r.machine}`);
  lines.push(`  at end: ${r.machineAfter}`);
  lines.push(
    `database: ${r.database}; bench_deals: ${r.rows.toLocaleString('en')} rows, 22 fields`,
  );
  lines.push(
    `seed:     insert ${s(r.seed.insertMs)}, indexes ${s(r.seed.indexMs)}, vacuum analyze ${s(r.seed.analyzeMs)}`,
  );
  lines.push(
    `load:     ${r.connections} connections, ${r.seconds} s per side in ${r.passes} passes (ABBA order, after a warm-up of each)`,
  );
  lines.push('');
  const head = `${'scenario'.padEnd(NAME)}│${pad('generic req/s', 14)}${pad('p50', 8)}${pad('p99', 8)} │${pad('baseline req/s', 15)}${pad('p50', 8)}${pad('p99', 8)} │${pad('ratio', 7)}  target`;
  lines.push(head);
  lines.push('─'.repeat(head.length + 20));
  for (const sc of r.scenarios) {
    const g = sc.generic;
    const b = sc.baseline;
    lines.push(
      `${sc.name.padEnd(NAME)}│${pad(n(g.rps), 14)}${pad(ms(g.p50), 8)}${pad(ms(g.p99), 8)} │${pad(n(b.rps), 15)}${pad(ms(b.p50), 8)}${pad(ms(b.p99), 8)} │${pad(n(sc.ratio, 2), 7)}  ${verdicts(sc).join(', ')}`,
    );
  }
  lines.push('');
  lines.push('CPU time per response (µs), generic / baseline:');
  for (const sc of r.scenarios) {
    const g = sc.generic;
    const b = sc.baseline;
    lines.push(
      `  ${sc.name.padEnd(NAME)} server ${n(g.serverUsPerRequest)} / ${n(b.serverUsPerRequest)} (×${n(g.serverUsPerRequest / b.serverUsPerRequest, 2)})` +
        `   postgres ${n(g.postgresUsPerRequest)} / ${n(b.postgresUsPerRequest)} (×${n(g.postgresUsPerRequest / b.postgresUsPerRequest, 2)})`,
    );
  }
  lines.push('');
  lines.push('CPU during the measured passes (% of one core; 200 = both cores busy):');
  for (const sc of r.scenarios) {
    lines.push(`  ${sc.name.padEnd(NAME)} generic:  ${cpu(sc.generic)}`);
    lines.push(`  ${''.padEnd(NAME)} baseline: ${cpu(sc.baseline)}`);
  }
  const scoped = r.scenarios.find((sc) => sc.name === 'list scoped');
  if (scoped) {
    lines.push('');
    lines.push(
      `list scoped, at ${scoped.connections} connections: "generic" = a sales rep's list (50 users in a role hierarchy,`,
    );
    lines.push(
      `  private default, 2 sharing rules), "baseline" = the admin's same list (unscoped), both through the`,
    );
    lines.push(
      `  generic API; ratio = rep ÷ admin (target ≥ 0.80), p99 = the rep's (target ≤ 50 ms).`,
    );
  }
  if (r.scenarios.some((sc) => sc.name === 'list view')) {
    lines.push('');
    lines.push(
      'list view: "generic" = what the web app asks for a list screen (view=bench_pipeline: its 6 columns',
    );
    lines.push(
      `  plus id and version), "baseline" = the straightforward hand-written list route (every column of`,
    );
    lines.push(
      `  the same rows). "list" compares every column on both sides, "list fields" the same few columns.`,
    );
  }
  const bulk = r.scenarios.find((sc) => sc.name === 'bulk create');
  if (bulk) {
    const single = r.scenarios.find((sc) => sc.name === 'create');
    const records = (x: SideResult) => x.rps * r.bulkSize;
    const versus = (x: SideResult, one: SideResult | undefined) =>
      one ? ` = ×${n(records(x) / one.rps, 1)} its single creates (${n(one.rps)} records/s)` : '';
    lines.push('');
    lines.push(`bulk create, ${r.bulkSize} records per request (records/s):`);
    lines.push(
      `  generic  ${pad(n(records(bulk.generic)), 7)}${versus(bulk.generic, single?.generic)}`,
    );
    lines.push(
      `  baseline ${pad(n(records(bulk.baseline)), 7)}${versus(bulk.baseline, single?.baseline)}`,
    );
  }
  const failed = r.scenarios.flatMap((sc) =>
    [sc.generic, sc.baseline]
      .filter((x) => x.non2xx > 0 || x.errors > 0)
      .map((x) => `${sc.name}: ${x.non2xx} non-2xx, ${x.errors} errors`),
  );
  if (failed.length > 0) lines.push('', `WARNING: ${failed.join('; ')}`);
  lines.push('');
  lines.push(
    `add a field to the ${r.rows.toLocaleString('en')}-row table (applyChange, one transaction):`,
  );
  for (const a of r.addField) {
    const verdict = a.ms <= ADD_FIELD_TARGET_MS ? 'PASS' : 'MISS';
    lines.push(
      `  ${`${a.type} ${a.field}`.padEnd(24)} ${pad(n(a.ms), 6)} ms   ≤ 1000 ms ${verdict}   (${a.steps.join('; ')})`,
    );
  }
  return lines.join('\n');
}

function verdicts(sc: ScenarioResult): string[] {
  const t = TARGETS[sc.name] ?? {};
  const out: string[] = [];
  if (t.ratio !== undefined)
    out.push(`ratio ≥ ${n(t.ratio, 2)} ${sc.ratio >= t.ratio ? 'PASS' : 'MISS'}`);
  if (t.p99 !== undefined)
    out.push(`p99 ≤ ${t.p99} ms ${sc.generic.p99 <= t.p99 ? 'PASS' : 'MISS'}`);
  return out;
}

function cpu(x: SideResult): string {
  const c = x.cpu;
  const top = Object.entries(c.others)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .filter(([, pct]) => pct >= 1)
    .map(([comm, pct]) => `${comm} ${n(pct)}`);
  return (
    `machine ${n(c.machineBusyPct)} = server ${n(c.serverPct)} + postgres ${n(c.postgresPct)} + ` +
    `load generator ${n(c.loadgenPct)} + irq ${n(c.irqPct)} + other ${n(c.otherPct)}` +
    (top.length > 0 ? `  (other: ${top.join(', ')})` : '')
  );
}

const ms = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)}ms`;
const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
