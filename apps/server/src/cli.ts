import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  AtriumError,
  accessNameProblems,
  applyChange,
  type ChangeRequest,
  createUser,
  type Engine,
  listTrash,
  type PlannedStep,
  planChange,
  purgeTrash,
  revertRequest,
} from '@atrium/engine';
import { backup, restore } from './backup.js';
import { boot } from './boot.js';
import { callerDir, loadConfig } from './config.js';
import { jwtSecretFile, rotateJwtSecret } from './data-dir.js';

const USAGE = `usage:
  atrium plan <file|dir> [--resolutions R.json]           show what applying the documents would
                                                          change, and what it does to stored records
  atrium apply <file|dir> [--resolutions R.json] [--yes]  apply them (destructive steps need --yes)
  atrium user create --email E --password P [--name N] [--admin] [--role R] [--profile P]
  atrium revert <n> [--yes]          undo revision n (what it dropped comes back with its data)
  atrium trash                       list dropped fields and modules whose data is kept
  atrium purge [--days 30]           delete that data for good after N days
  atrium secret rotate               new session signing secret: every token signed before is refused
  atrium backup <file>               back up the database (the server may be running)
  atrium restore <file>              restore a backup into an empty data dir (or DATABASE_URL)

Paths are relative to the directory you run the command from.`;

/** The `atrium` command: metadata plan/apply from files, and user administration. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'plan' || command === 'apply') return planOrApply(command, rest);
  if (command === 'user' && rest[0] === 'create') return userCreate(rest.slice(1));
  if (command === 'trash' || command === 'purge') return trash(command, rest);
  if (command === 'revert') return revert(rest);
  if (command === 'secret' && rest[0] === 'rotate' && rest.length === 1) return rotateSecret();
  if ((command === 'backup' || command === 'restore') && rest.length === 1 && rest[0]) {
    const file = path.resolve(callerDir(), rest[0]);
    const log = (line: string) => console.log(line);
    await (command === 'backup' ? backup : restore)(loadConfig(), file, log);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

async function planOrApply(command: 'plan' | 'apply', args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean' }, resolutions: { type: 'string' } },
  });
  const target = positionals[0];
  if (!target) {
    console.error(USAGE);
    return 2;
  }
  const documents = await readDocuments(path.resolve(callerDir(), target));
  const resolutions = values.resolutions
    ? JSON.parse(await readFile(path.resolve(callerDir(), values.resolutions), 'utf8'))
    : undefined;
  return withEngine((engine) =>
    planThenApply(
      engine,
      { documents, ...(resolutions && { resolutions }) },
      { applyIt: command === 'apply', yes: values.yes ?? false },
    ),
  );
}

async function userCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string' },
      admin: { type: 'boolean' },
      role: { type: 'string' },
      profile: { type: 'string' },
    },
  });
  if (!values.email || !values.password) {
    console.error(USAGE);
    return 2;
  }
  const { email, password, name = '', admin = false, role = null, profile = null } = values;
  return withEngine(async (engine) => {
    // The same check as POST /api/users: a name no document defines would see nothing.
    const problems = accessNameProblems(engine.metadata.current, { role, profile }, 'en');
    if (problems.length > 0) {
      for (const p of problems) console.error(`${p.path}: ${p.message}`);
      return 2;
    }
    const user = await createUser(engine.db, {
      email,
      password,
      name,
      isAdmin: admin,
      role,
      profile,
    });
    console.log(
      `created user ${user.email} (${user.id})${user.isAdmin ? ' as administrator' : ''}`,
    );
    return 0;
  });
}

async function revert(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { yes: { type: 'boolean' } },
  });
  const n = Number(positionals[0]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(USAGE);
    return 2;
  }
  return withEngine(async (engine) =>
    planThenApply(engine, await revertRequest(engine.db, engine.workspace, n), {
      applyIt: true,
      yes: values.yes ?? false,
    }),
  );
}

/**
 * Replaces the signing secret in the data dir. A running server notices within seconds and
 * refuses every token signed before; users sign in again.
 */
async function rotateSecret(): Promise<number> {
  const config = loadConfig();
  if (config.jwtSecret !== undefined) {
    console.error(
      'The signing secret comes from ATRIUM_JWT_SECRET: change it there and restart every server.',
    );
    return 1;
  }
  await rotateJwtSecret(config.dataDir);
  console.log(
    `new signing secret in ${jwtSecretFile(config.dataDir)}: tokens signed before are refused ` +
      '(a running server picks it up within seconds; servers with another data dir need it too)',
  );
  return 0;
}

/** Prints the plan of `change`, then applies it when asked (destructive steps need --yes). */
async function planThenApply(
  engine: Engine,
  change: ChangeRequest,
  options: { applyIt: boolean; yes: boolean },
): Promise<number> {
  const planned = await planChange(engine, change);
  printSteps(planned.steps);
  if (planned.conflicts.length > 0) {
    console.error(
      '\nThe stored records do not fit (marked ✗); resolve them (--resolutions) first:',
    );
    for (const c of planned.conflicts) console.error(`  ${c.path}: ${c.message}`);
    return 1;
  }
  if (!options.applyIt || planned.steps.length === 0) return 0;
  if (planned.destructive && !options.yes) {
    console.error('\nThe plan drops or narrows data (marked !). Run again with --yes to apply it.');
    return 1;
  }
  const applied = await applyChange(engine, { ...change, allowDestructive: options.yes }, null);
  console.log(`\napplied: revision ${applied.revision}`);
  return 0;
}

/** Boots against the configured database, runs `work`, and always closes. */
async function withEngine(work: (engine: Engine) => Promise<number>): Promise<number> {
  const booted = await boot(loadConfig(), () => {});
  try {
    return await work(booted.engine);
  } finally {
    await booted.close();
  }
}

async function trash(command: 'trash' | 'purge', args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { days: { type: 'string', default: '30' } } });
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 0) {
    console.error('--days must be a whole number of days');
    return 2;
  }
  return withEngine(async (engine) => {
    const entries =
      command === 'trash'
        ? await listTrash(engine.db, engine.workspace)
        : await purgeTrash(engine.db, engine.workspace, days);
    if (entries.length === 0)
      console.log(command === 'trash' ? 'the trash is empty' : 'nothing to purge');
    for (const e of entries) {
      const what = e.field ? `field ${e.module}.${e.field}` : `module ${e.module}`;
      console.log(
        `${command === 'purge' ? 'purged' : 'kept'} ${what} (revision ${e.revision}, ${e.droppedAt}) as ${e.storedAs}`,
      );
    }
    return 0;
  });
}

function printSteps(steps: PlannedStep[]): void {
  if (steps.length === 0) console.log('nothing to change');
  const marks = { ok: ' ', warning: '~', resolved: '+', refused: '✗' } as const;
  for (const s of steps) {
    console.log(`${s.destructive ? '!' : ' '} ${s.summary}`);
    for (const i of s.impact ?? []) console.log(`    ${marks[i.outcome]} ${i.message}`);
  }
}

/** A file holding a document or a list of them, or a folder of such .json files (recursively). */
async function readDocuments(target: string): Promise<unknown[]> {
  const info = await stat(target);
  if (info.isFile()) return [JSON.parse(await readFile(target, 'utf8'))].flat();
  const entries = (await readdir(target, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  const docs: unknown[] = [];
  for (const e of entries) {
    const full = path.join(target, e.name);
    if (e.isDirectory()) docs.push(...(await readDocuments(full)));
    else if (e.name.endsWith('.json') && e.name !== 'manifest.json' && e.name !== 'sample.json')
      docs.push(...(await readDocuments(full)));
  }
  return docs;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (e instanceof AtriumError) {
      console.error(`${e.code}: ${e.message}`);
      for (const d of e.details) console.error(`  ${d.path}: ${d.message}`);
    } else console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  },
);
