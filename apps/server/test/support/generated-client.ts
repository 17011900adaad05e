import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

/**
 * A client as an API user would write one: types generated from the OpenAPI document by a stock
 * generator (openapi-typescript), plain fetch. It signs in, creates an account and a deal that
 * points to it, and finds the deal in the list with its account expanded. Every request and
 * answer is typed by the generated `paths`, so the document must be exact for it to compile.
 */
export const CLIENT_SOURCE = `
import type { components, paths } from './api';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;
type LoginBody = Json<paths['/api/auth/login']['post']['requestBody']>;
type LoginAnswer = Json<paths['/api/auth/login']['post']['responses'][200]>;
type Me = Json<paths['/api/auth/me']['get']['responses'][200]>;
type AccountCreate = components['schemas']['AccountsCreate'];
type Account = Json<paths['/api/records/accounts']['post']['responses'][201]>;
type DealCreate = Json<NonNullable<paths['/api/records/sales_deals']['post']['requestBody']>>;
type Deal = Json<paths['/api/records/sales_deals']['post']['responses'][201]>;
type DealPage = Json<paths['/api/records/sales_deals']['get']['responses'][200]>;
type DealRead = Json<paths['/api/records/sales_deals/{id}']['get']['responses'][200]>;

async function call<T>(base: string, method: string, path: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = 'Bearer ' + token;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(method + ' ' + path + ': ' + res.status + ' ' + (await res.text()));
  return (await res.json()) as T;
}

export async function run(base: string, email: string, password: string) {
  const login = await call<LoginAnswer>(base, 'POST', '/api/auth/login', { email, password } satisfies LoginBody);
  const token: string = login.token;
  const me = await call<Me>(base, 'GET', '/api/auth/me', undefined, token);
  const zone: string = me.effectiveTimeZone;
  const account = await call<Account>(base, 'POST', '/api/records/accounts',
    { name: 'Generated Co', industry: 'tech', employees: 12 } satisfies AccountCreate, token);
  const deal = await call<Deal>(base, 'POST', '/api/records/sales_deals',
    { title: 'Generated deal', amount: 1234.5, account: account.id, won: false } satisfies DealCreate, token);
  // Never null in a stored record: typed without null.
  const version: number = deal.version;
  const created: string | undefined = deal.created_at;
  const filter = encodeURIComponent(JSON.stringify({ '==': [{ var: 'account' }, account.id] }));
  const page = await call<DealPage>(base, 'GET', '/api/records/sales_deals?filter=' + filter + '&expand=account', undefined, token);
  const found = page.data.find((d) => d.id === deal.id);
  const linked = found?.account;
  const accountName: string | null = typeof linked === 'object' && linked !== null ? (linked.name ?? null) : null;
  const again = await call<DealRead>(base, 'GET', '/api/records/sales_deals/' + deal.id, undefined, token);
  const accountId: string | null = typeof again.account === 'string' ? again.account : null;
  return { me: me.email, zone, version, created, found: found?.title ?? null, accountName, accountId, expected: account.id, count: page.data.length };
}
`;

const FETCH_TYPES = `
declare function fetch(
  url: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
): Promise<{ ok: boolean; status: number; text(): Promise<string>; json(): Promise<unknown> }>;
`;

/** Type errors of the client against types generated from `doc` (none when the document is exact). */
export async function typeCheckClient(doc: unknown): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-client-types-'));
  writeFileSync(
    path.join(dir, 'api.ts'),
    astToString(await openapiTS(structuredClone(doc) as never)),
  );
  writeFileSync(path.join(dir, 'client.ts'), CLIENT_SOURCE);
  // The part of fetch the client uses, so the check needs no DOM library (it is large and slow).
  writeFileSync(path.join(dir, 'fetch.d.ts'), FETCH_TYPES);
  const program = ts.createProgram([path.join(dir, 'client.ts'), path.join(dir, 'fetch.d.ts')], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts'],
    types: [],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map(
      (d) =>
        `${path.basename(d.file?.fileName ?? '')}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`,
    );
}

/** The client compiled to JavaScript, loaded as a module. */
export async function loadClient(): Promise<{
  run(base: string, email: string, password: string): Promise<Record<string, unknown>>;
}> {
  const js = ts.transpileModule(CLIENT_SOURCE, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'atrium-client-')), 'client.mjs');
  writeFileSync(file, js);
  return import(pathToFileURL(file).href);
}
