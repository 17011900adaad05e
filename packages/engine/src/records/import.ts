import {
  type FieldDef,
  LOCALES,
  labelText,
  type Problem,
  unstorableTextMessage,
  valueMsg,
} from '@atrium/metadata';
import { sql } from 'kysely';
import { readView } from '../access-view.js';
import type { Db } from '../db.js';
import type { Engine, RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { q } from '../sql-names.js';
import { recordAudit } from '../system/audit.js';
import { bulkWithin } from './bulk.js';
import type { CompiledModule, Snapshot } from './compiled-module.js';
import { parseCsv } from './csv-text.js';
import { cellValue } from './import-values.js';
import { ioMsg } from './io-messages.js';
import type { Row } from './row-writes.js';
import { inWriteTransaction, UUID } from './write.js';

/** Most rows one import request may carry. */
export const IMPORT_LIMIT = 5000;

/**
 * A `text/csv` request body, told apart from any JSON body. The text is private so the input
 * guard does not walk it as an object (`text` is no path of the request); readSheet checks it.
 */
export class CsvText {
  readonly #text: string;
  constructor(text: string) {
    this.#text = text;
  }
  get text(): string {
    return this.#text;
  }
}

/** What an import was sent: a CSV text, or `{ rows, mapping? }` as JSON. */
export type ImportBody = { csv: string } | { json: unknown };

export interface ImportOptions {
  /** `?mapping=`: a JSON object of heading → field name, or null to skip the column. */
  mapping?: string;
  dryRun?: boolean;
  /** The client's address, for the audit log. */
  address?: string;
}

export interface ImportResult {
  created: number;
  ids: string[];
  /** Headings of columns that name fields no one writes (id, created at, formulas): not read. */
  ignored: string[];
  /** A dry run: nothing was written; `records` are what would have been created. */
  dryRun?: true;
  records?: Row[];
}

/** Columns of an exported file that no one writes: read past on import, named in the answer. */
const NOT_WRITTEN = new Set([
  'id',
  'created_at',
  'updated_at',
  'created_by',
  'updated_by',
  'version',
  'deleted_at',
]);

class DryRun {
  constructor(readonly result: ImportResult) {}
}

/**
 * `POST /api/records/:module/import`: rows of a sheet created as records through the write path
 * of bulk creates (bulkWithin) in ONE transaction — all or nothing. Each heading names a field
 * (its name, or its label in English or Chinese, case aside; `mapping` overrides), each cell's
 * text is read as the field's type (import-values.ts), lookups by id or by the target's record
 * name when one readable record has it, users by e-mail. Every refusal is at `rows[i].field`.
 * A dry run checks and writes everything, then rolls it back. Needs `import` and `create`.
 */
export async function importRecords(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  body: ImportBody,
  options: ImportOptions = {},
): Promise<ImportResult> {
  try {
    return await inWriteTransaction(engine, module, async (trx, base, snapshot) => {
      engine.access.authorize(ctx.actor, base, 'import');
      engine.access.authorize(ctx.actor, base, 'create');
      const sheet = readSheet(body, options.mapping);
      // Headings match what the caller may read: a hidden field is no field here.
      const m = readView(engine.access, ctx.actor, base, snapshot.modules);
      const { columns, ignored, problems } = matchHeadings(m, sheet.headings, sheet.mapping);
      const refs = await references(trx, engine, ctx, snapshot, columns, sheet.rows);
      const bodies = sheet.rows.map((row, i) => {
        const values: Record<string, unknown> = {};
        for (const [heading, f] of columns) {
          const raw = row[heading];
          if (raw === undefined || raw === null) continue;
          if (typeof raw !== 'string') {
            values[f.name] = raw;
            continue;
          }
          const text = raw.trim();
          if (text === '') continue;
          const read = refs.read(f, text) ?? cellValue(f, text);
          if ('problem' in read) problems.push({ path: `rows[${i}].${f.name}`, ...read.problem });
          else values[f.name] = read.value;
        }
        return values;
      });
      const done = await bulkWithin(
        trx,
        engine,
        ctx,
        snapshot,
        base,
        { create: bodies, update: [], delete: [] },
        { create: 'rows', known: problems },
      );
      const ids = done.created.map((r) => r.id as string);
      if (options.dryRun)
        throw new DryRun({ created: 0, ids: [], ignored, dryRun: true, records: done.created });
      await recordAudit(trx, {
        actorId: ctx.actor.id,
        action: 'record.import',
        target: m.doc.name,
        address: options.address ?? null,
        details: { created: ids.length, columns: [...columns.values()].map((f) => f.name) },
      });
      return { created: ids.length, ids, ignored };
    });
  } catch (e) {
    if (e instanceof DryRun) return e.result;
    throw e;
  }
}

interface Sheet {
  headings: string[];
  rows: Record<string, unknown>[];
  mapping: Record<string, string | null>;
}

/** The headings and rows of a CSV text or a JSON body, within IMPORT_LIMIT rows. */
function readSheet(body: ImportBody, mappingParam: string | undefined): Sheet {
  const bad = (problem: Problem): never => {
    throw new AtriumError('VALIDATION_FAILED', [problem]);
  };
  let mapping: unknown;
  if (mappingParam !== undefined) {
    try {
      mapping = JSON.parse(mappingParam);
    } catch {
      bad(ioMsg.at('mapping', 'mappingObject'));
    }
  }
  let headings: string[];
  let rows: Record<string, unknown>[];
  if ('csv' in body) {
    const unstorable = unstorableTextMessage(body.csv);
    if (unstorable) bad({ path: '(body)', ...unstorable });
    const parsed = parseCsv(body.csv);
    if ('unclosedAt' in parsed)
      return bad(ioMsg.at('(body)', 'csvQuote', { line: parsed.unclosedAt }));
    const [head = [], ...lines] = parsed.lines;
    headings = head.map((h) => h.trim());
    headings.forEach((h, j) => {
      if (h === '') bad(ioMsg.at(`headings[${j}]`, 'emptyHeading', { column: j + 1 }));
    });
    // A text an export guarded against formulas (`'=…`) comes back as it was stored.
    const unguard = (cell: string) => (/^'[=+\-@]/.test(cell) ? cell.slice(1) : cell);
    // More cells than headings: a misplaced quote or comma shifted the line; refused, not cut.
    const long = lines.findIndex((l) => l.length > headings.length);
    if (long >= 0)
      bad(
        ioMsg.at(`rows[${long}]`, 'tooManyCells', {
          count: lines[long]?.length ?? 0,
          max: headings.length,
        }),
      );
    rows = lines.map((l) => Object.fromEntries(headings.map((h, j) => [h, unguard(l[j] ?? '')])));
  } else {
    const b = body.json as { rows?: unknown; mapping?: unknown } | null;
    if (b === null || typeof b !== 'object' || Array.isArray(b) || !Array.isArray(b.rows))
      return bad(ioMsg.at('rows', 'rowsList'));
    for (const key of Object.keys(b))
      if (key !== 'rows' && key !== 'mapping') bad(valueMsg.at(key, 'unknownField'));
    if (b.mapping !== undefined) mapping = b.mapping;
    const list = b.rows as unknown[];
    list.forEach((r, i) => {
      if (r === null || typeof r !== 'object' || Array.isArray(r))
        bad(ioMsg.at(`rows[${i}]`, 'rowsList'));
    });
    rows = list as Record<string, unknown>[];
    headings = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  }
  if (rows.length === 0) bad(ioMsg.at('rows', 'noRows'));
  if (rows.length > IMPORT_LIMIT)
    throw new AtriumError('PAYLOAD_TOO_LARGE', [
      ioMsg.at('rows', 'tooManyRows', { count: rows.length, max: IMPORT_LIMIT }),
    ]);
  if (
    mapping !== undefined &&
    (mapping === null ||
      typeof mapping !== 'object' ||
      Array.isArray(mapping) ||
      Object.values(mapping).some((v) => v !== null && typeof v !== 'string'))
  )
    bad(ioMsg.at('mapping', 'mappingObject'));
  return { headings, rows, mapping: (mapping ?? {}) as Record<string, string | null> };
}

/**
 * Which field each heading fills: the mapping's, else the field whose name or label (English or
 * Chinese) it is, case aside. Headings of fields no one writes are ignored; others are refused.
 */
function matchHeadings(
  m: CompiledModule,
  headings: string[],
  mapping: Record<string, string | null>,
): { columns: Map<string, FieldDef>; ignored: string[]; problems: Problem[] } {
  const key = (s: string) => s.trim().toLowerCase();
  const byText = new Map<string, FieldDef>();
  // The caller's columns: a field their profile hides is no field here (readView).
  const fields = [...m.fields.values()].filter((f) => m.columns.includes(f.name));
  for (const f of fields) {
    for (const text of [f.name, ...LOCALES.map((l) => labelText(f.label, l, f.name))])
      if (!byText.has(key(text))) byText.set(key(text), f);
  }
  const writable = (f: FieldDef) =>
    !NOT_WRITTEN.has(f.name) &&
    (m.writable.includes(f.name) || f.name === 'owner_id' || f.name === 'currency_code');
  const columns = new Map<string, FieldDef>();
  const ignored: string[] = [];
  const problems: Problem[] = [];
  const filled = new Map<string, string>();
  for (const heading of Object.keys(mapping))
    if (!headings.includes(heading))
      problems.push(ioMsg.at(`mapping.${heading}`, 'noSuchHeading', { heading }));
  for (const [j, heading] of headings.entries()) {
    const mapped = Object.hasOwn(mapping, heading) ? mapping[heading] : undefined;
    if (mapped === null) continue;
    const f =
      mapped === undefined ? byText.get(key(heading)) : fields.find((x) => x.name === mapped);
    if (!f || (mapped !== undefined && !writable(f))) {
      problems.push(
        mapped === undefined
          ? ioMsg.at(`headings[${j}]`, 'unknownHeading', { heading, module: m.doc.name })
          : ioMsg.at(`mapping.${heading}`, 'notAField', { name: mapped, module: m.doc.name }),
      );
      continue;
    }
    if (!writable(f)) {
      ignored.push(heading);
      continue;
    }
    const other = filled.get(f.name);
    if (other !== undefined) {
      problems.push(ioMsg.at(`headings[${j}]`, 'sameField', { heading, other, field: f.name }));
      continue;
    }
    filled.set(f.name, heading);
    columns.set(heading, f);
  }
  return { columns, ignored, problems };
}

type Read = { value: unknown } | { problem: ReturnType<typeof ioMsg> };

/**
 * Lookups and users named in the sheet, found in as many queries as there are such columns: a
 * lookup's text is an id, or the record name of one record of the target the caller may read;
 * a user's is an id, an e-mail, or `Name <email>` (as exports write users).
 */
async function references(
  trx: Db,
  engine: Engine,
  ctx: RequestContext,
  snapshot: Snapshot,
  columns: Map<string, FieldDef>,
  rows: Record<string, unknown>[],
): Promise<{ read(f: FieldDef, text: string): Read | undefined }> {
  const texts = (heading: string) =>
    new Set(
      rows
        .map((r) => r[heading])
        .filter((v): v is string => typeof v === 'string')
        .map((v) => v.trim())
        .filter((v) => v !== '' && !UUID.test(v)),
    );
  const names = new Map<string, Map<string, { id: string; n: number }>>();
  const emails = new Map<string, string>();
  const userTexts = new Set<string>();
  for (const [heading, f] of columns) {
    if (f.type === 'user') for (const t of texts(heading)) userTexts.add(emailOf(t));
    if (f.type !== 'lookup') continue;
    const tm = snapshot.modules.get(f.target ?? '');
    const recordName = tm?.doc.recordName;
    const wanted = texts(heading);
    if (!tm || !recordName || wanted.size === 0) continue;
    if (engine.access.fields(ctx.actor, tm)?.hidden.has(recordName)) continue;
    const scope = engine.access.scope(ctx.actor, tm, 'read');
    const found = await sql<{ key: string; id: string; n: number }>`
      select lower(r.${sql.raw(q(recordName))}::text) as key, min(r.id::text) as id, count(*)::int as n
      from ${sql.raw(tm.table)} r
      where r.deleted_at is null and lower(r.${sql.raw(q(recordName))}::text) = any(${[...wanted].map((w) => w.toLowerCase())}::text[])
      ${scope ? sql`and ${scope}` : sql``}
      group by 1`.execute(trx);
    names.set(f.name, new Map(found.rows.map((r) => [r.key, { id: r.id, n: r.n }])));
  }
  if (userTexts.size > 0) {
    const found = await sql<{ id: string; email: string }>`
      select id, lower(email) as email from atrium.users
      where lower(email) = any(${[...userTexts]}::text[])`.execute(trx);
    for (const u of found.rows) emails.set(u.email, u.id);
  }
  return {
    read(f, text) {
      if (f.type !== 'lookup' && f.type !== 'user') return undefined;
      if (UUID.test(text)) return { value: text.toLowerCase() };
      if (f.type === 'user') {
        const id = emails.get(emailOf(text));
        return id ? { value: id } : { problem: ioMsg('noUserWithEmail', { value: text }) };
      }
      const tm = snapshot.modules.get(f.target ?? '');
      const module = tm ? labelText(tm.doc.label, ctx.locale, tm.doc.name) : (f.target ?? '');
      const byName = names.get(f.name);
      if (!byName) return { problem: ioMsg('idOnly', { module }) };
      const hit = byName.get(text.toLowerCase());
      if (!hit) return { problem: ioMsg('noRecordNamed', { module, value: text }) };
      if (hit.n > 1)
        return { problem: ioMsg('nameNotUnique', { module, value: text, count: hit.n }) };
      return { value: hit.id };
    },
  };
}

/** `Ann Lee <ann@example.com>` → `ann@example.com`; an e-mail as is, lower case. */
function emailOf(text: string): string {
  const angle = /<([^<>]+)>\s*$/.exec(text);
  return (angle?.[1] ?? text).trim().toLowerCase();
}
