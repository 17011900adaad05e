import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ERRORS } from '@atrium/engine';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNTS, CONTACTS, generate, prng, type State } from './support/fuzz-requests.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/**
 * Fuzzing every route with malformed and odd input: random JSON, wrong types, huge numbers, NUL,
 * unicode, deep nesting, odd encodings, repeated parameters. Seeded, so a failure reproduces:
 *
 *   ATRIUM_FUZZ_REQUESTS=10000 ATRIUM_FUZZ_SEED=7 pnpm exec vitest run apps/server/test/fuzz.test.ts
 *
 * ATRIUM_FUZZ_REQUESTS (default 2,000) sets the size, ATRIUM_FUZZ_SEED the seed.
 */
const REQUESTS = Number(process.env.ATRIUM_FUZZ_REQUESTS ?? 2_000);
const SEED = Number(process.env.ATRIUM_FUZZ_SEED ?? 20_261_127);

interface Failure {
  i: number;
  kind: string;
  method: string;
  url: string;
  status: number;
  why: string;
  body: string;
}

const CODES = new Set(Object.keys(ERRORS));

/** A full garbage collection, so heap figures show what is kept, not what is not yet collected. */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
/** Heap growth over the run (after GC) that would mean something is kept per request. */
const MAX_HEAP_GROWTH_MB = 64;

/** Why a response breaks the contract, or undefined when it keeps it. */
function contractProblem(status: number, text: string, method: string): string | undefined {
  if (status >= 500) return '5xx';
  if (status < 400) return undefined;
  if (method === 'HEAD') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'refusal is not JSON';
  }
  const error = (body as { error?: Record<string, unknown> })?.error;
  if (!error || Object.keys(body as object).length !== 1) return 'no { error } envelope';
  if (typeof error.code !== 'string' || !CODES.has(error.code))
    return `code outside the catalog: ${String(error.code)}`;
  if (typeof error.message !== 'string' || error.message === '') return 'no message';
  if (!Array.isArray(error.details)) return 'no details list';
  for (const d of error.details as Record<string, unknown>[]) {
    if (typeof d?.path !== 'string' || typeof d?.message !== 'string')
      return 'a detail without path and message';
  }
  if (Object.keys(error).some((k) => !['code', 'message', 'details'].includes(k)))
    return 'extra keys in error';
  return undefined;
}

describe(`fuzz: ${REQUESTS} requests, seed ${SEED}`, () => {
  let t: TestApp;
  const rowCount = async (module: string) => {
    const table = t.engine.metadata.current.modules.get(module)?.table as string;
    const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(table)}`.execute(
      t.handle.db,
    );
    return r.rows[0]?.n ?? -1;
  };
  const revisionCount = async () => {
    const r = await sql<{
      n: number;
    }>`select count(*)::int as n from ${sql.raw(`"${t.engine.workspace.schema}"._meta_revisions`)}`.execute(
      t.handle.db,
    );
    return r.rows[0]?.n ?? -1;
  };

  beforeAll(async () => {
    t = await startTestApp();
    await t.apply([ACCOUNTS, CONTACTS]);
  });
  afterAll(async () => t.close());

  it(
    'answers every request with a 2xx or a 4xx in the error shape, writing only what it acknowledged',
    async () => {
      const r = prng(SEED);
      const state: State = { ids: [], versions: new Map(), revisions: 0 };
      for (let i = 0; i < 5; i++) {
        const a = await t.call('POST', '/api/records/accounts', { name: `acct ${i}` });
        state.ids.push(a.body.id);
        const c = await t.call('POST', '/api/records/contacts', { name: `seed ${i}`, age: 30 + i });
        state.ids.push(c.body.id);
        state.versions.set(c.body.id, c.body.version);
      }
      const before = {
        contacts: await rowCount('contacts'),
        accounts: await rowCount('accounts'),
        revisions: await revisionCount(),
      };
      const created = { contacts: 0, accounts: 0 };
      let applied = 0;
      const failures: Failure[] = [];
      const statuses = new Map<number, number>();
      const time = new Map<string, { n: number; ms: number }>();
      const started = performance.now();
      let heapAtStart = 0;
      const warmUp = Math.min(500, Math.floor(REQUESTS / 10));

      for (let i = 0; i < REQUESTS; i++) {
        if (i === warmUp) {
          await settle();
          gc();
          heapAtStart = process.memoryUsage().heapUsed;
        }
        const req = generate(r, state);
        const headers: Record<string, string> = { authorization: `Bearer ${t.token}` };
        if (r.chance(0.2))
          headers['accept-language'] = r.pick(['zh-CN', 'zh', 'en', '*', 'xx', '']);
        Object.assign(headers, req.headers);
        if (headers.authorization === '') delete headers.authorization;
        if (headers['content-type'] === '') delete headers['content-type'];
        let payload: string | undefined;
        if (req.payload !== undefined) {
          payload = req.raw ? String(req.payload) : JSON.stringify(req.payload);
          if (!req.raw) headers['content-type'] ??= 'application/json';
        }
        const sent = performance.now();
        let res: Awaited<ReturnType<TestApp['app']['inject']>>;
        try {
          res = await t.app.inject({
            method: req.method as 'GET',
            url: req.url,
            headers,
            ...(payload === undefined ? {} : { payload }),
          });
        } catch (e) {
          // inject refuses some URLs itself (it is not a socket); that is not the server's doing.
          if (e instanceof TypeError || (e as { code?: string }).code === 'ERR_INVALID_URL')
            continue;
          throw e;
        }
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const spent = time.get(req.kind) ?? { n: 0, ms: 0 };
        time.set(req.kind, { n: spent.n + 1, ms: spent.ms + performance.now() - sent });
        const why = contractProblem(res.statusCode, res.body, req.method);
        if (why) {
          failures.push({
            i,
            kind: req.kind,
            method: req.method,
            url: req.url.slice(0, 300),
            status: res.statusCode,
            why,
            body: res.body.slice(0, 300),
          });
        }
        if (res.statusCode === 201 && req.method === 'POST') {
          const m = /^\/api\/records\/(contacts|accounts)$/.exec(
            req.url.split('?')[0] as string,
          )?.[1] as 'contacts' | 'accounts' | undefined;
          if (m) {
            created[m]++;
            const row = res.json();
            state.ids.push(row.id);
            state.versions.set(row.id, row.version);
          }
        }
        if (res.statusCode === 200 && req.method === 'PATCH') {
          const row = res.json();
          if (row?.id) state.versions.set(row.id, row.version);
        }
        if (
          res.statusCode === 200 &&
          /\/api\/meta\/(apply|revisions\/\d+\/revert)$/.test(req.url) &&
          res.json().changed
        )
          applied++;
      }
      const seconds = (performance.now() - started) / 1000;
      // inject() holds each request for a moment after it answers (a timer lets go): wait, then GC.
      await settle();
      gc();
      const memory = process.memoryUsage();
      const heapGrowth = (memory.heapUsed - heapAtStart) / MB;

      const byKind = new Map<string, number>();
      for (const f of failures)
        byKind.set(
          `${f.kind} ${f.status} ${f.why}`,
          (byKind.get(`${f.kind} ${f.status} ${f.why}`) ?? 0) + 1,
        );
      console.log(
        `fuzz: ${REQUESTS} requests in ${seconds.toFixed(1)} s (seed ${SEED}); statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}; ` +
          `creates ${JSON.stringify(created)}; applies ${applied}; failures ${failures.length}; ` +
          `heap after GC ${(heapAtStart / MB).toFixed(0)} → ${(memory.heapUsed / MB).toFixed(0)} MB, RSS ${(memory.rss / MB).toFixed(0)} MB`,
      );
      console.log(
        `time by generator: ${[...time]
          .sort((a, b) => b[1].ms - a[1].ms)
          .map(([k, v]) => `${k} ${v.n}× ${(v.ms / v.n).toFixed(1)} ms`)
          .join(', ')}`,
      );
      if (failures.length > 0) {
        console.log(
          `failures by generator:\n${[...byKind].map(([k, n]) => `  ${n} × ${k}`).join('\n')}`,
        );
        console.log(
          `first failures:\n${failures
            .slice(0, 15)
            .map((f) => `  #${f.i} ${f.method} ${f.url} → ${f.status} (${f.why}) ${f.body}`)
            .join('\n')}`,
        );
      }
      expect(
        failures,
        'responses breaking the contract (5xx, or a refusal outside the error shape)',
      ).toEqual([]);

      // Nothing kept per request: the heap after GC stays where the warm-up left it.
      expect(heapGrowth, 'heap growth after GC, MB').toBeLessThan(MAX_HEAP_GROWTH_MB);

      // Nothing written that was not acknowledged: rows grow only by the 201s.
      expect(await rowCount('contacts')).toBe(before.contacts + created.contacts);
      expect(await rowCount('accounts')).toBe(before.accounts + created.accounts);
      expect(await revisionCount()).toBe(before.revisions + applied);
      // Still alive and still working.
      expect((await t.call('GET', '/api/health', undefined, null)).status).toBe(200);
      const ok = await t.call('POST', '/api/records/contacts', { name: 'after the storm' });
      expect(ok.status).toBe(201);
      expect((await t.call('GET', `/api/records/contacts/${ok.body.id}`)).status).toBe(200);
    },
    Math.max(600_000, REQUESTS * 60),
  );
});
