import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../scripts/test/global-setup.js';
import { moveEarlierDataDir, readOrCreateJwtSecret, rotateJwtSecret } from '../src/data-dir.js';

describe('the data dir', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('keeps the signing secret in a 0600 file, the same on every read until rotated', async () => {
    const dir = await makeTempDir('atrium-data-dir-');
    dirs.push(dir);
    const first = await readOrCreateJwtSecret(dir);
    expect(await readOrCreateJwtSecret(dir)).toBe(first);
    expect(((await stat(path.join(dir, 'jwt-secret'))).mode & 0o777).toString(8)).toBe('600');
    await rotateJwtSecret(dir);
    const second = await readOrCreateJwtSecret(dir);
    expect(second).not.toBe(first);
    expect(((await stat(path.join(dir, 'jwt-secret'))).mode & 0o777).toString(8)).toBe('600');
  });

  it('moves the earlier default data dir to the new place once, never over an existing one', async () => {
    const root = await makeTempDir('atrium-data-dir-');
    dirs.push(root);
    const earlier = path.join(root, 'apps/server/.data');
    const now = path.join(root, '.data');
    await mkdir(path.join(earlier, 'pg'), { recursive: true });
    await writeFile(path.join(earlier, 'pg', 'PG_VERSION'), '18\n');
    const lines: string[] = [];
    await moveEarlierDataDir(earlier, now, (l) => lines.push(l));
    expect(await readFile(path.join(now, 'pg', 'PG_VERSION'), 'utf8')).toBe('18\n');
    expect(lines).toEqual([`moved the data dir from ${earlier} to ${now}`]);
    // Both exist: nothing moves.
    await mkdir(earlier, { recursive: true });
    await moveEarlierDataDir(earlier, now, (l) => lines.push(l));
    expect(lines).toHaveLength(1);
  });
});
