/**
 * Request generators of the fuzz suite (fuzz.test.ts): every route, with malformed and odd input —
 * random JSON, wrong types, huge numbers, NUL, unicode, deep nesting, odd encodings, repeated
 * parameters. Deterministic for a seed.
 */

export const ACCOUNTS = {
  kind: 'module',
  name: 'accounts',
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 200 },
    { name: 'industry', type: 'picklist', options: [{ value: 'tech' }, { value: 'retail' }] },
  ],
};
export const CONTACTS = {
  kind: 'module',
  name: 'contacts',
  label: { en: 'Contacts', 'zh-CN': '联系人' },
  recordName: 'name',
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 200 },
    { name: 'code', type: 'text', pattern: '^(a+)+$' },
    { name: 'notes', type: 'textarea' },
    { name: 'email', type: 'email', unique: true },
    { name: 'phone', type: 'phone' },
    { name: 'site', type: 'url' },
    { name: 'age', type: 'integer', min: 0, max: 150 },
    { name: 'score', type: 'decimal', precision: 8, scale: 3 },
    { name: 'amount', type: 'currency' },
    { name: 'ratio', type: 'percent' },
    { name: 'vip', type: 'boolean' },
    { name: 'born', type: 'date' },
    { name: 'seen_at', type: 'datetime' },
    { name: 'stage', type: 'picklist', options: [{ value: 'new' }, { value: 'won' }] },
    { name: 'colors', type: 'multipicklist', options: [{ value: 'red' }, { value: 'blue' }] },
    { name: 'tags', type: 'tags' },
    { name: 'account', type: 'lookup', target: 'accounts' },
    { name: 'manager', type: 'user' },
    { name: 'number', type: 'autonumber', prefix: 'C-' },
    {
      name: 'double_age',
      type: 'formula',
      returns: 'integer',
      expression: { '*': [{ var: 'age' }, 2] },
    },
  ],
  validationRules: [
    {
      name: 'adult_vip',
      when: { and: [{ var: 'vip' }, { '<': [{ var: 'age' }, 18] }] },
      message: { en: 'A VIP is an adult' },
    },
  ],
};
const FIELDS = CONTACTS.fields.map((f) => f.name);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Rng = ReturnType<typeof prng>;

const ODD_STRINGS = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\ud800',
  'x\udc00y',
  '😀👍🏽',
  '中文测试',
  'مرحبا',
  '\u202e\u200b',
  "'; drop table contacts; --",
  '%00',
  '%',
  '%%25',
  '%E0%A4%A',
  '\\',
  '"',
  '{}',
  '[]',
  'null',
  'true',
  '1e309',
  '-0',
  'NaN',
  'Infinity',
  '0x10',
  '  12  ',
  '2026-02-30',
  '2026-13-01T25:61:00Z',
  '9999-12-31',
  '0000-00-00',
  'a'.repeat(300),
  'x'.repeat(5000),
  '__proto__',
  'constructor',
  'id',
  'deleted_at',
  '$user.id',
  '../../etc/passwd',
  '<script>alert(1)</script>',
];
const ODD_NUMBERS = [
  0,
  -1,
  1,
  1.5,
  -0.000001,
  2 ** 31,
  2 ** 53,
  -(2 ** 63),
  1e30,
  -1e30,
  1e308,
  5e-324,
  1e15,
  123456789012.34,
  0.1 + 0.2,
];

function oddScalar(r: Rng): unknown {
  switch (r.int(6)) {
    case 0:
      return r.pick(ODD_STRINGS);
    case 1:
      return r.pick(ODD_NUMBERS);
    case 2:
      return r.pick([true, false, null]);
    case 3:
      return r.pick(['new', 'won', 'red', 'tech', 'a@b.co', 'https://x.y', '2026-01-01']);
    case 4:
      return r.int(200) - 20;
    default:
      return randomString(r);
  }
}

function randomString(r: Rng): string {
  const alphabet = 'aA0 _-.%\u0000\u00e9\u4e2d\ud83d\ude00\ud800"\\/\n\t';
  let s = '';
  for (let i = r.int(12); i > 0; i--) s += alphabet[r.int(alphabet.length)];
  return s;
}

/** Random JSON, sometimes deeply nested, sometimes wide. */
function randomJson(r: Rng, depth = 0): unknown {
  if (depth > 4 || r.chance(0.4)) return oddScalar(r);
  if (r.chance(0.05)) return deepJson(r.pick([50, 200, 2000]));
  if (r.chance(0.5)) return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = r.int(4); i > 0; i--) {
    out[r.chance(0.5) ? r.pick(FIELDS) : randomString(r)] = randomJson(r, depth + 1);
  }
  return out;
}

function deepJson(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** A JSON Logic filter: sometimes right, often subtly or grossly wrong. */
function randomLogic(r: Rng, depth = 0): unknown {
  if (depth > 3 || r.chance(0.2)) {
    const op = r.pick([
      '==',
      '!=',
      '<',
      '>=',
      'in',
      'contains',
      'starts_with',
      'date_in',
      'empty',
      'has',
    ]);
    const field = r.chance(0.85)
      ? r.pick([...FIELDS, 'account.name', 'id', 'owner_id'])
      : randomString(r);
    const value = r.chance(0.7) ? oddScalar(r) : randomJson(r, 3);
    return op === 'empty' ? { empty: { var: field } } : { [op]: [{ var: field }, value] };
  }
  switch (r.int(7)) {
    case 0:
      return { and: Array.from({ length: 1 + r.int(3) }, () => randomLogic(r, depth + 1)) };
    case 1:
      return { or: Array.from({ length: r.int(3) }, () => randomLogic(r, depth + 1)) };
    case 2:
      return { '!': randomLogic(r, depth + 1) };
    case 3:
      return { [randomString(r)]: [randomLogic(r, depth + 1)] };
    case 4:
      // Past the depth bound; thousands of levels are sent as text by listParams.
      return JSON.parse(deepLogicText(r.pick([33, 300])));
    case 5:
      return randomJson(r);
    default:
      return { '==': [{ var: r.pick(FIELDS) }, oddScalar(r)] };
  }
}

/** `{"!":[` nested `n` times, as text (JSON.stringify would overflow on thousands of levels). */
const deepLogicText = (n: number) => `${'{"!":['.repeat(n)}true${']}'.repeat(n)}`;

/** encodeURIComponent, with a lone surrogate sent as the bytes a careless encoder would write. */
function pct(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value]
      .map((c) => {
        try {
          return encodeURIComponent(c);
        } catch {
          return '%ED%A0%80';
        }
      })
      .join('');
  }
}

/** Percent-encodes a query value, sometimes oddly (raw, double-encoded, broken escapes). */
function encodeOdd(r: Rng, value: string): string {
  switch (r.int(8)) {
    case 0:
      return pct(pct(value));
    case 1:
      return value.replace(/[&#\s]/g, (c) => pct(c));
    case 2:
      return `${pct(value)}%`;
    default:
      return pct(value);
  }
}

export interface FuzzRequest {
  method: string;
  url: string;
  /** A value sent as JSON, or a raw string sent as is. */
  payload?: unknown;
  raw?: boolean;
  headers?: Record<string, string>;
  /** Which generator made it, for the report. */
  kind: string;
}

export interface State {
  ids: string[];
  versions: Map<string, number>;
  revisions: number;
}

function listParams(r: Rng): string[] {
  const p: string[] = [];
  if (r.chance(0.5)) p.push(`filter=${encodeOdd(r, JSON.stringify(randomLogic(r)) ?? 'null')}`);
  if (r.chance(0.1))
    p.push(`filter=${encodeOdd(r, r.pick(['{', 'not json', '[]', '1', '"x"', 'null']))}`);
  if (r.chance(0.05)) p.push(`filter=${pct(deepLogicText(r.pick([40, 2000])))}`);
  if (r.chance(0.3))
    p.push(`q=${encodeOdd(r, r.chance(0.5) ? r.pick(ODD_STRINGS) : randomString(r))}`);
  if (r.chance(0.3)) {
    const sorts = [
      ...FIELDS,
      'id',
      '-age',
      '-name',
      'account.name',
      '',
      ',',
      '--age',
      randomString(r),
    ];
    p.push(
      `sort=${encodeOdd(r, Array.from({ length: 1 + r.int(3) }, () => r.pick(sorts)).join(','))}`,
    );
  }
  if (r.chance(0.2))
    p.push(
      `expand=${encodeOdd(r, r.pick(['account', 'manager', 'name', 'nope', '', 'account,account']))}`,
    );
  if (r.chance(0.2))
    p.push(
      `fields=${encodeOdd(r, r.pick(['name,age', 'nope', '', 'id', 'name,,', 'password_hash']))}`,
    );
  if (r.chance(0.2)) p.push(`limit=${r.pick(['1', '50', '200'])}`);
  if (r.chance(0.1)) p.push(`deleted=${r.pick(['only', 'include', ''])}`);
  if (r.chance(0.1)) p.push('count=true');
  // Odd list parameters: a cursor that does not fit the sort, odd limit and count, repeated
  // and unknown parameters.
  if (r.chance(0.2)) p.push(`limit=${encodeOdd(r, String(oddScalar(r)))}`);
  if (r.chance(0.2)) p.push(`count=${encodeOdd(r, String(oddScalar(r)))}`);
  if (r.chance(0.2)) {
    const cursor = r.chance(0.5)
      ? Buffer.from(JSON.stringify(randomJson(r)) ?? 'x').toString('base64url')
      : r.pick(['WzFd', 'x', '', '!!!', 'W10', 'WyJ4Il0']);
    p.push(`cursor=${cursor}`);
  }
  if (r.chance(0.2)) p.push(`sort=name&sort=age`, `limit=1&limit=2`);
  if (r.chance(0.1)) p.push(`${encodeOdd(r, randomString(r))}=${encodeOdd(r, randomString(r))}`);
  return p;
}

/** Record values: mostly plausible, with wrong types and odd text mixed in. */
function recordValues(r: Rng, state: State, forCreate: boolean): unknown {
  if (r.chance(0.08)) return randomJson(r);
  const out: Record<string, unknown> = {};
  if (forCreate && r.chance(0.9)) out.name = r.chance(0.8) ? `fuzz ${r.int(1e6)}` : oddScalar(r);
  const plausible: Record<string, () => unknown> = {
    code: () => r.pick(['a', 'aaa', `${'a'.repeat(31)}!`, 'b']),
    email: () => `u${r.int(1e6)}@example.com`,
    age: () => r.int(150),
    vip: () => r.chance(0.5),
    stage: () => r.pick(['new', 'won']),
    colors: () => r.pick([['red'], ['red', 'blue'], []]),
    tags: () => r.pick([['a'], [], ['x', 'y']]),
    born: () => '1990-05-17',
    seen_at: () => '2026-01-01T10:00:00Z',
    account: () => r.pick([...state.ids, '0190f3a4-7b1c-7d2e-8f90-123456789abc']),
  };
  for (let i = r.int(5); i > 0; i--) {
    const f = r.pick(FIELDS);
    const gen = plausible[f];
    out[f] = gen && r.chance(0.6) ? gen() : oddScalar(r);
  }
  if (r.chance(0.05))
    out[r.pick(['id', 'version', 'created_at', 'deleted_at', 'double_age', 'number'])] =
      oddScalar(r);
  if (r.chance(0.05)) out[randomString(r)] = 1;
  // NUL and lone surrogates in text values are refused by the input guard, whoever's check runs.
  if (r.chance(0.05)) out.name = r.pick(['a\u0000', '\ud800x', 'ok\u0000ok']);
  return out;
}

function metaDocuments(r: Rng): unknown {
  const doc = structuredClone(CONTACTS) as Record<string, unknown> & {
    fields: Record<string, unknown>[];
  };
  switch (r.int(9)) {
    case 0:
      doc.name = r.pick(ODD_STRINGS);
      break;
    case 1:
      doc.label = { en: r.pick(ODD_STRINGS) };
      break;
    case 2:
      (doc.fields[1] as Record<string, unknown>).pattern = r.pick([
        '(a)\\1',
        'a(?=b)',
        '[',
        '(?<n>x)\\k<n>',
        '^ok$',
      ]);
      break;
    case 3:
      doc.validationRules = [{ name: 'r', when: randomLogic(r) }];
      break;
    case 4:
      doc.fields.push({
        name: r.pick(['f', 'x y', '', 'id', randomString(r)]),
        type: r.pick(['text', 'nope', 1]),
      });
      break;
    case 5:
      return { documents: [randomJson(r)] };
    case 6:
      return randomJson(r);
    case 7:
      return {
        documents: [
          {
            kind: 'view',
            module: 'contacts',
            name: 'v',
            type: 'table',
            columns: ['name'],
            filter: randomLogic(r),
          },
        ],
      };
    default:
      doc.fields[0] = { ...doc.fields[0], maxLength: r.pick([-1, 0, 1e30, 'x', 100]) };
  }
  const body: Record<string, unknown> = { documents: [doc] };
  if (r.chance(0.2)) body.baseRevision = oddScalar(r);
  if (r.chance(0.2)) body.remove = r.pick([[randomString(r)], 'x', [1]]);
  if (r.chance(0.2)) body.replaceAll = r.pick(['yes', 1, null]);
  return body;
}

/** One random request over every route. */
export function generate(r: Rng, state: State): FuzzRequest {
  const module = r.chance(0.9)
    ? r.pick(['contacts', 'contacts', 'accounts'])
    : encodeOdd(r, r.pick(ODD_STRINGS) || 'x');
  const id =
    r.chance(0.7) && state.ids.length > 0
      ? r.pick(state.ids)
      : r.pick([
          '0190f3a4-7b1c-7d2e-8f90-123456789abc',
          'nope',
          '1',
          encodeOdd(r, r.pick(ODD_STRINGS) || 'x'),
          'a'.repeat(150),
        ]);
  const version = () =>
    r.chance(0.7) ? String(state.versions.get(id) ?? 1) : encodeOdd(r, String(oddScalar(r)));
  switch (r.int(20)) {
    case 0:
    case 1:
    case 2:
    case 3: {
      const params = listParams(r);
      return {
        kind: 'list',
        method: 'GET',
        url: `/api/records/${module}${params.length ? `?${params.join('&')}` : ''}`,
      };
    }
    case 4:
    case 5:
    case 6:
      return {
        kind: 'create',
        method: 'POST',
        url: `/api/records/${module}`,
        payload: recordValues(r, state, true),
      };
    case 7: {
      const values = recordValues(r, state, false);
      const body =
        values && typeof values === 'object' && !Array.isArray(values) && r.chance(0.8)
          ? { ...values, version: r.chance(0.8) ? (state.versions.get(id) ?? 1) : oddScalar(r) }
          : values;
      return {
        kind: 'update',
        method: 'PATCH',
        url: `/api/records/${module}/${id}`,
        payload: body,
      };
    }
    case 8:
      return {
        kind: 'get',
        method: 'GET',
        url: `/api/records/${module}/${id}${r.chance(0.3) ? `?expand=${r.pick(['account', 'x', ''])}` : ''}${r.chance(0.2) ? `&deleted=${r.pick(['true', 'x'])}` : ''}`,
      };
    case 9:
      return {
        kind: 'delete',
        method: 'DELETE',
        url: `/api/records/${module}/${id}${r.chance(0.7) ? `?version=${version()}` : ''}`,
      };
    case 10:
      return r.chance(0.5)
        ? { kind: 'restore', method: 'POST', url: `/api/records/${module}/${id}/restore` }
        : {
            kind: 'history',
            method: 'GET',
            url: `/api/records/${module}/${id}/history${r.chance(0.3) ? `?limit=${r.pick(['1', '5'])}` : ''}`,
          };
    case 11:
      return {
        kind: 'meta-plan',
        method: 'POST',
        url: '/api/meta/plan',
        payload: metaDocuments(r),
      };
    case 12: {
      // Apply only what cannot succeed (a broken copy of a stored module) or changes nothing.
      const body = metaDocuments(r) as Record<string, unknown>;
      return { kind: 'meta-apply', method: 'POST', url: '/api/meta/apply', payload: body };
    }
    case 13: {
      const n = r.pick([
        '1',
        '2',
        '99',
        '1e30',
        '99999999999999',
        '-1',
        '0x10',
        'abc',
        '%00',
        '2147483648',
      ]);
      const variants: FuzzRequest[] = [
        { kind: 'meta', method: 'GET', url: '/api/meta' },
        {
          kind: 'revisions',
          method: 'GET',
          url: `/api/meta/revisions?before=${encodeOdd(r, String(oddScalar(r)))}&limit=${r.pick(['1', '0', 'x', '500'])}`,
        },
        { kind: 'revisions', method: 'GET', url: `/api/meta/revisions?before=${n}&before=${n}` },
        { kind: 'revision', method: 'GET', url: `/api/meta/revisions/${n}` },
        // Never allowDestructive: a revert that drops data would make the row count meaningless.
        {
          kind: 'revert',
          method: 'POST',
          url: `/api/meta/revisions/${n}/revert`,
          payload: r.chance(0.5) ? { dryRun: true } : randomJson(r),
        },
      ];
      return r.pick(variants);
    }
    case 14: {
      const bodies = [
        { email: 'admin@example.com', password: randomString(r) },
        { email: r.pick(ODD_STRINGS), password: r.pick(ODD_STRINGS) },
        { email: 'admin@example.com\u0000', password: 'x' },
        randomJson(r),
        { email: 1, password: [] },
      ];
      return {
        kind: 'login',
        method: 'POST',
        url: '/api/auth/login',
        payload: r.pick(bodies),
        headers: { authorization: '' },
      };
    }
    case 15:
      return r.chance(0.5)
        ? {
            kind: 'users',
            method: 'GET',
            url: `/api/users?q=${encodeOdd(r, r.pick(ODD_STRINGS))}${r.chance(0.3) ? `&limit=${encodeOdd(r, String(oddScalar(r)))}` : ''}${r.chance(0.1) ? '&q=a&q=b' : ''}`,
          }
        : { kind: 'me', method: 'GET', url: '/api/auth/me' };
    case 16:
      return {
        kind: 'openapi',
        method: r.pick(['GET', 'HEAD']),
        url: r.pick(['/api/openapi.json', '/%61pi/openapi.json', '/api/openapi.json?x=%00']),
      };
    case 17: {
      // Raw bodies: broken JSON, other content types, huge or deep bodies.
      const raws = [
        '{"name": ',
        '{"name": "x",}',
        "{'name': 'x'}",
        '[',
        'null',
        '"x"',
        '{"__proto__": {"admin": true}, "name": "x"}',
        '{"constructor": {"prototype": {"x": 1}}}',
        `{"name": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
        `{"name": "${'x'.repeat(r.pick([100, 1_100_000]))}"}`,
        '\u0000',
        '{"name": "\\ud800"}',
      ];
      return {
        kind: 'raw-body',
        method: r.pick(['POST', 'PATCH']),
        url: r.pick([
          `/api/records/contacts`,
          `/api/records/contacts/${id}`,
          '/api/meta/plan',
          '/api/auth/login',
        ]),
        payload: r.pick(raws),
        raw: true,
        headers: {
          'content-type': r.pick([
            'application/json',
            'text/plain',
            'application/xml',
            'application/json; charset=latin1',
            '',
          ]),
        },
      };
    }
    case 18: {
      // Odd paths and methods.
      const paths = [
        '/api/records',
        '/api/records/',
        '/api//records/contacts',
        `/api/records/contacts/${id}/nope`,
        `/api/records/${'m'.repeat(500)}`,
        '/api/records/%E0%A4%A',
        '/api/records/%',
        '/api/%2e%2e/meta',
        '/api/records/contacts%2F..%2Fmeta',
        '/api/meta/revisions/',
        `/${randomString(r)}`,
        '/api/records/contacts?%00=%00',
      ];
      return {
        kind: 'odd-path',
        method: r.pick(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']),
        url: r.pick(paths),
        payload: r.chance(0.3) ? {} : undefined,
      };
    }
    default:
      // Someone without a token, or with a broken one, on any route.
      return {
        kind: 'no-token',
        method: r.pick(['GET', 'POST']),
        url: r.pick(['/api/meta', `/api/records/${module}`, '/api/users', '/api/openapi.json']),
        headers: { authorization: r.pick(['', 'Bearer', 'Bearer x.y.z', 'Basic YTpi']) },
      };
  }
}
