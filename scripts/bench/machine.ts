import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

/** The processes whose CPU time the benchmark tells apart. */
export interface Watched {
  /** The server child (generic API and baseline). */
  server?: number;
  /** The postmaster of the benchmark's Postgres: it and its children count as "postgres". */
  postmaster?: number;
}

/** CPU time counters (in clock ticks) at one instant, read from /proc. */
export interface CpuSample {
  at: number;
  machineBusy: number;
  /** Interrupt and softirq ticks (loopback networking partly lands here, in no process). */
  irq: number;
  watched: Watched;
  procs: Map<number, Proc>;
}

interface Proc {
  comm: string;
  ppid: number;
  ticks: number;
}

/** Where the CPU went between two samples, in % of one core (200 = both cores of two busy). */
export interface CpuUse {
  machineBusyPct: number;
  serverPct: number;
  loadgenPct: number;
  postgresPct: number;
  irqPct: number;
  otherPct: number;
  /** CPU of the other processes by command name (in the same unit). */
  others: Record<string, number>;
}

const TICKS_PER_SECOND = 100;

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    // After the command: field 3 (state) is [0], ppid [1], utime [11], stime [12].
    const f = stat.slice(close + 2).split(' ');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, close),
      ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]),
    };
  } catch {
    return undefined;
  }
}

/** Reads the machine's and every process's CPU counters. */
export function cpuSample(watched: Watched): CpuSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const n = line.trim().split(/\s+/).slice(1).map(Number);
  const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (n[3] ?? 0) + (n[4] ?? 0);
  const procs = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const p = readProc(Number(name));
    if (p) procs.set(Number(name), p);
  }
  return {
    at: performance.now(),
    machineBusy: total - idle,
    irq: (n[5] ?? 0) + (n[6] ?? 0),
    watched,
    procs,
  };
}

export function cpuUse(a: CpuSample, b: CpuSample): CpuUse {
  const seconds = (b.at - a.at) / 1000;
  const pct = (ticks: number) => (100 * ticks) / TICKS_PER_SECOND / seconds;
  const { server, postmaster } = b.watched;
  let serverTicks = 0;
  let loadgenTicks = 0;
  let postgresTicks = 0;
  const others = new Map<string, number>();
  for (const [pid, p] of b.procs) {
    const ticks = p.ticks - (a.procs.get(pid)?.ticks ?? 0);
    if (ticks <= 0) continue;
    if (pid === server) serverTicks += ticks;
    else if (pid === process.pid) loadgenTicks += ticks;
    else if (postmaster !== undefined && (pid === postmaster || p.ppid === postmaster))
      postgresTicks += ticks;
    else {
      others.set(p.comm, (others.get(p.comm) ?? 0) + ticks);
      if (process.env.BENCH_DEBUG_OTHERS && ticks > 20) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').slice(0, 160);
        } catch {}
        process.stderr.write(`  [other] pid ${pid} ppid ${p.ppid} ${ticks} ticks: ${cmd}\n`);
      }
    }
  }
  const machineBusyPct = pct(b.machineBusy - a.machineBusy);
  const serverPct = pct(serverTicks);
  const loadgenPct = pct(loadgenTicks);
  const postgresPct = pct(postgresTicks);
  const irqPct = pct(b.irq - a.irq);
  return {
    machineBusyPct,
    serverPct,
    loadgenPct,
    postgresPct,
    irqPct,
    otherPct: Math.max(0, machineBusyPct - serverPct - loadgenPct - postgresPct - irqPct),
    others: Object.fromEntries([...others].map(([comm, t]) => [comm, pct(t)])),
  };
}

/** The parent process id of `pid` (for a backend: the postmaster). */
export function parentOf(pid: number): number | undefined {
  return readProc(pid)?.ppid;
}

/** One line about the machine: cores, memory, load. */
export function machineLine(): string {
  const cpus = os.cpus();
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  const mem = `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB (${(os.freemem() / 2 ** 30).toFixed(1)} free)`;
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'cpu'}, ${mem}, load ${load}, Node ${process.version}`;
}
