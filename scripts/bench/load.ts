import autocannon from 'autocannon';
import { type CpuUse, cpuSample, cpuUse, type Watched } from './machine.js';

/** One side of a scenario: how to build each request. */
export interface Target {
  method: 'GET' | 'POST';
  /** Called per request, so ids and filters vary. */
  path: () => string;
  body?: () => string;
  /** Whose bearer token the requests carry (default: the run's, the admin's). */
  token?: string;
}

export interface Scenario {
  name: string;
  generic: Target;
  baseline: Target;
  /** Concurrent connections of this scenario, in place of the run's. */
  connections?: number;
}

export interface LoadOptions {
  url: string;
  token: string;
  connections: number;
  /** Measured seconds per side, split into `passes` passes run in ABBA order. */
  seconds: number;
  passes: number;
  warmupSeconds: number;
  watched: Watched;
}

export interface SideResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  cpu: CpuUse;
  /** CPU time of the server process per response, in µs. */
  serverUsPerRequest: number;
  /** CPU time of Postgres per response, in µs. */
  postgresUsPerRequest: number;
}

export interface ScenarioResult {
  name: string;
  generic: SideResult;
  baseline: SideResult;
  /** generic req/s ÷ baseline req/s */
  ratio: number;
  /** Concurrent connections it ran at. */
  connections: number;
}

interface Pass {
  ok: number;
  seconds: number;
  latencies: number[];
  non2xx: number;
  errors: number;
  cpu: CpuUse;
}

/**
 * Measures both sides of a scenario at fixed concurrency: a warm-up of each, then short passes
 * in ABBA order (generic, baseline, baseline, generic, …), so neither side always runs on the
 * other's warmer caches and a burst of load from elsewhere on the machine hits both alike.
 */
export async function measure(scenario: Scenario, options: LoadOptions): Promise<ScenarioResult> {
  if (options.warmupSeconds > 0) {
    await pass(scenario.generic, options, options.warmupSeconds);
    await pass(scenario.baseline, options, options.warmupSeconds);
  }
  const each = options.seconds / options.passes;
  const generic: Pass[] = [];
  const baseline: Pass[] = [];
  for (let i = 0; i < options.passes; i++) {
    const order =
      i % 2 === 0 ? (['generic', 'baseline'] as const) : (['baseline', 'generic'] as const);
    for (const side of order) {
      const result = await pass(scenario[side], options, each);
      (side === 'generic' ? generic : baseline).push(result);
    }
  }
  const g = merge(generic);
  const b = merge(baseline);
  return {
    name: scenario.name,
    generic: g,
    baseline: b,
    ratio: g.rps / b.rps,
    connections: options.connections,
  };
}

async function pass(target: Target, options: LoadOptions, seconds: number): Promise<Pass> {
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  const before = cpuSample(options.watched);
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.token ?? options.token}`,
  };
  if (target.body) headers['content-type'] = 'application/json';
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: seconds,
    headers,
    requests: [
      {
        method: target.method,
        setupRequest: (request: Record<string, unknown>) => ({
          ...request,
          path: target.path(),
          ...(target.body && { body: target.body() }),
        }),
      },
    ],
  });
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
    if (status >= 200 && status < 300) ok++;
    else non2xx++;
  });
  const result = (await instance) as { errors: number; duration: number };
  const cpu = cpuUse(before, cpuSample(options.watched));
  return { ok, seconds: result.duration, latencies, non2xx, errors: result.errors, cpu };
}

function merge(passes: Pass[]): SideResult {
  const latencies = passes.flatMap((p) => p.latencies).sort((a, b) => a - b);
  const requests = passes.reduce((s, p) => s + p.ok, 0);
  const seconds = passes.reduce((s, p) => s + p.seconds, 0);
  const avg = (f: (c: CpuUse) => number) =>
    passes.reduce((s, p) => s + f(p.cpu) * p.seconds, 0) / seconds;
  const responses = passes.reduce((s, p) => s + p.latencies.length, 0);
  const usPerResponse = (pct: number) => ((pct / 100) * seconds * 1e6) / responses;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    non2xx: passes.reduce((s, p) => s + p.non2xx, 0),
    errors: passes.reduce((s, p) => s + p.errors, 0),
    cpu: {
      machineBusyPct: avg((c) => c.machineBusyPct),
      serverPct: avg((c) => c.serverPct),
      loadgenPct: avg((c) => c.loadgenPct),
      postgresPct: avg((c) => c.postgresPct),
      irqPct: avg((c) => c.irqPct),
      otherPct: avg((c) => c.otherPct),
      others: mergeOthers(passes, seconds),
    },
    serverUsPerRequest: usPerResponse(avg((c) => c.serverPct)),
    postgresUsPerRequest: usPerResponse(avg((c) => c.postgresPct)),
  };
}

function mergeOthers(passes: Pass[], seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of passes) {
    for (const [comm, pct] of Object.entries(p.cpu.others))
      out[comm] = (out[comm] ?? 0) + (pct * p.seconds) / seconds;
  }
  return out;
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}
