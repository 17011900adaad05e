/**
 * `node --import tsx scripts/bench/plan-impact.ts` — how long `plan` takes to measure what a
 * schema change does to the rows already stored, on the seeded bench table (1M deals by default).
 * Each change is planned (never applied) a few times; the report gives the best and median time,
 * PASS or MISS against the target (1 s) for the median and, as the baseline measured in
 * the same run, a full `count(*)` of the table.
 *
 * Flags:
 *   --rows N     deals to seed (default 1000000)
 *   --repeat N   plans per change (default 3)
 *   --keep       keep the database instead of dropping it
 *   --reuse URL  plan against a database a --keep run left (already seeded)
 *
 * DATABASE_URL is used when set, else an embedded Postgres (as `pnpm bench`). Not part of CI.
 */
import { parseArgs } from 'node:util';
import {
  applyChange,
  type ChangeRequest,
  type CompiledModule,
  createDb,
  createEngine,
  createUser,
  migrateSystem,
  planChange,
} from '@atrium/engine';
import type { FieldDef, ModuleDoc } from '@atrium/metadata';
import pg from 'pg';
import { openBenchDatabase } from './database.js';
import { machineLine } from './machine.js';
import { accountsModule, dealsModule, STAGES } from './modules.js';
import { seed } from './seed.js';

const { values: flags } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    repeat: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    reuse: { type: 'string' },
  },
});
const log = (line: string) => process.stderr.write(`[plan-impact] ${line}\n`);
/** The bound on planning one change on the 1M-row table. */
const TARGET_MS = 1000;

/** The deals module with `name`'s field changed (merged) or renamed. */
function change(name: string, patch: Partial<FieldDef>): ModuleDoc {
  return {
    ...dealsModule,
    fields: dealsModule.fields.map((f) => (f.name === name ? ({ ...f, ...patch } as FieldDef) : f)),
  };
}

const CHANGES: { name: string; request: ChangeRequest }[] = [
  {
    name: 'label only (no data check)',
    request: { documents: [change('notes', { label: { en: 'Notes!' } })] },
  },
  {
    name: 'required, most rows empty',
    request: { documents: [change('competitor', { required: true })] },
  },
  {
    name: 'required, no row empty',
    request: { documents: [change('region', { required: true })] },
  },
  {
    name: 'unique, all values distinct',
    request: { documents: [change('name', { unique: true })] },
  },
  { name: 'unique, 4 values', request: { documents: [change('region', { unique: true })] } },
  {
    name: 'remove an option 1/6 of rows use',
    request: {
      documents: [
        change('stage', {
          options: STAGES.filter((s) => s !== 'lost').map((value) => ({ value })),
          default: 'lead',
        }),
      ],
    },
  },
  {
    name: '… mapped to another option',
    request: {
      documents: [
        change('stage', {
          options: STAGES.filter((s) => s !== 'lost').map((value) => ({ value })),
        }),
      ],
      resolutions: { 'bench_deals.stage': { map: { lost: 'won' } } },
    },
  },
  {
    name: 'maxLength every value fits',
    request: { documents: [change('region', { maxLength: 5 })] },
  },
  {
    name: 'maxLength no value fits',
    request: { documents: [change('description', { maxLength: 10 })] },
  },
  {
    name: 'numeric narrowing, values fit',
    request: { documents: [change('amount', { precision: 9, scale: 2 })] },
  },
  {
    name: 'numeric narrowing, scale lost',
    request: { documents: [change('discount', { scale: 0 })] },
  },
  {
    name: 'range narrowing (score 0–100 → 0–50)',
    request: { documents: [change('score', { max: 50 })] },
  },
  {
    name: 'rename a field',
    request: { documents: [change('competitor', { name: 'rival', renamedFrom: 'competitor' })] },
  },
];

async function main(): Promise<void> {
  log(machineLine());
  const rows = Number(flags.rows);
  const repeat = Number(flags.repeat);
  const database = flags.reuse
    ? { url: flags.reuse, close: async () => {} }
    : await openBenchDatabase(log);
  const handle = createDb(database.url, { max: 2 });
  try {
    // The system tables first: the engine reads the workspace and its metadata from them.
    if (!flags.reuse) await migrateSystem(handle.db);
    const engine = await createEngine(handle.db, { workspace: 'main' });
    if (!flags.reuse) {
      const admin = await createUser(handle.db, {
        email: 'bench@atrium.local',
        password: 'plan-impact-bench',
        name: 'Bench',
        isAdmin: true,
      });
      await applyChange(engine, { documents: [accountsModule, dealsModule] }, admin.id);
      const snapshot = engine.metadata.current;
      const deals = snapshot.modules.get('bench_deals') as CompiledModule;
      const accounts = snapshot.modules.get('bench_accounts') as CompiledModule;
      log(`seeding ${rows.toLocaleString('en')} deals …`);
      await seed(database.url, { deals, accounts }, { rows, accounts: 1000, owner: admin.id });
    }
    const deals = engine.metadata.current.modules.get('bench_deals') as CompiledModule;
    const time = async (work: () => Promise<unknown>) => {
      const ms: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const started = performance.now();
        await work();
        ms.push(performance.now() - started);
      }
      ms.sort((a, b) => a - b);
      return { best: ms[0] as number, median: ms[Math.floor(ms.length / 2)] as number };
    };
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const baseline = await time(() => client.query(`select count(*) from ${deals.table}`));
    await client.end();
    const lines = [
      `plan on ${rows.toLocaleString('en')} rows — best / median of ${repeat}, PASS when the median is ≤ ${TARGET_MS} ms, and the median as a multiple of a full count(*) (${baseline.median.toFixed(0)} ms) in the same run`,
    ];
    for (const c of CHANGES) {
      let outcome = '';
      const t = await time(async () => {
        const planned = await planChange(engine, c.request);
        outcome = planned.steps
          .flatMap((s) => s.impact ?? [])
          .map((i) => `${i.rule}: ${i.outcome}, ${i.more ? '>' : ''}${i.records} records`)
          .join('; ');
      });
      lines.push(
        `  ${c.name.padEnd(40)} ${t.best.toFixed(0).padStart(6)} / ${t.median.toFixed(0).padStart(6)} ms  ${t.median <= TARGET_MS ? 'PASS' : 'MISS'}  ${(t.median / baseline.median).toFixed(2).padStart(5)}×  ${outcome || 'no data check'}`,
      );
      log(lines.at(-1) as string);
    }
    lines.push(`machine after: ${machineLine()}`);
    console.log(lines.join('\n'));
  } finally {
    await handle.destroy();
    await database.close({ keep: flags.keep ?? false });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
