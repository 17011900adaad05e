import { automationScenario } from './automations.js';
import type { Scenario } from './load.js';
import { STAGES } from './modules.js';

export type ScenarioKey =
  | 'get'
  | 'list_view'
  | 'list'
  | 'list_fields'
  | 'sort_lookup'
  | 'sort_text'
  | 'create'
  | 'bulk_create'
  | 'list_scoped'
  | 'create_automations';
export type KeyedScenario = Scenario & { key: ScenarioKey };

/** Every scenario, in the order they run. */
export const SCENARIO_KEYS: readonly ScenarioKey[] = [
  'get',
  'list_view',
  'list',
  'list_fields',
  'sort_lookup',
  'sort_text',
  'create',
  'bulk_create',
  'list_scoped',
  'create_automations',
];

/** The connections `list_scoped` runs at, whatever the run's count: its target is set for 8. */
export const SCOPED_CONNECTIONS = 8;

/** Records per bulk create request. */
export const BULK_SIZE = 100;

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;
const stageFilter = (stage: string) =>
  encodeURIComponent(JSON.stringify({ '==': [{ var: 'stage' }, stage] }));
const genericList = (stage: string) =>
  `/api/records/bench_deals?filter=${stageFilter(stage)}&sort=-amount&limit=50`;
const baselineList = (stage: string) => `/bench/deals?stage=${stage}&limit=50`;
/** The columns a list screen shows: what `fields=` (or a view's columns) asks for. */
export const LIST_FIELDS = ['name', 'stage', 'amount', 'close_date', 'account', 'owner_id'];
/** The saved view a list screen opens (bench modules.ts): the web app sends `view=` and its columns come back. */
export const LIST_VIEW = 'bench_pipeline';
const genericViewList = (stage: string) => `${genericList(stage)}&view=${LIST_VIEW}`;
const genericFieldsList = (stage: string) =>
  `${genericList(stage)}&fields=${LIST_FIELDS.join(',')}`;
const baselineFieldsList = (stage: string) => `${baselineList(stage)}&narrow=true`;
/** A page of one stage sorted by a lookup's field (the account's name), through the lookup join. */
const genericSortLookup = (stage: string) =>
  `/api/records/bench_deals?filter=${stageFilter(stage)}&sort=account.name&limit=50`;
const baselineSortLookup = (stage: string) => `/bench/deals?stage=${stage}&limit=50&sort=account`;
/** A page of one stage sorted by the record name, in the chosen text collation. */
const genericSortText = (stage: string) =>
  `/api/records/bench_deals?filter=${stageFilter(stage)}&sort=name&limit=50`;
const baselineSortText = (stage: string) => `/bench/deals?stage=${stage}&limit=50&sort=name`;

/**
 * The scenarios, each as the same request to both sides: a random seeded id; a page of 50 of
 * one random stage sorted by amount descending, with every column and with the few a list
 * screen shows (`fields=`); the same page sorted by the account's name (a lookup's field) and
 * by the deal's name (text, in the collation text sorts use); a valid new deal; and
 * `BULK_SIZE` new deals in one request. `list_scoped` is not generic against hand-written: it
 * is the list scenario's request by a sales rep (scoped by role, `private` default and sharing
 * rules) against the same request by the admin (unscoped), both through the generic API.
 */
export function buildScenarios(
  ids: string[],
  accountIds: string[],
  tokens: { admin: string; rep: string },
): KeyedScenario[] {
  const filters = new Map(STAGES.map((s) => [s, genericList(s)]));
  const fieldsFilters = new Map(STAGES.map((s) => [s, genericFieldsList(s)]));
  const viewFilters = new Map(STAGES.map((s) => [s, genericViewList(s)]));
  let n = 0;
  const deal = () => ({
    name: `Bench deal ${++n}`,
    contact_email: 'buyer@example.com',
    contact_phone: '+1 555 0100',
    stage: pick(STAGES),
    amount: Math.round(Math.random() * 100_000_000) / 100,
    quantity: 3,
    discount: 12.5,
    probability: 40,
    is_priority: false,
    close_date: '2026-03-31',
    next_call_at: '2026-02-01T10:00:00Z',
    products: ['crm', 'support'],
    labels: ['hot'],
    description: 'Created by the benchmark.',
    website: 'https://example.com/bench',
    account: pick(accountIds),
    source: 'web',
    region: 'north',
    score: 70,
  });
  const body = () => JSON.stringify(deal());
  const bulkBody = () => JSON.stringify({ create: Array.from({ length: BULK_SIZE }, deal) });
  const lists = (generic: (stage: string) => string) => new Map(STAGES.map((s) => [s, generic(s)]));
  const sortLookup = lists(genericSortLookup);
  const sortText = lists(genericSortText);
  return [
    {
      key: 'get',
      name: 'get by id',
      generic: { method: 'GET', path: () => `/api/records/bench_deals/${pick(ids)}` },
      baseline: { method: 'GET', path: () => `/bench/deals/${pick(ids)}` },
    },
    {
      // What the web app asks for a list screen (the view's columns) against the straightforward
      // hand-written list route, which answers every column of the same rows.
      key: 'list_view',
      name: 'list view',
      generic: { method: 'GET', path: () => viewFilters.get(pick(STAGES)) as string },
      baseline: { method: 'GET', path: () => baselineList(pick(STAGES)) },
    },
    {
      key: 'list',
      name: 'list',
      generic: { method: 'GET', path: () => filters.get(pick(STAGES)) as string },
      baseline: { method: 'GET', path: () => baselineList(pick(STAGES)) },
    },
    {
      key: 'list_fields',
      name: 'list fields',
      generic: { method: 'GET', path: () => fieldsFilters.get(pick(STAGES)) as string },
      baseline: { method: 'GET', path: () => baselineFieldsList(pick(STAGES)) },
    },
    {
      key: 'sort_lookup',
      name: 'sort lookup',
      generic: { method: 'GET', path: () => sortLookup.get(pick(STAGES)) as string },
      baseline: { method: 'GET', path: () => baselineSortLookup(pick(STAGES)) },
    },
    {
      key: 'sort_text',
      name: 'sort text',
      generic: { method: 'GET', path: () => sortText.get(pick(STAGES)) as string },
      baseline: { method: 'GET', path: () => baselineSortText(pick(STAGES)) },
    },
    {
      key: 'create',
      name: 'create',
      generic: { method: 'POST', path: () => '/api/records/bench_deals', body },
      baseline: { method: 'POST', path: () => '/bench/deals', body },
    },
    {
      key: 'bulk_create',
      name: 'bulk create',
      generic: { method: 'POST', path: () => '/api/records/bench_deals/bulk', body: bulkBody },
      baseline: { method: 'POST', path: () => '/bench/deals/bulk', body: bulkBody },
    },
    {
      key: 'list_scoped',
      name: 'list scoped',
      generic: {
        method: 'GET',
        path: () => filters.get(pick(STAGES)) as string,
        token: tokens.rep,
      },
      baseline: {
        method: 'GET',
        path: () => filters.get(pick(STAGES)) as string,
        token: tokens.admin,
      },
      connections: SCOPED_CONNECTIONS,
    },
    automationScenario(),
  ];
}

interface Answer {
  status: number;
  json: Record<string, unknown>;
}

/**
 * Sends the same request to both sides and refuses to go on unless they answer the same JSON
 * (for a create: the same record but for its id and timestamps), or the comparison means nothing.
 */
export async function checkParity(
  url: string,
  token: string,
  scenarios: KeyedScenario[],
  id: string,
): Promise<void> {
  const call = async (method: string, path: string, body?: string): Promise<Answer> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body) headers['content-type'] = 'application/json';
    const res = await fetch(`${url}${path}`, { method, headers, ...(body && { body }) });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const volatile = new Set(['id', 'created_at', 'updated_at']);
  const strip = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).filter(([k]) => !volatile.has(k)));
  const stable = (a: Answer) => JSON.stringify({ status: a.status, json: strip(a.json) });
  const stableBulk = (a: Answer) =>
    JSON.stringify({
      status: a.status,
      created: ((a.json.created ?? []) as Record<string, unknown>[]).map(strip),
      updated: a.json.updated,
      deleted: a.json.deleted,
    });
  for (const s of scenarios) {
    if (s.key === 'list_scoped') {
      await checkScoped(url, s);
      continue;
    }
    let pair: [Answer, Answer];
    if (s.key === 'get') {
      pair = [
        await call('GET', `/api/records/bench_deals/${id}`),
        await call('GET', `/bench/deals/${id}`),
      ];
    } else if (s.key === 'list_view') {
      const [g, b] = [
        await call('GET', genericViewList('proposal')),
        await call('GET', baselineList('proposal')),
      ];
      // The same rows, the view's columns of them.
      const rows = (g.json.data ?? []) as Record<string, unknown>[];
      const projected = ((b.json.data ?? []) as Record<string, unknown>[]).map((row, i) =>
        Object.fromEntries(Object.keys(rows[i] ?? {}).map((k) => [k, row[k]])),
      );
      const full = Object.keys((b.json.data as Record<string, unknown>[])?.[0] ?? {}).length;
      if (
        g.status !== 200 ||
        rows.length === 0 ||
        JSON.stringify(rows) !== JSON.stringify(projected) ||
        Object.keys(rows[0] ?? {}).length >= full
      ) {
        throw new Error(
          `${s.name}: the view's rows are not the baseline's rows narrowed to its columns:\n` +
            `generic:  ${JSON.stringify(g).slice(0, 1000)}\nbaseline: ${JSON.stringify(b).slice(0, 1000)}`,
        );
      }
      continue;
    } else if (s.key === 'list') {
      pair = [
        await call('GET', genericList('proposal')),
        await call('GET', baselineList('proposal')),
      ];
    } else if (s.key === 'list_fields') {
      pair = [
        await call('GET', genericFieldsList('proposal')),
        await call('GET', baselineFieldsList('proposal')),
      ];
    } else if (s.key === 'sort_lookup') {
      pair = [
        await call('GET', genericSortLookup('proposal')),
        await call('GET', baselineSortLookup('proposal')),
      ];
    } else if (s.key === 'sort_text') {
      pair = [
        await call('GET', genericSortText('proposal')),
        await call('GET', baselineSortText('proposal')),
      ];
    } else {
      const body = s.generic.body?.() ?? '{}';
      pair = [
        await call('POST', s.generic.path(), body),
        await call('POST', s.baseline.path(), body),
      ];
    }
    const [g, b] = pair;
    // A cursor is opaque and each side's own (the engine's is bound to its list): lists must
    // agree on the rows and on there being a next page.
    const page = (a: Answer) =>
      JSON.stringify({ status: a.status, data: a.json.data, more: a.json.nextCursor !== null });
    const same =
      s.key === 'create' || s.key === 'create_automations'
        ? stable(g) === stable(b)
        : s.key === 'bulk_create'
          ? stableBulk(g) === stableBulk(b)
          : s.key === 'get'
            ? JSON.stringify(g) === JSON.stringify(b)
            : page(g) === page(b);
    if (g.status >= 300 || !same) {
      throw new Error(
        `${s.name}: the two sides answer differently:\n` +
          `generic:  ${JSON.stringify(g).slice(0, 1000)}\nbaseline: ${JSON.stringify(b).slice(0, 1000)}`,
      );
    }
  }
}

/**
 * The scoped list's sides answer different rows by design: both must answer 200 with rows, and
 * the pages must differ (else the scope scoped nothing and the comparison means nothing).
 */
async function checkScoped(url: string, s: KeyedScenario): Promise<void> {
  const page = async (target: KeyedScenario['generic']) => {
    const res = await fetch(`${url}${genericList('proposal')}`, {
      headers: { authorization: `Bearer ${target.token}` },
    });
    const json = (await res.json()) as { data?: unknown[] };
    return { status: res.status, data: json.data ?? [], json };
  };
  const rep = await page(s.generic);
  const admin = await page(s.baseline);
  const ok =
    rep.status === 200 &&
    admin.status === 200 &&
    rep.data.length > 0 &&
    JSON.stringify(rep.data) !== JSON.stringify(admin.data);
  if (!ok) {
    throw new Error(
      `${s.name}: the rep's and the admin's pages are not a scoped and an unscoped page:\n` +
        `rep:   ${JSON.stringify(rep.json).slice(0, 500)}\nadmin: ${JSON.stringify(admin.json).slice(0, 500)}`,
    );
  }
}
