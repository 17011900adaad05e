import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDb, type DbHandle } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../scripts/test/db.js';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

const accounts = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'employees', type: 'integer' },
  ],
};
const contacts = {
  kind: 'module',
  name: 'contacts',
  fields: [
    { name: 'email', type: 'email' },
    { name: 'account', type: 'lookup', target: 'accounts' },
  ],
};
const contactsView = {
  kind: 'view',
  module: 'contacts',
  name: 'all',
  type: 'table',
  columns: ['email'],
};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the atrium CLI', () => {
  let database: TestDatabase;
  let handle: DbHandle;
  let dir: string;

  /** Runs the built CLI against the test database, with `extra` on top of the environment. */
  const atriumWith = (extra: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: database.url,
        ATRIUM_DATA_DIR: dir,
        ATRIUM_TEMPLATE: 'none',
      };
      delete env.ATRIUM_WORKSPACE;
      delete env.ATRIUM_JWT_SECRET;
      delete env.npm_lifecycle_event;
      delete env.INIT_CWD;
      execFile(
        process.execPath,
        [CLI, ...args],
        { env: { ...env, ...extra }, timeout: 20_000, cwd: os.tmpdir() },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  const atrium = (...args: string[]) => atriumWith({}, ...args);

  /** Writes documents as files of a fresh folder (one a file, nested folders allowed). */
  async function folder(name: string, files: Record<string, unknown>): Promise<string> {
    const root = path.join(dir, name);
    for (const [file, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), JSON.stringify(content, null, 2));
    }
    return root;
  }

  const revision = async () =>
    (
      await sql<{
        n: number;
      }>`select coalesce(max(n), 0)::int as n from ws_main._meta_revisions`.execute(handle.db)
    ).rows[0]?.n;

  beforeAll(async () => {
    database = await createTestDatabase();
    handle = createDb(database.url);
    dir = await mkdtemp(path.join(os.tmpdir(), 'atrium-cli-'));
  });
  afterAll(async () => {
    await handle?.destroy();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints usage and exits 2 without a command', async () => {
    const [r, noTarget] = await Promise.all([atrium(), atrium('plan')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage:');
    expect(noTarget.code).toBe(2);
  });

  it('plans against an empty database (migrating it first) without changing anything', async () => {
    const docs = await folder('v1', {
      'accounts.json': accounts,
      'contacts/module.json': contacts,
      'contacts/views.json': [contactsView],
      'manifest.json': { name: 'not a document' },
      'notes.txt': 'ignored',
    });
    const r = await atrium('plan', docs);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('  create table for module accounts');
    expect(lines).toContain('  create table for module contacts');
    expect(lines).toContain('  link contacts.account to accounts');
    expect(lines).toContain('  add view:contacts.all');
    expect(lines.some((l) => l.startsWith('!'))).toBe(false);
    // The system schema and the workspace exist now, but nothing was applied.
    const users = await sql<{
      t: string | null;
    }>`select to_regclass('atrium.users')::text as t`.execute(handle.db);
    expect(users.rows[0]?.t).toBe('atrium.users');
    expect(await revision()).toBe(0);
    const table = await sql<{
      t: string | null;
    }>`select to_regclass('ws_main.accounts')::text as t`.execute(handle.db);
    expect(table.rows[0]?.t).toBeNull();
  });

  it('reads relative paths from where the user stands, also under pnpm (INIT_CWD)', async () => {
    // `pnpm atrium plan v1` run in `dir`: pnpm starts the command elsewhere and says where in INIT_CWD.
    const viaPnpm = await atriumWith(
      { npm_lifecycle_event: 'atrium', INIT_CWD: dir },
      'plan',
      'v1',
    );
    expect(viaPnpm.stderr).toBe('');
    expect(viaPnpm.stdout).toContain('create table for module accounts');
    // Outside a pnpm script INIT_CWD is some outer run's and means nothing: the current directory counts.
    const stray = await atriumWith({ npm_lifecycle_event: 'test', INIT_CWD: dir }, 'plan', 'v1');
    expect(stray.code).toBe(1);
    expect(stray.stderr).toContain(path.join(os.tmpdir(), 'v1'));
  });

  it('rotates the signing secret kept in the data dir (0600), unless it comes from the environment', async () => {
    const file = path.join(dir, 'jwt-secret');
    await atrium('trash'); // any command starts the server side once, creating the secret
    const before = await readFile(file, 'utf8');
    const r = await atrium('secret', 'rotate');
    expect(r.code, r.stderr).toBe(0);
    const after = await readFile(file, 'utf8');
    expect(after.trim()).toMatch(/^[\w-]{43}$/);
    expect(after).not.toBe(before);
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    const fromEnv = await atriumWith({ ATRIUM_JWT_SECRET: 'x'.repeat(40) }, 'secret', 'rotate');
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain('ATRIUM_JWT_SECRET');
    expect(await readFile(file, 'utf8')).toBe(after);
  });

  it('applies, and finds nothing to do the second time', async () => {
    const docs = path.join(dir, 'v1');
    const r = await atrium('apply', docs);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('applied: revision 1');
    expect(await revision()).toBe(1);
    const cols = await sql<{ column_name: string; data_type: string }>`select column_name, data_type
      from information_schema.columns where table_schema = 'ws_main' and table_name = 'accounts'
      and column_name in ('name', 'employees') order by column_name`.execute(handle.db);
    expect(cols.rows).toEqual([
      { column_name: 'employees', data_type: 'bigint' },
      { column_name: 'name', data_type: 'text' },
    ]);
    const again = await atrium('apply', docs);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe('nothing to change');
    expect(await revision()).toBe(1);
  });

  it('marks destructive steps and refuses them without --yes (exit 1), then applies them with it', async () => {
    await sql`insert into ws_main.accounts (id, name, employees) values (gen_random_uuid(), 'Acme', 5)`.execute(
      handle.db,
    );
    const fewer = { ...accounts, fields: accounts.fields.filter((f) => f.name !== 'employees') };
    const file = path.join(await folder('v2', { 'accounts.json': fewer }), 'accounts.json');

    // apply prints the plan first; the destructive step is marked with !.
    const refused = await atrium('apply', file);
    expect(refused.code).toBe(1);
    expect(refused.stdout.split('\n')).toEqual([
      '! drop field accounts.employees (kept in the trash)',
      '  update module:accounts',
      '',
    ]);
    expect(refused.stderr).toContain('--yes');
    expect(await revision()).toBe(1);

    const applied = await atrium('apply', file, '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('applied: revision 2');
    const kept = await sql<{ n: number }>`select r2__employees as n from ws_main.accounts`.execute(
      handle.db,
    );
    expect(kept.rows).toEqual([{ n: 5 }]);
  });

  it('reports invalid documents with their paths and exits 1', async () => {
    const docs = await folder('bad', {
      'x.json': [{ kind: 'module', name: 'Bad-Name', fields: [] }],
    });
    const [r, unreadable] = await Promise.all([
      atrium('plan', docs),
      atrium('plan', path.join(dir, 'missing')),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INVALID_METADATA');
    expect(r.stderr).toContain('documents[0].name');
    expect(unreadable.code).toBe(1);
  });

  it('creates users', async () => {
    const r = await atrium(
      'user',
      'create',
      '--email',
      'Boss@Example.com',
      '--password',
      'long enough pw',
      '--name',
      'Boss',
      '--admin',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created user Boss@Example.com \([0-9a-f-]{36}\) as administrator/);
    const rows = await sql<{
      email: string;
      name: string;
      is_admin: boolean;
      password_hash: string;
    }>`
      select email, name, is_admin, password_hash from atrium.users`.execute(handle.db);
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ email: 'Boss@Example.com', name: 'Boss', is_admin: true });
    expect(rows.rows[0]?.password_hash).toMatch(/^scrypt\$/);
    expect(rows.rows[0]?.password_hash).not.toContain('long enough pw');

    const [plain, duplicate, noPassword, noRole] = await Promise.all([
      atrium('user', 'create', '--email', 'clerk@example.com', '--password', 'pw-pw-pw-pw'),
      atrium('user', 'create', '--email', 'boss@example.com', '--password', 'x'),
      atrium('user', 'create', '--email', 'x@example.com'),
      atrium(
        'user',
        'create',
        '--email',
        'r@example.com',
        '--password',
        'pw-pw-pw-pw',
        '--role',
        'ghost',
      ),
    ]);
    // A role no document defines is refused, as by POST /api/users.
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain('role: no role document is named "ghost"');
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain('administrator');
    // E-mails are unique whatever their case.
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain('exists');
    expect(noPassword.code).toBe(2);
    const count = await sql<{ n: number }>`select count(*)::int as n from atrium.users`.execute(
      handle.db,
    );
    expect(count.rows[0]?.n).toBe(2);
  });

  it('lists the trash, and reverting the drop brings the field back with its values', async () => {
    const listed = await atrium('trash');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(
      /kept field accounts\.employees \(revision 2, .*\) as r2__employees/,
    );
    const r = await atrium('revert', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('bring field accounts.employees back from the trash');
    const back = await sql<{ employees: number }>`select employees from ws_main.accounts`.execute(
      handle.db,
    );
    expect(back.rows).toEqual([{ employees: 5 }]);
    expect((await atrium('trash')).stdout).toContain('the trash is empty');
    expect((await atrium('revert', 'x')).code).toBe(2);
  });

  it('shows what a change does to stored records, refuses what they do not fit, and takes resolutions', async () => {
    await sql`insert into ws_main.accounts (id, name) values (gen_random_uuid(), 'Acme')`.execute(
      handle.db,
    );
    const region = { name: 'region', type: 'text', required: true };
    const unique = {
      ...accounts,
      fields: [{ ...accounts.fields[0], unique: true }, accounts.fields[1], region],
    };
    const refused = await atrium('apply', await folder('v3', { 'accounts.json': unique }));
    expect(refused.code).toBe(1);
    const lines = refused.stdout.split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}✗ .*"Acme" \(2 records\)/));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}~ 2 records have no accounts\.region/),
    );
    expect(refused.stderr).toContain('accounts.name:');
    expect(await revision()).toBe(3);

    const required = { ...accounts, fields: [...accounts.fields, region] };
    const fixes = path.join(dir, 'fixes.json');
    await writeFile(fixes, JSON.stringify({ 'accounts.region': { fill: 'EMEA' } }));
    const applied = await atrium(
      'apply',
      await folder('v4', { 'accounts.json': required }),
      '--resolutions',
      fixes,
    );
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('+ accounts.region will be filled in 2 records');
    const rows = await sql<{ region: string }>`select region from ws_main.accounts`.execute(
      handle.db,
    );
    expect(rows.rows).toEqual([{ region: 'EMEA' }, { region: 'EMEA' }]);
  });
});
