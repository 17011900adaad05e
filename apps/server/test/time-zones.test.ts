import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  filterParam,
  fullProfile,
  type Reply,
  startTestApp,
  type TestApp,
} from './support/test-app.js';

const HOUR = 3_600_000;
// Two zones without daylight saving, 25 hours apart: their calendars never show the same date.
const KIRITIMATI = { zone: 'Pacific/Kiritimati', offset: 14 * HOUR };
const PAGO_PAGO = { zone: 'Pacific/Pago_Pago', offset: -11 * HOUR };
const localDate = (offset: number, at = Date.now()) =>
  new Date(at + offset).toISOString().slice(0, 10);
/** The instant a zone's current day began. */
const dayStart = (offset: number) => Date.parse(`${localDate(offset)}T00:00:00Z`) - offset;

const DEALS = {
  kind: 'module',
  name: 'deals',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true },
    { name: 'close_date', type: 'date' },
    { name: 'closed_at', type: 'datetime' },
  ],
};

describe('time zones', () => {
  let t: TestApp;
  let user: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([DEALS, fullProfile(['deals'])]);
    user = await t.userToken('someone@example.com', { profile: 'full' });
    const kiriStart = dayStart(KIRITIMATI.offset);
    for (const body of [
      // One record a day from two days before today (UTC) to two days after, named by its date:
      // whatever the hour, Kiritimati's today and Pago Pago's are two different ones of them.
      ...[-2, -1, 0, 1, 2].map((d) => {
        const date = localDate(d * 24 * HOUR);
        return { name: date, close_date: date };
      }),
      { name: 'kiritimati day began', closed_at: new Date(kiriStart + 60_000).toISOString() },
      { name: 'kiritimati day before', closed_at: new Date(kiriStart - 60_000).toISOString() },
    ]) {
      const r = await t.call('POST', '/api/records/deals', body);
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
    }
  });
  afterAll(async () => t?.close());

  async function names(filter: unknown, as: string): Promise<string[]> {
    const r = await t.call(
      'GET',
      `/api/records/deals?filter=${filterParam(filter)}`,
      undefined,
      as,
    );
    expect(r.status).toBe(200);
    return r.body.data.map((d: Reply['body']) => d.name).sort();
  }
  const today = (field: string) => ({ date_in: [{ var: field }, 'today'] });

  it('starts in UTC: the workspace, and a user without a zone of their own', async () => {
    expect((await t.call('GET', '/api/settings', undefined, user)).body).toEqual({
      timeZone: 'UTC',
    });
    const me = await t.call('GET', '/api/auth/me', undefined, user);
    expect(me.body).toMatchObject({ timeZone: null, effectiveTimeZone: 'UTC' });
    expect(localDate(KIRITIMATI.offset)).not.toBe(localDate(PAGO_PAGO.offset));
    expect(await names(today('close_date'), user)).toEqual([localDate(0)]);
  });

  it('lets a user set their own zone and language, and reads their periods in it', async () => {
    const r = await t.call(
      'PATCH',
      '/api/auth/me',
      { timeZone: 'pacific/kiritimati', locale: 'zh-CN' },
      user,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      email: 'someone@example.com',
      timeZone: 'Pacific/Kiritimati',
      effectiveTimeZone: 'Pacific/Kiritimati',
      locale: 'zh-CN',
    });
    expect((await t.call('GET', '/api/auth/me', undefined, user)).body.timeZone).toBe(
      'Pacific/Kiritimati',
    );
    // A date field: the user's calendar date.
    expect(await names(today('close_date'), user)).toEqual([localDate(KIRITIMATI.offset)]);
    // A datetime field (stored in UTC): from the user's midnight, not UTC's.
    expect(await names(today('closed_at'), user)).toEqual(['kiritimati day began']);
    expect(await names({ date_in: [{ var: 'closed_at' }, 'yesterday'] }, user)).toEqual([
      'kiritimati day before',
    ]);
    // The administrator, still in UTC, is not affected.
    expect(await names(today('close_date'), t.token)).toEqual([localDate(0)]);
  });

  it('refuses a zone that is not an IANA name, on its path, and changes nothing', async () => {
    for (const timeZone of ['Mars/Olympus_Mons', '+05:00', 'UTC; drop table', '', 42]) {
      const r = await t.call('PATCH', '/api/auth/me', { timeZone }, user);
      expect(r.status, String(timeZone)).toBe(400);
      expect(r.body.error.details[0].path).toBe('timeZone');
    }
    const unknown = await t.call('PATCH', '/api/auth/me', { timezone: 'UTC' }, user);
    expect(unknown.status).toBe(400);
    const badLocale = await t.call('PATCH', '/api/auth/me', { locale: 'fr' }, user);
    expect(badLocale.status).toBe(400);
    expect(badLocale.body.error.details[0].path).toBe('locale');
    expect((await t.call('GET', '/api/auth/me', undefined, user)).body.timeZone).toBe(
      'Pacific/Kiritimati',
    );
  });

  it('lets only an administrator set the workspace zone, which users without one follow', async () => {
    const refused = await t.call('PUT', '/api/settings', { timeZone: 'Asia/Shanghai' }, user);
    expect(refused.status).toBe(403);
    const bad = await t.call('PUT', '/api/settings', { timeZone: 'Nowhere/Special' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('timeZone');
    expect((await t.call('GET', '/api/settings')).body.timeZone).toBe('UTC');

    const set = await t.call('PUT', '/api/settings', { timeZone: PAGO_PAGO.zone });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ timeZone: PAGO_PAGO.zone });
    expect((await t.call('GET', '/api/settings', undefined, user)).body.timeZone).toBe(
      PAGO_PAGO.zone,
    );
    // The administrator has no zone of their own: the workspace's applies at once.
    expect(await names(today('close_date'), t.token)).toEqual([localDate(PAGO_PAGO.offset)]);
    // The user keeps their own until they drop it.
    expect(await names(today('close_date'), user)).toEqual([localDate(KIRITIMATI.offset)]);
    const dropped = await t.call('PATCH', '/api/auth/me', { timeZone: null }, user);
    expect(dropped.body).toMatchObject({ timeZone: null, effectiveTimeZone: PAGO_PAGO.zone });
    expect(await names(today('close_date'), user)).toEqual([localDate(PAGO_PAGO.offset)]);
  });

  it('reads a validation rule’s periods on the writer’s calendar', async () => {
    await t.apply([
      fullProfile(['deals', 'tasks']),
      {
        kind: 'module',
        name: 'tasks',
        fields: [{ name: 'due', type: 'date' }],
        validationRules: [
          {
            name: 'not_today',
            field: 'due',
            when: { date_in: [{ var: 'due' }, 'today'] },
            message: { en: 'Not today' },
          },
        ],
      },
    ]);
    const east = await t.userToken('east@example.com', { profile: 'full' });
    const west = await t.userToken('west@example.com', { profile: 'full' });
    await t.call('PATCH', '/api/auth/me', { timeZone: KIRITIMATI.zone }, east);
    await t.call('PATCH', '/api/auth/me', { timeZone: PAGO_PAGO.zone }, west);
    const due = localDate(KIRITIMATI.offset);
    const refused = await t.call('POST', '/api/records/tasks', { due }, east);
    expect(refused.status).toBe(400);
    expect(refused.body.error.details).toEqual([{ path: 'due', message: 'Not today' }]);
    expect((await t.call('POST', '/api/records/tasks', { due }, west)).status).toBe(201);
  });

  it('keeps datetimes in UTC and dates as dates, whatever the zone', async () => {
    const r = await t.call('GET', `/api/records/deals?filter=${filterParam(today('close_date'))}`);
    const row = r.body.data[0];
    expect(row.close_date).toBe(localDate(PAGO_PAGO.offset));
    const all = await t.call('GET', '/api/records/deals?sort=name');
    for (const d of all.body.data) {
      expect(d.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      if (d.close_date) expect(d.close_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });
});
