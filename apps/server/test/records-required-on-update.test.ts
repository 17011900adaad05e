import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Reply, startTestApp, type TestApp } from './support/test-app.js';

/**
 * A field made required while records are empty: the records stay (plan only warns), and the
 * next edit of each must fill it — even an edit that does not touch the field.
 */
const contacts = (required: boolean) => ({
  kind: 'module',
  name: 'contacts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'region', type: 'text', required },
    { name: 'tags', type: 'tags', required },
    { name: 'notes', type: 'textarea' },
  ],
});

/** A layout that hides `region`: the module's `required` still holds. */
const HIDING_LAYOUT = {
  kind: 'layout',
  module: 'contacts',
  name: 'main',
  sections: [{ fields: ['name', 'region', 'tags', 'notes'] }],
  rules: [{ when: true, hide: ['region'] }],
};

describe('records: required holds on updates too', () => {
  let t: TestApp;
  let ids: string[];

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([contacts(false)]);
    ids = [];
    for (const name of ['Ada', 'Grace', 'Linus']) {
      const r = await t.call('POST', '/api/records/contacts', { name });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const applied = await t.apply([contacts(true), HIDING_LAYOUT]);
    expect(applied.status).toBe(200);
  });
  afterAll(async () => t.close());

  const paths = (r: Reply) => r.body.error.details.map((d: { path: string }) => d.path).sort();
  const stored = async (id: string) =>
    (
      await sql<{
        notes: string | null;
        version: number;
      }>`select notes, version from ws_main.contacts where id = ${id}`.execute(t.handle.db)
    ).rows[0];

  it('refuses an edit that leaves a newly required field empty, at its path, writing nothing', async () => {
    const id = ids[0] as string;
    const r = await t.call('PATCH', `/api/records/contacts/${id}`, { version: 1, notes: 'hello' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(paths(r)).toEqual(['region', 'tags']);
    expect(await stored(id)).toEqual({ notes: null, version: 1 });
  });

  it('accepts the edit that fills them', async () => {
    const id = ids[0] as string;
    const r = await t.call('PATCH', `/api/records/contacts/${id}`, {
      version: 1,
      notes: 'hello',
      region: 'EMEA',
      tags: ['vip'],
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: 'EMEA', tags: ['vip'], version: 2 });
    // once filled, an edit of another field passes
    const next = await t.call('PATCH', `/api/records/contacts/${id}`, { version: 2, notes: 'x' });
    expect(next.status).toBe(200);
  });

  it('treats blank text as empty', async () => {
    const id = ids[1] as string;
    await sql`update ws_main.contacts set region = '', tags = '{}' where id = ${id}`.execute(
      t.handle.db,
    );
    const r = await t.call('PATCH', `/api/records/contacts/${id}`, { version: 1, notes: 'n' });
    expect(paths(r)).toEqual(['region', 'tags']);
  });

  it('speaks the caller language', async () => {
    const id = ids[2] as string;
    const r = await t.app.inject({
      method: 'PATCH',
      url: `/api/records/contacts/${id}`,
      headers: { authorization: `Bearer ${t.token}`, 'accept-language': 'zh-CN' },
      payload: { version: 1, tags: ['a'] },
    });
    expect(r.statusCode).toBe(400);
    expect(r.json().error.details).toEqual([{ path: 'region', message: '必填' }]);
  });

  it('refuses a bulk update at the operation path, and writes none of the batch', async () => {
    const r = await t.call('POST', '/api/records/contacts/bulk', {
      create: [{ name: 'New', region: 'APAC', tags: ['x'] }],
      update: [
        { id: ids[1], version: 1, region: 'APAC', tags: ['x'] },
        { id: ids[2], version: 1, notes: 'only notes' },
      ],
    });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['update[1].region', 'update[1].tags']);
    const count = await sql<{
      n: number;
    }>`select count(*)::int as n from ws_main.contacts`.execute(t.handle.db);
    expect(count.rows[0]?.n).toBe(3);
    expect((await stored(ids[1] as string))?.version).toBe(1);
  });

  it('a create still needs the field', async () => {
    const r = await t.call('POST', '/api/records/contacts', { name: 'Nobody' });
    expect(r.status).toBe(400);
    expect(paths(r)).toEqual(['region', 'tags']);
  });
});
