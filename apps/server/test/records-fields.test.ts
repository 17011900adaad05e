import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

/** Every field type once, on one module, plus a lookup target. */
const COMPANIES = {
  kind: 'module',
  name: 'companies',
  recordName: 'name',
  fields: [{ name: 'name', type: 'text', required: true }],
};

const GADGETS = {
  kind: 'module',
  name: 'gadgets',
  recordName: 'name',
  defaultCurrency: 'EUR',
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 50 },
    { name: 'notes', type: 'textarea' },
    { name: 'email', type: 'email' },
    { name: 'phone', type: 'phone' },
    { name: 'website', type: 'url' },
    { name: 'qty', type: 'integer', min: 0, max: 1000 },
    { name: 'weight', type: 'decimal', precision: 8, scale: 3 },
    { name: 'price', type: 'currency' },
    { name: 'discount', type: 'percent' },
    { name: 'active', type: 'boolean' },
    { name: 'launch', type: 'date' },
    { name: 'reviewed_at', type: 'datetime' },
    {
      name: 'stage',
      type: 'picklist',
      options: [{ value: 'new' }, { value: 'used' }, { value: 'broken' }],
    },
    {
      name: 'colors',
      type: 'multipicklist',
      options: [{ value: 'red' }, { value: 'green' }, { value: 'blue' }],
    },
    { name: 'company', type: 'lookup', target: 'companies' },
    { name: 'manager', type: 'user' },
    { name: 'code', type: 'autonumber', prefix: 'G-', digits: 4 },
    {
      name: 'total',
      type: 'formula',
      returns: 'currency',
      expression: { '*': [{ var: 'price' }, { var: 'qty' }] },
    },
    {
      name: 'label',
      type: 'formula',
      returns: 'text',
      expression: { cat: [{ var: 'name' }, ' (', { var: 'stage' }, ')'] },
    },
    { name: 'tags', type: 'tags' },
  ],
};

/** A small module with a required field that has no default. */
const NOTES = {
  kind: 'module',
  name: 'notes',
  recordName: 'title',
  fields: [
    { name: 'title', type: 'text', required: true },
    { name: 'body', type: 'textarea' },
    { name: 'count', type: 'integer', required: true, default: 1 },
  ],
};

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The admin's user id: the `sub` of the fixture's JWT. */
function subOf(token: string): string {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sub as string;
}

function paths(body: { error: { details: { path: string }[] } }): string[] {
  return body.error.details.map((d) => d.path).sort();
}

describe('records: every field type', () => {
  let t: TestApp;
  let adminId: string;
  let companyA: string;
  let companyB: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([COMPANIES, GADGETS, NOTES]);
    adminId = subOf(t.token);
    companyA = (await t.call('POST', '/api/records/companies', { name: 'Acme' })).body.id;
    companyB = (await t.call('POST', '/api/records/companies', { name: 'Globex' })).body.id;
  });
  afterAll(async () => t.close());

  const full = () => ({
    name: 'Widget',
    notes: 'line one\nline two',
    email: 'sales@example.com',
    phone: '+1 (555) 010-2000',
    website: 'https://example.com/widget?x=1',
    qty: 12,
    weight: 1.125,
    price: 19.99,
    discount: 12.5,
    active: true,
    launch: '2026-02-28',
    reviewed_at: '2026-03-01T10:15:30.250Z',
    stage: 'new',
    colors: ['red', 'blue'],
    company: companyA,
    manager: adminId,
    tags: ['alpha', 'beta'],
  });

  it('the admin id from the token is the id login returns', async () => {
    const r = await t.call(
      'POST',
      '/api/auth/login',
      { email: 'admin@example.com', password: 'correct horse battery staple' },
      null,
    );
    expect(r.status).toBe(200);
    expect(r.body.user.id).toBe(adminId);
  });

  it('round-trips every field type through create and get', async () => {
    const input = full();
    const created = await t.call('POST', '/api/records/gadgets', input);
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(UUID_RE);
    expect(created.body.version).toBe(1);
    expect(created.body.owner_id).toBe(adminId);
    expect(created.body.created_by).toBe(adminId);
    expect(created.body.deleted_at).toBeNull();

    const got = await t.call('GET', `/api/records/gadgets/${created.body.id}`);
    expect(got.status).toBe(200);
    for (const body of [created.body, got.body]) {
      expect(body).toMatchObject(input);
      // computed
      expect(body.code).toMatch(/^G-\d{4}$/);
      expect(body.total).toBe(239.88);
      expect(body.label).toBe('Widget (new)');
      expect(body.currency_code).toBe('EUR');
    }
    expect(got.body).toEqual(created.body);
    expect(typeof got.body.qty).toBe('number');
    expect(typeof got.body.weight).toBe('number');
  });

  it('stores nulls and empty lists for optional fields', async () => {
    const created = await t.call('POST', '/api/records/gadgets', { name: 'Bare' });
    expect(created.status).toBe(201);
    const got = (await t.call('GET', `/api/records/gadgets/${created.body.id}`)).body;
    for (const f of GADGETS.fields) {
      if (['name', 'code', 'total', 'label'].includes(f.name)) continue;
      expect(got[f.name], f.name).toBeNull();
    }
    // price × qty with both empty is no number, so no value
    expect(got.total).toBeNull();
    expect(got.label).toBe('Bare ()');

    const cleared = await t.call('POST', '/api/records/gadgets', {
      name: 'Lists',
      colors: [],
      tags: [],
      notes: null,
    });
    expect(cleared.status).toBe(201);
    expect(cleared.body.colors).toEqual([]);
    expect(cleared.body.tags).toEqual([]);
    expect(cleared.body.notes).toBeNull();
  });

  it('normalizes a datetime to UTC milliseconds and keeps dates as calendar dates', async () => {
    const r = await t.call('POST', '/api/records/gadgets', {
      name: 'Zoned',
      reviewed_at: '2026-03-01T23:30:00+02:00',
      launch: '2024-02-29',
    });
    expect(r.status).toBe(201);
    expect(r.body.reviewed_at).toBe('2026-03-01T21:30:00.000Z');
    expect(r.body.launch).toBe('2024-02-29');
  });

  it('trims text and keeps decimals exact at their scale', async () => {
    const r = await t.call('POST', '/api/records/gadgets', {
      name: '  Padded  ',
      weight: 99999.999,
      price: 0.1,
      discount: 100,
    });
    expect(r.status).toBe(201);
    expect(r.body.name).toBe('Padded');
    expect(r.body.weight).toBe(99999.999);
    expect(r.body.price).toBe(0.1);
    expect(r.body.discount).toBe(100);
  });

  it('autonumbers increment', async () => {
    const a = await t.call('POST', '/api/records/gadgets', { name: 'N1' });
    const b = await t.call('POST', '/api/records/gadgets', { name: 'N2' });
    const c = await t.call('POST', '/api/records/gadgets', { name: 'N3' });
    const n = [a, b, c].map((r) => Number(String(r.body.code).slice(2)));
    expect(n[1]).toBe((n[0] as number) + 1);
    expect(n[2]).toBe((n[0] as number) + 2);
  });

  it('defaults currency_code to the module currency and lets it be set', async () => {
    const set = await t.call('POST', '/api/records/gadgets', {
      name: 'Dollar',
      price: 5,
      currency_code: 'USD',
    });
    expect(set.status).toBe(201);
    expect(set.body.currency_code).toBe('USD');
    const changed = await t.call('PATCH', `/api/records/gadgets/${set.body.id}`, {
      version: 1,
      currency_code: 'GBP',
    });
    expect(changed.status).toBe(200);
    expect(changed.body.currency_code).toBe('GBP');
    const bad = await t.call('POST', '/api/records/gadgets', { name: 'Bad', currency_code: 'usd' });
    expect(bad.status).toBe(400);
    expect(paths(bad.body)).toEqual(['currency_code']);
    // A module without money has no currency_code at all.
    const note = await t.call('POST', '/api/records/notes', { title: 'x' });
    expect(note.status).toBe(201);
    expect(note.body).not.toHaveProperty('currency_code');
    const noteBad = await t.call('POST', '/api/records/notes', {
      title: 'x',
      currency_code: 'USD',
    });
    expect(noteBad.status).toBe(400);
    expect(paths(noteBad.body)).toEqual(['currency_code']);
  });

  it('updates every field type and records field-level from/to in history', async () => {
    const before = full();
    const created = (await t.call('POST', '/api/records/gadgets', before)).body;
    const after = {
      name: 'Widget 2',
      notes: 'changed',
      email: 'ops@example.org',
      phone: '020 7946 0000',
      website: 'http://example.org',
      qty: 3,
      weight: 0.5,
      price: 100,
      discount: 0.25,
      active: false,
      launch: '2027-01-01',
      reviewed_at: '2027-01-02T03:04:05.006Z',
      stage: 'used',
      colors: ['green'],
      company: companyB,
      manager: null,
      tags: ['gamma'],
    };
    const updated = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
      version: 1,
      ...after,
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject(after);
    expect(updated.body.version).toBe(2);
    expect(updated.body.code).toBe(created.code);
    // formulas recomputed from the new inputs
    expect(updated.body.total).toBe(300);
    expect(updated.body.label).toBe('Widget 2 (used)');
    const got = await t.call('GET', `/api/records/gadgets/${created.id}`);
    expect(got.body).toEqual(updated.body);

    const history = await t.call('GET', `/api/records/gadgets/${created.id}/history`);
    expect(history.status).toBe(200);
    const [update, create] = history.body.data;
    expect(history.body.data).toHaveLength(2);
    expect(create.action).toBe('create');
    expect(update.action).toBe('update');
    expect(update.actor).toBe(adminId);
    const expected: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, v] of Object.entries(after))
      expected[k] = { from: before[k as keyof typeof before], to: v };
    expected.total = { from: 239.88, to: 300 };
    expected.label = { from: 'Widget (new)', to: 'Widget 2 (used)' };
    expect(update.changes).toEqual(expected);
    // the create entry carries the initial values
    expect(create.changes.name).toEqual({ from: null, to: 'Widget' });
    expect(create.changes.code).toEqual({ from: null, to: created.code });
    expect(create.changes.total).toEqual({ from: null, to: 239.88 });
  });

  it('recomputes a formula when only one of its inputs changes', async () => {
    const created = (
      await t.call('POST', '/api/records/gadgets', { name: 'F', price: 2.5, qty: 4 })
    ).body;
    expect(created.total).toBe(10);
    const r = await t.call('PATCH', `/api/records/gadgets/${created.id}`, { version: 1, qty: 10 });
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(25);
    const h = (await t.call('GET', `/api/records/gadgets/${created.id}/history`)).body.data[0];
    expect(h.changes).toEqual({ qty: { from: 4, to: 10 }, total: { from: 10, to: 25 } });
    // A change that touches no formula input leaves the formula alone.
    const r2 = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
      version: 2,
      notes: 'n',
    });
    expect(r2.body.total).toBe(25);
    const h2 = (await t.call('GET', `/api/records/gadgets/${created.id}/history`)).body.data[0];
    expect(h2.changes).toEqual({ notes: { from: null, to: 'n' } });
  });

  it('an update that changes nothing writes no version and no history', async () => {
    const created = (await t.call('POST', '/api/records/gadgets', full())).body;
    const same = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
      version: 1,
      ...full(),
    });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    const h = (await t.call('GET', `/api/records/gadgets/${created.id}/history`)).body.data;
    expect(h.map((e: { action: string }) => e.action)).toEqual(['create']);
    // The same instant written another way is no change either.
    const zoned = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
      version: 1,
      reviewed_at: '2026-03-01T12:15:30.25+02:00',
    });
    expect(zoned.status).toBe(200);
    expect(zoned.body.version).toBe(1);
  });

  const BAD: [string, unknown][] = [
    ['name', 42],
    ['name', 'x'.repeat(51)],
    ['notes', ['not', 'text']],
    ['email', 'not-an-email'],
    ['phone', 'call me'],
    ['website', 'not a url'],
    ['qty', 1.5],
    ['qty', -1],
    ['qty', 1001],
    ['qty', '12'],
    ['weight', 1.2345],
    ['weight', 100000],
    ['price', 'cheap'],
    ['price', 0.001],
    ['price', 1e16],
    ['discount', 100000],
    ['discount', 1.234],
    ['active', 'yes'],
    ['launch', '2026-02-30'],
    ['launch', '28/02/2026'],
    ['reviewed_at', 'yesterday'],
    ['reviewed_at', '2026-03-01'],
    ['stage', 'lost'],
    ['colors', 'red'],
    ['colors', ['red', 'purple']],
    ['colors', ['red', 'red']],
    ['company', 'not-a-uuid'],
    ['manager', 'admin'],
    ['tags', ['ok', '']],
    ['tags', 'solo'],
  ];
  it.each(BAD)('refuses %s = %j with 400 on that field', async (field, value) => {
    const r = await t.call('POST', '/api/records/gadgets', { name: 'Bad', [field]: value });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    expect(r.body.error.details.length).toBeGreaterThan(0);
    for (const d of r.body.error.details) {
      expect(d.path === field || d.path.startsWith(`${field}[`), `${d.path} on ${field}`).toBe(
        true,
      );
      expect(typeof d.message).toBe('string');
    }
  });

  it('the same bad values are refused on update too, and the record is unchanged', async () => {
    const created = (await t.call('POST', '/api/records/gadgets', full())).body;
    const r = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
      version: 1,
      qty: 'many',
      stage: 'lost',
      name: '',
    });
    expect(r.status).toBe(400);
    expect(paths(r.body)).toEqual(['name', 'qty', 'stage']);
    expect((await t.call('GET', `/api/records/gadgets/${created.id}`)).body).toEqual(created);
  });

  it('reports several bad fields together', async () => {
    const r = await t.call('POST', '/api/records/gadgets', {
      name: 'Many',
      email: 'nope',
      qty: -5,
      price: 'x',
      launch: 'soon',
      stage: 'lost',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
    expect(paths(r.body)).toEqual(['email', 'launch', 'price', 'qty', 'stage']);
  });

  it('refuses an unknown field with its name as path', async () => {
    const r = await t.call('POST', '/api/records/gadgets', { name: 'U', colour: 'red' });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([{ path: 'colour', message: expect.any(String) }]);
  });

  it('refuses writing a formula, an autonumber or a system column', async () => {
    for (const field of ['total', 'label', 'code', 'id', 'version', 'created_at', 'deleted_at']) {
      const r = await t.call('POST', '/api/records/gadgets', {
        name: 'W',
        [field]: field === 'version' ? 3 : 'G-9999',
      });
      expect(r.status, field).toBe(400);
      expect(paths(r.body), field).toEqual([field]);
    }
    const created = (await t.call('POST', '/api/records/gadgets', { name: 'W' })).body;
    for (const field of ['total', 'code']) {
      const r = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
        version: 1,
        [field]: 5,
      });
      expect(r.status, field).toBe(400);
      expect(paths(r.body), field).toEqual([field]);
    }
  });

  it('refuses a missing, null or blank required field with its path', async () => {
    const missing = await t.call('POST', '/api/records/gadgets', { notes: 'no name' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ path: 'name', message: 'is required' }]);
    for (const name of ['', '   ', null]) {
      const r = await t.call('POST', '/api/records/gadgets', { name });
      expect(r.status, JSON.stringify(name)).toBe(400);
      expect(paths(r.body)).toEqual(['name']);
    }
    const created = (await t.call('POST', '/api/records/gadgets', { name: 'Has name' })).body;
    const blank = await t.call('PATCH', `/api/records/gadgets/${created.id}`, {
      version: 1,
      name: ' ',
    });
    expect(blank.status).toBe(400);
    expect(paths(blank.body)).toEqual(['name']);
  });

  it('a required field with a default may be left out, not nulled', async () => {
    const r = await t.call('POST', '/api/records/notes', { title: 'Defaulted' });
    expect(r.status).toBe(201);
    expect(r.body.count).toBe(1);
    const n = await t.call('POST', '/api/records/notes', { title: 'Nulled', count: null });
    expect(n.status).toBe(400);
    expect(paths(n.body)).toEqual(['count']);
  });

  it('refuses a body that is not an object', async () => {
    const r = await t.call('POST', '/api/records/gadgets', [{ name: 'x' }]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
});
