import type { ConversionDoc, ConversionTarget, Problem } from '@atrium/metadata';
import { sql } from 'kysely';
import { maskRow, rowScope } from '../access-writes.js';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import type { CompiledModule, Snapshot } from '../records/compiled-module.js';
import { recordMsg } from '../records/messages.js';
import type { Row } from '../records/row-writes.js';
import type { Values } from '../records/values.js';
import {
  createWithin,
  inWriteTransaction,
  pgRefusal,
  UUID,
  updateWithin,
} from '../records/write.js';
import { q } from '../sql-names.js';
import { availableTransitions } from './blueprint.js';
import { conversionMsg } from './conversion-messages.js';

/** What `POST /api/records/:module/:id/convert` answers. */
export interface ConversionResult {
  /** Target module → the record created there. */
  created: Record<string, Row>;
  /** Target module → the existing record used instead (by the target's `match` field). */
  matched?: Record<string, Row>;
  /** The source record as marked. */
  source: Row;
}

/**
 * Converts a record through its module's conversion document, in ONE transaction: each target
 * in the document's order is matched to an existing record or created with `createWithin` (so
 * every access check, rule, blueprint initial state and history entry of a create applies),
 * linked to the targets before it, and the source is marked with `updateWithin`. Any refusal
 * rolls everything back; its paths name the module (`deals.amount`, `leads.status`).
 *
 * The body: `{ "<target module>": {field values that win over the mapping} | false, version? }`.
 */
export async function convertRecord(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  id: string,
  body: unknown,
): Promise<ConversionResult> {
  return inWriteTransaction(engine, module, async (trx, m, snapshot) => {
    const doc = conversionOf(snapshot, m.doc.name);
    engine.access.authorize(ctx.actor, m, 'update');
    const request = conversionBody(doc, body);
    const targets = doc.targets.filter((t) => request.overrides.get(t.module) !== false);
    if (targets.length === 0)
      throw new AtriumError('VALIDATION_FAILED', [conversionMsg.at('(body)', 'nothing')]);
    const compiled = new Map(targets.map((t) => [t.module, moduleIn(snapshot, t.module)]));
    for (const tm of compiled.values()) engine.access.authorize(ctx.actor, tm, 'create');

    const current = await lockSource(trx, engine, ctx, m, id);
    if (isConverted(doc, current))
      throw new AtriumError('ALREADY_CONVERTED', [conversionMsg.at('id', 'converted', { id })]);
    if (request.version !== undefined && request.version !== current.version)
      throw new AtriumError('VERSION_CONFLICT', [
        recordMsg.at('version', 'versionConflict', {
          current: current.version as number,
          sent: request.version,
        }),
      ]);
    // The source as the caller may read it: a field hidden from them is not copied anywhere.
    const source = maskRow(engine.access, ctx.actor, m, { ...current });

    const created: Record<string, Row> = {};
    const matched: Record<string, Row> = {};
    const ids = new Map<string, string>();
    for (const t of targets) {
      const tm = compiled.get(t.module) as CompiledModule;
      const override = request.overrides.get(t.module) || {};
      const values = { ...mapped(engine, ctx, t, tm, source), ...links(t, ids), ...override };
      const existing = t.match ? await findMatch(trx, engine, ctx, tm, t.match, values) : null;
      if (existing) {
        matched[t.module] = existing;
        ids.set(t.module, existing.id as string);
        continue;
      }
      const row = await within(t.module, tm, () =>
        createWithin(trx, engine, ctx, snapshot, tm, values),
      );
      created[t.module] = row;
      ids.set(t.module, row.id as string);
    }

    const mark: Values = { ...doc.mark.values, version: current.version };
    for (const [field, target] of Object.entries(doc.mark.links ?? {})) {
      const linked = ids.get(target);
      if (linked) mark[field] = linked;
    }
    const marking = { ...ctx, ...markTransition(m, current, mark, ctx) };
    const marked = await within(m.doc.name, m, () =>
      updateWithin(trx, engine, marking, snapshot, m, current.id as string, mark),
    );
    return {
      created,
      ...(Object.keys(matched).length > 0 && { matched }),
      source: marked,
    };
  });
}

/** The module's conversion document (a module has at most one), or 404. */
export function conversionOf(snapshot: Snapshot, module: string): ConversionDoc {
  const doc = snapshot.documents.find(
    (d): d is ConversionDoc => d.kind === 'conversion' && d.module === module,
  );
  if (!doc)
    throw new AtriumError('NO_CONVERSION', [
      conversionMsg.at('module', 'noConversion', { module }),
    ]);
  return doc;
}

interface ConversionRequest {
  /** Target module → values that win over the mapping, or false to skip the target. */
  overrides: Map<string, Values | false>;
  version: number | undefined;
}

function conversionBody(doc: ConversionDoc, body: unknown): ConversionRequest {
  const input = body ?? {};
  if (typeof input !== 'object' || Array.isArray(input))
    throw new AtriumError('VALIDATION_FAILED', [recordMsg.at('(body)', 'jsonObject')]);
  const names = doc.targets.map((t) => t.module);
  const overrides = new Map<string, Values | false>();
  const problems: Problem[] = [];
  let version: number | undefined;
  for (const [key, value] of Object.entries(input)) {
    if (key === 'version') {
      if (Number.isInteger(value)) version = value as number;
      else problems.push(conversionMsg.at(key, 'version'));
    } else if (!names.includes(key)) {
      problems.push(conversionMsg.at(key, 'notATarget', { targets: names }));
    } else if (
      value === false ||
      (value !== null && typeof value === 'object' && !Array.isArray(value))
    ) {
      overrides.set(key, value as Values | false);
    } else {
      problems.push(conversionMsg.at(key, 'override'));
    }
  }
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
  return { overrides, version };
}

function moduleIn(snapshot: Snapshot, name: string): CompiledModule {
  // The apply checks guarantee the targets exist in the revision that holds the document.
  return snapshot.modules.get(name) as CompiledModule;
}

/**
 * Locks the source row within the caller's scopes: a record they may not read is missing (404),
 * one they may read but not change is 403, one in the recycle bin is missing.
 */
async function lockSource(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  m: CompiledModule,
  id: string,
): Promise<Row> {
  const missing = () => new AtriumError('NOT_FOUND', [recordMsg.at('id', 'notFound', { id })]);
  if (!UUID.test(id)) throw missing();
  const scope = rowScope(engine.access, ctx.actor, m);
  const write = scope.write ?? sql`true`;
  const read = scope.read ? sql` and ${scope.read}` : sql``;
  const r = await sql<Row & { __writable: boolean }>`select ${sql.raw(m.selectList)},
    (${write}) is true as __writable
    from ${sql.raw(m.table)} r where r.id = ${id} and r.deleted_at is null${read} for update`.execute(
    trx,
  );
  const row = r.rows[0];
  if (!row) throw missing();
  const { __writable: writable, ...current } = row;
  if (!writable) throw new AtriumError('FORBIDDEN', [recordMsg.at('id', 'readOnlyRecord', { id })]);
  return current;
}

/**
 * When the source's blueprint owns a field the mark sets, the mark moves the record through the
 * blueprint: the transition from its current state to the marked one that this caller may run
 * (the blueprint guard then checks it as for any transition, and refuses at the field, naming
 * the transitions available, when there is none).
 */
function markTransition(
  m: CompiledModule,
  current: Row,
  mark: Values,
  ctx: RequestContext,
): { transition?: string } {
  const bp = m.blueprint;
  if (!bp || !(bp.field in mark) || mark[bp.field] === current[bp.field]) return {};
  const available = availableTransitions(m, current, ctx);
  const t = available.find((x) => x.to === mark[bp.field]);
  return t ? { transition: t.name } : {};
}

/** Converted once: it links to what it became, or it holds every value the mark sets. */
function isConverted(doc: ConversionDoc, row: Row): boolean {
  const links = Object.keys(doc.mark.links ?? {});
  if (links.some((f) => row[f] !== null && row[f] !== undefined)) return true;
  const values = Object.entries(doc.mark.values ?? {});
  return (
    values.length > 0 && values.every(([f, v]) => JSON.stringify(row[f]) === JSON.stringify(v))
  );
}

/**
 * The values the document gives a target: source fields that hold a value, then fixed values.
 * A field the caller's profile does not let them write on the target is left to its default
 * (the mapping is the admin's, not the caller's); what the caller sends still goes through the
 * write path's checks, and is refused there.
 */
function mapped(
  engine: Engine,
  ctx: RequestContext,
  t: ConversionTarget,
  tm: CompiledModule,
  source: Row,
): Values {
  const mask = engine.access.fields(ctx.actor, tm);
  const open = (f: string) => !mask || !(mask.readOnly.has(f) || mask.hidden.has(f));
  const values: Values = {};
  for (const [to, from] of Object.entries(t.fields ?? {})) {
    const v = source[from];
    if (v !== null && v !== undefined && v !== '' && open(to)) values[to] = v;
  }
  for (const [to, v] of Object.entries(t.values ?? {})) if (open(to)) values[to] = v;
  return values;
}

/** Lookups to the targets already created or matched (a skipped target links nothing). */
function links(t: ConversionTarget, ids: ReadonlyMap<string, string>): Values {
  const values: Values = {};
  for (const [field, target] of Object.entries(t.links ?? {})) {
    const id = ids.get(target);
    if (id) values[field] = id;
  }
  return values;
}

const TEXT_TYPES = new Set(['text', 'textarea', 'email', 'phone', 'url']);

/**
 * The oldest live record of the target the caller may read whose `field` equals the value the
 * new record would get (ignoring case for text), or null. Refuses nothing: no value, no match.
 */
async function findMatch(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  tm: CompiledModule,
  field: string,
  values: Values,
): Promise<Row | null> {
  const value = values[field];
  const def = tm.fields.get(field);
  if (value === null || value === undefined || value === '' || !def) return null;
  const column = sql.raw(`r.${q(field)}`);
  const text = TEXT_TYPES.has(def.type) && typeof value === 'string';
  if (!text && typeof value === 'object') return null;
  const equal = text ? sql`lower(${column}) = lower(${value})` : sql`${column} = ${value}`;
  const scope = engine.access.scope(ctx.actor, tm, 'read');
  const r = await sql<Row>`select ${sql.raw(tm.selectList)} from ${sql.raw(tm.table)} r
    where ${equal} and r.deleted_at is null${scope ? sql` and ${scope}` : sql``}
    order by r.created_at, r.id limit 1`.execute(trx);
  const row = r.rows[0];
  return row ? maskRow(engine.access, ctx.actor, tm, row) : null;
}

/**
 * Runs one step of the conversion with its refusals placed under the module's name
 * (`amount` → `deals.amount`), constraint violations included.
 */
async function within<T>(prefix: string, m: CompiledModule, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const refusal = pgRefusal(e, m);
    if (refusal instanceof AtriumError)
      refusal.details.splice(
        0,
        refusal.details.length,
        ...refusal.details.map((d) => ({ ...d, path: `${prefix}.${d.path}` })),
      );
    throw refusal;
  }
}
