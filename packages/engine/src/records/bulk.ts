import { type Locale, type Problem, valueMsg } from '@atrium/metadata';
import { sql } from 'kysely';
import { maskedFieldProblems, maskRow, rowScope } from '../access-writes.js';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError, type ErrorCode } from '../errors.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import type { LookupWrite } from './lookup-targets.js';
import { lookupProblems } from './lookup-targets.js';
import { msg } from './messages.js';
import { moveToBin } from './move-to-bin.js';
import type { Row } from './row-writes.js';
import type { Values } from './values.js';
import {
  insertRecord,
  insertRecords,
  inWriteTransaction,
  lockForBin,
  type PreparedUpdate,
  pgRefusal,
  prepareCreate,
  prepareUpdate,
  writeUpdate,
} from './write.js';

/** Most operations one bulk request may carry. */
export const BULK_LIMIT = 1000;

export interface BulkResult {
  created: Row[];
  updated: Row[];
  deleted: Row[];
}

export interface BulkOps {
  create: unknown[];
  update: { id: string; body: Values }[];
  delete: { id: string; version: number }[];
}

/**
 * `POST /api/records/:module/bulk`: up to 1,000 creates, updates and deletes through the same
 * steps as single writes (write.ts), in ONE transaction — all or nothing. Every operation is
 * checked before anything is written, so the refusal lists each problem at its path
 * (`create[2].email`, `update[0].version`, `delete[1].deals.account`). The refusal's code is
 * VALIDATION_FAILED when any value is bad, else the first problem's (409 VERSION_CONFLICT,
 * 409 REFERENCED, 404 NOT_FOUND).
 */
export async function bulkWrite(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  body: unknown,
): Promise<BulkResult> {
  const ops = parseBulk(body, ctx.locale);
  return inWriteTransaction(engine, module, (trx, m, snapshot) =>
    bulkWithin(trx, engine, ctx, snapshot, m, ops),
  );
}

/** How a caller other than the bulk route names its operations and what it found wrong before. */
export interface BulkPaths {
  /** The list creates are reported under: `create` (`create[2].email`), `rows` for an import. */
  create?: string;
  /**
   * Problems the caller found already (a value an import could not read); they are refused with
   * the rest, and a problem of the write path at one of their paths is left out as their echo.
   */
  known?: Problem[];
}

/**
 * The operations of a bulk request in the caller's transaction (see inWriteTransaction): every
 * one checked, then all written, or one refusal listing each problem at its path.
 */
export async function bulkWithin(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  m: CompiledModule,
  ops: BulkOps,
  paths: BulkPaths = {},
): Promise<BulkResult> {
  if (ops.create.length > 0) engine.access.authorize(ctx.actor, m, 'create');
  if (ops.update.length > 0) engine.access.authorize(ctx.actor, m, 'update');
  if (ops.delete.length > 0) engine.access.authorize(ctx.actor, m, 'delete');
  const scope = rowScope(engine.access, ctx.actor, m);
  const refusals = new Refusals(paths.known ?? []);
  const masked = (body: unknown, prefix: string) =>
    refusals.addAll(
      maskedFieldProblems(engine.access, ctx.actor, m, body, ctx.locale, prefix).map((p) => ({
        code: 'VALIDATION_FAILED' as const,
        problem: p,
      })),
    );
  const attempt = async <T>(prefix: string, step: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await step();
    } catch (e) {
      if (!(e instanceof AtriumError)) throw e;
      refusals.add(e, prefix);
      return undefined;
    }
  };

  refusals.addAll(twice(ops, ctx.locale));
  const creates: { prefix: string; values: Values }[] = [];
  for (const [i, item] of ops.create.entries()) {
    const prefix = `${paths.create ?? 'create'}[${i}].`;
    masked(item, prefix);
    const values = await attempt(prefix, () => prepareCreate(trx, ctx, m, item));
    if (values) creates.push({ prefix, values });
  }
  const updates: { prefix: string; update: PreparedUpdate }[] = [];
  for (const [i, item] of ops.update.entries()) {
    const prefix = `update[${i}].`;
    masked(item.body, prefix);
    const update = await attempt(prefix, () =>
      prepareUpdate(trx, ctx, m, item.id, item.body, scope),
    );
    if (update) updates.push({ prefix, update });
  }
  const deletes: { id: string; prefix: string }[] = [];
  for (const [i, item] of ops.delete.entries()) {
    const prefix = `delete[${i}].`;
    const row = await attempt(prefix, () => lockForBin(trx, ctx, m, item.id, item.version, scope));
    if (row) deletes.push({ id: row.id as string, prefix });
  }
  const lookups: LookupWrite[] = [
    ...creates.map((c) => ({ ...c, fields: Object.keys(c.values) })),
    ...updates.map((u) => ({
      prefix: u.prefix,
      values: u.update.values,
      fields: Object.keys(u.update.changes),
    })),
  ];
  refusals.addAll(
    (
      await lookupProblems(trx, snapshot, m, lookups, ctx.locale, (target) =>
        engine.access.scope(ctx.actor, target, 'read'),
      )
    ).map((p) => ({
      code: 'VALIDATION_FAILED' as const,
      problem: p,
    })),
  );
  refusals.throwIfAny();

  // Everything checked: write. A constraint only the database sees (a duplicate unique value)
  // still refuses the whole request, at the path of the operation that met it.
  const write = async <T>(prefix: string, step: () => Promise<T>): Promise<T> => {
    try {
      return await step();
    } catch (e) {
      const refusal = pgRefusal(e, m);
      if (refusal instanceof AtriumError) throw prefixed(refusal, prefix);
      throw refusal;
    }
  };
  let created: Row[];
  await sql`savepoint atrium_bulk_create`.execute(trx);
  try {
    created = await insertRecords(
      trx,
      engine,
      ctx,
      m,
      creates.map((c) => c.values),
    );
  } catch (e) {
    const refusal = pgRefusal(e, m);
    if (!(refusal instanceof AtriumError)) throw e;
    // Batched, the database does not say which record met the constraint: replay them one by
    // one to refuse at the right path (only on this error path).
    await sql`rollback to savepoint atrium_bulk_create`.execute(trx);
    for (const c of creates)
      await write(c.prefix, () => insertRecord(trx, engine, ctx, m, c.values));
    throw refusal;
  }
  const updated: Row[] = [];
  for (const u of updates)
    updated.push(await write(u.prefix, () => writeUpdate(trx, engine, ctx, m, u.update)));
  const deleted =
    deletes.length === 0 ? [] : await moveToBin(trx, engine, ctx, snapshot, m, deletes);
  const mask = (rows: Row[]) => rows.map((r) => maskRow(engine.access, ctx.actor, m, r));
  return { created: mask(created), updated: mask(updated), deleted: mask(deleted) };
}

/** The refusals met while checking a bulk request, gathered into one. */
class Refusals {
  private readonly found: { code: ErrorCode; problem: Problem }[] = [];
  private readonly known: Problem[];
  private readonly knownPaths: ReadonlySet<string>;

  constructor(known: Problem[]) {
    this.known = known;
    this.knownPaths = new Set(known.map((p) => p.path));
  }

  add(e: AtriumError, prefix: string): void {
    for (const p of prefixed(e, prefix).details) this.found.push({ code: e.code, problem: p });
    if (e.details.length === 0)
      this.found.push({ code: e.code, problem: { path: prefix.slice(0, -1), message: e.message } });
  }

  addAll(found: { code: ErrorCode; problem: Problem }[]): void {
    this.found.push(...found);
  }

  throwIfAny(): void {
    const found = [
      ...this.known.map((problem) => ({ code: 'VALIDATION_FAILED' as const, problem })),
      ...this.found.filter((f) => !this.knownPaths.has(f.problem.path)),
    ];
    const first = found[0];
    if (!first) return;
    const code = found.some((f) => f.code === 'VALIDATION_FAILED')
      ? 'VALIDATION_FAILED'
      : first.code;
    throw new AtriumError(
      code,
      found.map((f) => f.problem),
    );
  }
}

/** The same refusal with its paths under one operation: `email` → `create[2].email`. */
function prefixed(e: AtriumError, prefix: string): AtriumError {
  const details = e.details.map((d) => ({
    ...d,
    path: d.path.startsWith('(') ? prefix.slice(0, -1) : `${prefix}${d.path}`,
  }));
  return new AtriumError(e.code, details, {
    en: e.localMessage('en'),
    'zh-CN': e.localMessage('zh-CN'),
  });
}

/** A record may be updated or deleted once per request: a second write would be against a stale version. */
function twice(ops: BulkOps, locale: Locale): { code: ErrorCode; problem: Problem }[] {
  const seen = new Map<string, string>();
  const out: { code: ErrorCode; problem: Problem }[] = [];
  const visit = (id: string, at: string) => {
    const key = id.toLowerCase();
    const other = seen.get(key);
    if (other === undefined) seen.set(key, at);
    else
      out.push({
        code: 'VALIDATION_FAILED',
        problem: { path: `${at}.id`, message: msg(locale, 'bulkTwice', { id, other }) },
      });
  };
  for (const [i, u] of ops.update.entries()) visit(u.id, `update[${i}]`);
  for (const [i, d] of ops.delete.entries()) visit(d.id, `delete[${i}]`);
  return out;
}

/** Checks the envelope: three optional lists, at most BULK_LIMIT operations, ids and versions. */
function parseBulk(body: unknown, locale: Locale): BulkOps {
  const bad = (path: string, message: string): never => {
    throw new AtriumError('VALIDATION_FAILED', [{ path, message }]);
  };
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    bad('(body)', msg(locale, 'jsonObject'));
  const b = body as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of Object.keys(b)) {
    if (key !== 'create' && key !== 'update' && key !== 'delete')
      problems.push({ path: key, message: valueMsg.text(locale, 'unknownField') });
  }
  const list = (key: string): unknown[] => {
    const v = b[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      problems.push({ path: key, message: msg(locale, 'bulkList') });
      return [];
    }
    return v;
  };
  const create = list('create');
  const update = list('update');
  const del = list('delete');
  const count = create.length + update.length + del.length;
  if (count > BULK_LIMIT) bad('(body)', msg(locale, 'bulkTooMany', { max: BULK_LIMIT, count }));
  const id = (item: unknown, at: string): string => {
    const v = (item as { id?: unknown } | null)?.id;
    if (typeof v === 'string' && v.length > 0 && v.length <= 100) return v;
    problems.push({ path: `${at}.id`, message: valueMsg.text(locale, 'required') });
    return '';
  };
  const ops: BulkOps = {
    create,
    update: update.map((item, i) => {
      const at = `update[${i}]`;
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        problems.push({ path: at, message: msg(locale, 'jsonObject') });
        return { id: '', body: {} };
      }
      const { id: _, ...rest } = item as Values;
      return { id: id(item, at), body: rest };
    }),
    delete: del.map((item, i) => {
      const at = `delete[${i}]`;
      const version = (item as { version?: unknown } | null)?.version;
      if (!Number.isInteger(version) || (version as number) < 1)
        problems.push({ path: `${at}.version`, message: valueMsg.text(locale, 'required') });
      return { id: id(item, at), version: version as number };
    }),
  };
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
  return ops;
}
