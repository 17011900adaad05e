import { applyChange } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './support/test-app.js';

const STAGES = ['new', 'won', 'lost', 'stalled'].map((value) => ({ value }));

function deals(changes: Record<string, Record<string, unknown>> = {}, extra: object[] = []) {
  const fields: Record<string, unknown>[] = [
    { name: 'title', type: 'text', maxLength: 100 },
    { name: 'code', type: 'text' },
    { name: 'region', type: 'text' },
    { name: 'stage', type: 'picklist', options: STAGES },
    { name: 'labels', type: 'multipicklist', options: STAGES },
    { name: 'amount', type: 'decimal', precision: 12, scale: 2 },
  ];
  return {
    kind: 'module',
    name: 'deals',
    recordName: 'title',
    fields: [
      ...fields.map((f) => ({ ...f, ...changes[f.name as string] })),
      ...extra.map((f) => ({ ...f })),
    ],
  };
}

type Step = { step: { kind: string; column?: string }; impact?: Impact[] };
type Impact = {
  rule: string;
  records: number;
  more: boolean;
  examples: { value: unknown; records: number }[];
  outcome: string;
  message: string;
};

/** The impacts plan reports for `module.column`. */
function impacts(body: { steps: Step[] }, column: string): Impact[] {
  return body.steps
    .filter((s) => s.step.kind === 'check_values' && s.step.column === column)
    .flatMap((s) => s.impact ?? []);
}

async function revision(t: TestApp): Promise<number> {
  return (await t.call('GET', '/api/meta')).body.revision;
}

async function history(t: TestApp, id: string) {
  return (await t.call('GET', `/api/records/deals/${id}/history`)).body.data as {
    action: string;
    changes: Record<string, { from: unknown; to: unknown }>;
  }[];
}

describe('schema changes that meet existing records', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([deals()]);
    const rows = [
      { title: 'Alpha', code: 'A-1', region: 'north', stage: 'new', labels: ['new'], amount: 10 },
      { title: 'Beta', code: 'A-1', stage: 'lost', labels: ['lost', 'won'], amount: 20.5 },
      { title: 'Gamma', code: 'B-2', stage: 'lost', amount: 1234.56 },
      { title: 'Delta and a rather long title', code: 'B-2', region: '', stage: 'stalled' },
      { title: 'Epsilon', code: 'C-3', region: 'south' },
    ];
    for (const row of rows) {
      const r = await t.call('POST', '/api/records/deals', row);
      expect(r.status).toBe(201);
      ids[row.title.split(' ')[0] as string] = r.body.id;
    }
  });
  afterAll(async () => t.close());

  it('warns how many records are empty when a field becomes required, and keeps them', async () => {
    const documents = [deals({ region: { required: true } })];
    const plan = await t.call('POST', '/api/meta/plan', { documents });
    expect(plan.status).toBe(200);
    expect(plan.body.conflicts).toEqual([]);
    const [impact] = impacts(plan.body, 'region');
    expect(impact).toMatchObject({ rule: 'required', records: 3, outcome: 'warning' });
    expect(impact?.examples.map((e) => e.value).sort()).toEqual(
      [ids.Beta, ids.Gamma, ids.Delta].sort(),
    );
    expect(impact?.message).toContain('3 records');

    const before = await revision(t);
    const applied = await t.call('POST', '/api/meta/apply', { documents });
    expect(applied.status).toBe(200);
    expect(applied.body.revision).toBe(before + 1);
    expect((await t.call('GET', `/api/records/deals/${ids.Beta}`)).body.region).toBeNull();
    // Back to optional for the next tests.
    await t.apply([deals()]);
  });

  it('fills empty records with the value the request gives, with history', async () => {
    const documents = [deals({ region: { required: true } })];
    const resolutions = { 'deals.region': { fill: 'west' } };
    const plan = await t.call('POST', '/api/meta/plan', { documents, resolutions });
    expect(impacts(plan.body, 'region')[0]).toMatchObject({ records: 3, outcome: 'resolved' });
    expect(plan.body.steps.map((s: Step) => s.step.kind)).toContain('fill_values');

    const badFill = await t.call('POST', '/api/meta/apply', {
      documents,
      resolutions: { 'deals.region': { fill: 42 } },
    });
    expect(badFill.status).toBe(400);
    expect(badFill.body.error.details).toEqual([
      { path: 'resolutions.deals.region.fill', message: expect.any(String) },
    ]);

    const beta = (await t.call('GET', `/api/records/deals/${ids.Beta}`)).body;
    const r = await t.call('POST', '/api/meta/apply', { documents, resolutions });
    expect(r.status).toBe(200);
    const list = await t.call('GET', '/api/records/deals?sort=title&limit=10');
    expect(
      Object.fromEntries(
        list.body.data.map((d: { title: string; region: string }) => [d.title, d.region]),
      ),
    ).toEqual({
      Alpha: 'north',
      Beta: 'west',
      'Delta and a rather long title': 'west',
      Epsilon: 'south',
      Gamma: 'west',
    });
    const after = (await t.call('GET', `/api/records/deals/${ids.Beta}`)).body;
    expect(after.version).toBe(beta.version + 1);
    expect((await history(t, ids.Beta as string))[0]).toMatchObject({
      action: 'update',
      changes: { region: { from: null, to: 'west' } },
    });
    expect((await history(t, ids.Delta as string))[0]?.changes).toEqual({
      region: { from: '', to: 'west' },
    });
    // Alpha kept its own value and got no history row.
    expect(await history(t, ids.Alpha as string)).toHaveLength(1);
  });

  it('refuses a unique field over duplicates, listing them, and changes nothing', async () => {
    const documents = [deals({ code: { unique: true } })];
    const plan = await t.call('POST', '/api/meta/plan', { documents });
    expect(plan.body.conflicts).toEqual([
      { path: 'deals.code', message: expect.stringContaining('"A-1" (2 records)') },
    ]);
    expect(impacts(plan.body, 'code')[0]).toMatchObject({
      rule: 'unique',
      outcome: 'refused',
      examples: [
        { value: 'A-1', records: 2 },
        { value: 'B-2', records: 2 },
      ],
    });
    const before = await revision(t);
    const r = await t.call('POST', '/api/meta/apply', { documents });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('DATA_CONFLICT');
    expect(r.body.error.details).toEqual([
      { path: 'deals.code', message: expect.stringContaining('"B-2" (2 records)') },
    ]);
    expect(await revision(t)).toBe(before);
    const index = await sql`select 1 from pg_indexes where indexname = 'deals__code__key'`.execute(
      t.handle.db,
    );
    expect(index.rows).toEqual([]);
  });

  it('refuses removing an option records use unless the request maps it, then moves them with history', async () => {
    const without = STAGES.filter((o) => o.value !== 'lost');
    const documents = [deals({ stage: { options: without }, labels: { options: without } })];
    const refused = await t.call('POST', '/api/meta/apply', { documents });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('DATA_CONFLICT');
    expect(refused.body.error.details).toEqual([
      { path: 'deals.stage', message: expect.stringContaining('2 records') },
      { path: 'deals.labels', message: expect.stringContaining('"lost"') },
    ]);

    const notAnOption = await t.call('POST', '/api/meta/apply', {
      documents,
      resolutions: { 'deals.stage': { map: { lost: 'gone' } } },
    });
    expect(notAnOption.status).toBe(400);
    expect(notAnOption.body.error.details).toEqual([
      { path: 'resolutions.deals.stage.map.lost', message: '"gone" is not an option' },
    ]);
    const stillOffered = await t.call('POST', '/api/meta/plan', {
      documents,
      resolutions: { 'deals.stage': { map: { lost: 'won', new: 'won' } } },
    });
    expect(stillOffered.status).toBe(400);
    expect(stillOffered.body.error.details).toEqual([
      {
        path: 'resolutions.deals.stage.map.new',
        message: expect.stringContaining('still an option'),
      },
    ]);

    const resolutions = {
      'deals.stage': { map: { lost: 'stalled' } },
      'deals.labels': { map: { lost: 'won' } },
    };
    const plan = await t.call('POST', '/api/meta/plan', { documents, resolutions });
    expect(plan.body.conflicts).toEqual([]);
    expect(impacts(plan.body, 'stage')[0]).toMatchObject({
      outcome: 'resolved',
      records: 2,
      examples: [{ value: 'lost', records: 2 }],
    });
    const r = await t.call('POST', '/api/meta/apply', { documents, resolutions });
    expect(r.status).toBe(200);
    const beta = (await t.call('GET', `/api/records/deals/${ids.Beta}`)).body;
    expect(beta.stage).toBe('stalled');
    // "lost" became "won", which the list already held: once, in its first place.
    expect(beta.labels).toEqual(['won']);
    expect((await t.call('GET', `/api/records/deals/${ids.Gamma}`)).body.stage).toBe('stalled');
    expect((await history(t, ids.Beta as string)).slice(0, 2).map((h) => h.changes)).toEqual(
      expect.arrayContaining([
        { stage: { from: 'lost', to: 'stalled' } },
        { labels: { from: ['lost', 'won'], to: ['won'] } },
      ]),
    );
    expect((await t.call('GET', `/api/records/deals/${ids.Alpha}`)).body.stage).toBe('new');
  });

  it('refuses a shorter maxLength and a narrower number with a count and examples', async () => {
    const documents = [
      deals({ title: { maxLength: 10 }, amount: { precision: 6, scale: 1 }, stage: {} }),
    ];
    const plan = await t.call('POST', '/api/meta/plan', { documents });
    expect(impacts(plan.body, 'title')[0]).toMatchObject({
      rule: 'maxLength',
      records: 1,
      examples: [{ value: 'Delta and a rather long title' }],
      outcome: 'refused',
    });
    // 10 and 20.5 fit numeric(6,1); 1234.56 would be rounded.
    expect(impacts(plan.body, 'amount')[0]).toMatchObject({
      rule: 'type',
      records: 1,
      examples: [{ value: '1234.56' }],
      outcome: 'refused',
    });
    const r = await t.call('POST', '/api/meta/apply', { documents, allowDestructive: true });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('DATA_CONFLICT');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toEqual([
      'deals.title',
      'deals.amount',
    ]);
    expect(r.body.error.details[1].message).toMatch(/1 record .*"1234\.56"/);
    const type = await sql<{
      t: string;
    }>`select format_type(atttypid, atttypmod) as t from pg_attribute
      where attrelid = 'ws_main.deals'::regclass and attname = 'amount'`.execute(t.handle.db);
    expect(type.rows[0]?.t).toBe('numeric(12,2)');
  });

  it('refuses a resolution that no step needs', async () => {
    const r = await t.call('POST', '/api/meta/plan', {
      documents: [deals()],
      resolutions: { 'deals.code': { fill: 'x' } },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details).toEqual([
      { path: 'resolutions.deals.code.fill', message: expect.any(String) },
    ]);
  });
});

describe('a failure the checks cannot foresee', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([{ kind: 'module', name: 'events', fields: [{ name: 'day', type: 'text' }] }]);
    // Shaped like a date, but there is no 30 February: only the cast itself finds out.
    await t.call('POST', '/api/records/events', { day: '2021-02-30' });
  });
  afterAll(async () => t.close());

  it('rolls the whole change back, naming the step', async () => {
    const before = await revision(t);
    const r = await t.call('POST', '/api/meta/apply', {
      documents: [
        { kind: 'module', name: 'events', fields: [{ name: 'day', type: 'date' }] },
        { kind: 'module', name: 'venues', fields: [{ name: 'name', type: 'text' }] },
      ],
      allowDestructive: true,
    });
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('APPLY_FAILED');
    expect(r.body.error.details).toEqual([
      { path: 'events.day', message: expect.stringContaining('2021-02-30') },
    ]);
    expect(await revision(t)).toBe(before);
    const venues = await sql<{
      t: string | null;
    }>`select to_regclass('ws_main.venues')::text as t`.execute(t.handle.db);
    expect(venues.rows[0]?.t).toBeNull();
  });
});

describe('a unique check past the first rows', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([{ kind: 'module', name: 'items', fields: [{ name: 'sku', type: 'text' }] }]);
    // More rows than plan looks at first, the only duplicate at the very end.
    await sql`insert into ws_main.items (id, sku)
      select gen_random_uuid(), 'SKU-' || i from generate_series(1, 12000) i`.execute(t.handle.db);
    await sql`insert into ws_main.items (id, sku) values (gen_random_uuid(), 'SKU-11999')`.execute(
      t.handle.db,
    );
  });
  afterAll(async () => t.close());

  it('finds a duplicate anywhere in the table', async () => {
    const documents = [
      { kind: 'module', name: 'items', fields: [{ name: 'sku', type: 'text', unique: true }] },
    ];
    const plan = await t.call('POST', '/api/meta/plan', { documents });
    expect(plan.body.conflicts).toEqual([
      { path: 'items.sku', message: expect.stringContaining('"SKU-11999" (2 records)') },
    ]);
    await sql`delete from ws_main.items where sku = 'SKU-11999'`.execute(t.handle.db);
    const fine = await t.call('POST', '/api/meta/plan', { documents });
    expect(fine.body.conflicts).toEqual([]);
    expect(impacts(fine.body, 'sku')[0]).toMatchObject({ outcome: 'ok', records: 0 });
  });

  it('counts every record a change meets, past ten thousand', async () => {
    const documents = [
      { kind: 'module', name: 'items', fields: [{ name: 'sku', type: 'text', maxLength: 5 }] },
    ];
    const longer = await sql<{ n: number }>`select count(*)::int as n from ws_main.items
      where length(sku) > 5`.execute(t.handle.db);
    const n = longer.rows[0]?.n as number;
    expect(n).toBeGreaterThan(10_000);
    const plan = await t.call('POST', '/api/meta/plan', { documents });
    expect(impacts(plan.body, 'sku')[0]).toMatchObject({
      rule: 'maxLength',
      outcome: 'refused',
      records: n,
      more: false,
    });
    expect(impacts(plan.body, 'sku')[0]?.examples).toHaveLength(5);
    expect(plan.body.conflicts).toEqual([
      { path: 'items.sku', message: expect.stringContaining(`${n} records`) },
    ]);
  });
});

describe('renaming a field', () => {
  let t: TestApp;
  let id: string;
  const STATUS = {
    name: 'status',
    type: 'picklist',
    options: [{ value: 'open' }, { value: 'done' }],
  };
  const tasks = (status: Record<string, unknown>, hours = 'hours') => ({
    kind: 'module',
    name: 'tasks',
    recordName: 'title',
    fields: [
      { name: 'title', type: 'text', required: true },
      { ...STATUS, ...status },
      { name: hours, type: 'integer', ...(hours !== 'hours' && { renamedFrom: 'hours' }) },
      {
        name: 'cost',
        type: 'formula',
        returns: 'integer',
        expression: { '*': [{ var: hours }, 100] },
      },
    ],
    validationRules: [
      {
        name: 'done_needs_hours',
        when: { and: [{ '==': [{ var: 'status' }, 'done'] }, { '!': { var: hours } }] },
        message: { en: 'Log the hours first' },
        field: hours,
      },
    ],
  });
  const VIEW = {
    kind: 'view',
    module: 'tasks',
    name: 'open',
    type: 'kanban',
    groupBy: 'status',
    columns: ['title', 'status', 'hours'],
    filter: { '==': [{ var: 'status' }, 'open'] },
    sort: [{ field: 'hours', dir: 'desc' }],
  };
  const LAYOUT = {
    kind: 'layout',
    module: 'tasks',
    name: 'standard',
    sections: [{ fields: ['title', 'status', 'hours'] }],
    rules: [{ when: { '==': [{ var: 'status' }, 'done'] }, require: ['hours'] }],
  };
  const BLUEPRINT = {
    kind: 'blueprint',
    module: 'tasks',
    name: 'flow',
    field: 'status',
    transitions: [{ name: 'finish', from: ['open'], to: 'done', require: ['hours'] }],
  };

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([tasks({}), VIEW, LAYOUT, BLUEPRINT]);
    const created = await t.call('POST', '/api/records/tasks', {
      title: 'Paint',
      status: 'open',
      hours: 3,
    });
    id = created.body.id;
    // The blueprint owns `status`: it moves through its transition.
    const done = await t.call('POST', `/api/records/tasks/${id}/transitions/finish`, {
      values: {},
      version: 1,
    });
    expect(done.status).toBe(200);
  });
  afterAll(async () => t.close());

  it('keeps the values and rewrites every reference, in one revision', async () => {
    const renamed = tasks({ name: 'state', renamedFrom: 'status' }, 'effort');
    const plan = await t.call('POST', '/api/meta/plan', { documents: [renamed] });
    expect(plan.status).toBe(200);
    expect(plan.body.destructive).toBe(false);
    const kinds = plan.body.steps.map((s: Step) => s.step.kind);
    expect(kinds.filter((k: string) => k === 'rename_column')).toHaveLength(2);
    expect(kinds).not.toContain('drop_column');
    expect(kinds).not.toContain('add_column');

    const r = await t.apply([renamed]);
    const record = (await t.call('GET', `/api/records/tasks/${id}`)).body;
    expect(record).toMatchObject({ state: 'done', effort: 3, cost: 300 });
    expect(record.status).toBeUndefined();
    const docs = (await t.call('GET', '/api/meta')).body.documents;
    const find = (kind: string) => docs.find((d: { kind: string }) => d.kind === kind);
    expect(find('view')).toEqual({
      ...VIEW,
      groupBy: 'state',
      columns: ['title', 'state', 'effort'],
      filter: { '==': [{ var: 'state' }, 'open'] },
      sort: [{ field: 'effort', dir: 'desc' }],
    });
    expect(find('layout')).toEqual({
      ...LAYOUT,
      sections: [{ fields: ['title', 'state', 'effort'] }],
      rules: [{ when: { '==': [{ var: 'state' }, 'done'] }, require: ['effort'] }],
    });
    expect(find('blueprint')).toMatchObject({
      field: 'state',
      transitions: [{ require: ['effort'] }],
    });
    expect(find('module').validationRules[0]).toMatchObject({
      when: { and: [{ '==': [{ var: 'state' }, 'done'] }, { '!': { var: 'effort' } }] },
    });
    const revisionDocs = (await t.call('GET', `/api/meta/revisions/${r.body.revision}`)).body
      .changes;
    expect(revisionDocs).toHaveLength(4);
    // History speaks of the field by its new name.
    const h = (await t.call('GET', `/api/records/tasks/${id}/history`)).body.data;
    expect(h[0].changes).toEqual({ state: { from: 'open', to: 'done' } });
    expect(h[1].changes).toMatchObject({ effort: { from: null, to: 3 }, state: { to: 'open' } });
    // The rule still works under the new names (the blueprint keeps a new task open, so the
    // done task is the one to break it).
    const bad = await t.call('PATCH', `/api/records/tasks/${id}`, {
      effort: null,
      version: record.version,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('effort');

    // Applying the same documents again changes nothing.
    const again = await t.apply([renamed]);
    expect(again.body.changed).toBe(false);
  });

  it('reverts a rename back to the old names with the values', async () => {
    const last = (await t.call('GET', '/api/meta/revisions')).body.data[0].n;
    const r = await t.call('POST', `/api/meta/revisions/${last}/revert`, {});
    expect(r.status).toBe(200);
    expect(r.body.steps.map((s: Step) => s.step.kind)).toContain('rename_column');
    const record = (await t.call('GET', `/api/records/tasks/${id}`)).body;
    expect(record).toMatchObject({ status: 'done', hours: 3, cost: 300 });
    const docs = (await t.call('GET', '/api/meta')).body.documents;
    expect(docs).toEqual(expect.arrayContaining([tasks({}), VIEW, LAYOUT, BLUEPRINT]));
    const h = (await t.call('GET', `/api/records/tasks/${id}/history`)).body.data;
    expect(h[0].changes).toEqual({ status: { from: 'open', to: 'done' } });
  });
});

describe('renaming a lookup and an autonumber', () => {
  let t: TestApp;
  const ACCOUNTS = { kind: 'module', name: 'accounts', fields: [{ name: 'name', type: 'text' }] };
  const invoices = (account: string, number: string) => ({
    kind: 'module',
    name: 'invoices',
    fields: [
      {
        name: account,
        type: 'lookup',
        target: 'accounts',
        ...(account !== 'account' && { renamedFrom: 'account' }),
      },
      {
        name: number,
        type: 'autonumber',
        prefix: 'INV-',
        digits: 3,
        ...(number !== 'number' && { renamedFrom: 'number' }),
      },
    ],
  });
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('keeps the foreign key and the sequence under the new names', async () => {
    await t.apply([ACCOUNTS, invoices('account', 'number')]);
    const acme = (await t.call('POST', '/api/records/accounts', { name: 'Acme' })).body;
    const first = (await t.call('POST', '/api/records/invoices', { account: acme.id })).body;
    expect(first.number).toBe('INV-001');

    await t.apply([invoices('company', 'ref')]);
    const kept = (await t.call('GET', `/api/records/invoices/${first.id}`)).body;
    expect(kept).toMatchObject({ company: acme.id, ref: 'INV-001' });
    const second = await t.call('POST', '/api/records/invoices', { company: acme.id });
    expect(second.body.ref).toBe('INV-002');
    const dangling = await t.call('POST', '/api/records/invoices', {
      company: '0190a8c0-0000-7000-8000-000000000000',
    });
    expect(dangling.status).toBe(400);
    expect(dangling.body.error.details[0].path).toBe('company');
    const names = await sql<{ n: string }>`select conname as n from pg_constraint
      where conrelid = 'ws_main.invoices'::regclass and contype = 'f'`.execute(t.handle.db);
    expect(names.rows).toEqual([{ n: 'invoices__company__fk' }]);
  });
});

describe('apply and the metadata cache', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('is current after applyChange returns, without the caller refreshing it', async () => {
    const applied = await applyChange(
      t.engine,
      { documents: [{ kind: 'module', name: 'notes', fields: [{ name: 'body', type: 'text' }] }] },
      null,
    );
    expect(t.engine.metadata.current.revision).toBe(applied.revision);
    expect(t.engine.metadata.current.modules.has('notes')).toBe(true);
  });
});
