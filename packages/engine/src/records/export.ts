import { type FieldDef, type Locale, labelText, valueSpec } from '@atrium/metadata';
import { sql } from 'kysely';
import { readView } from '../access-view.js';
import { type Engine, moduleOf, type RequestContext } from '../engine.js';
import { AtriumError } from '../errors.js';
import { csvFile, datedFilename, type SheetFile, xlsxFile } from '../sheet-file.js';
import { recordAudit } from '../system/audit.js';
import type { CompiledModule } from './compiled-module.js';
import { ioMsg } from './io-messages.js';
import type { ListQuery } from './list-query.js';
import { listRecords, viewOf } from './read.js';
import type { Row } from './row-writes.js';

/** Most records one export writes: past it the request is refused, before any file is made. */
export const EXPORT_LIMIT = 100_000;
/** Records read per page of the export (the list's own keyset paging, through listRecords). */
export const EXPORT_PAGE = 1000;

/** The list parameters an export takes: the list's, without paging. */
export type ExportQuery = Pick<ListQuery, 'filter' | 'sort' | 'q' | 'fields' | 'view'> & {
  format?: 'csv' | 'xlsx';
};

/** Columns every export starts and ends with when no fields or view choose them. */
const LEADING = ['id'];
const TRAILING = ['owner_id', 'created_at', 'updated_at'];

/**
 * `GET /api/records/:module/export`: every record the list with the same parameters would page
 * through, read through listRecords page by page (so access scope and field masks hold exactly
 * as for the list), written as CSV or XLSX with headings in the caller's language and values as
 * a person reads them (option labels, lookup targets' names, users' names and e-mails, dates as
 * YYYY-MM-DD, date-times in ISO 8601 UTC). Needs the profile's `export` right. The file is
 * built in memory: more than EXPORT_LIMIT matching records are refused (400) rather than
 * streamed, so a refusal is always a clean error in the one shape, never a truncated file.
 */
export async function exportRecords(
  engine: Engine,
  ctx: RequestContext,
  module: string,
  query: ExportQuery,
  address?: string,
): Promise<SheetFile> {
  const snapshot = engine.metadata.current;
  const base = moduleOf(snapshot, module);
  engine.access.authorize(ctx.actor, base, 'read');
  engine.access.authorize(ctx.actor, base, 'export');
  const m = readView(engine.access, ctx.actor, base, snapshot.modules);
  const columns = exportColumns(m, query, snapshot.documents);
  const lookups = columns.filter((c) => m.lookups.has(c));
  const fields = columns.map((c) => m.fields.get(c) as FieldDef);
  const head = fields.map((f) => labelText(f.label, ctx.locale, f.name));
  // Each page becomes lines at once: the records themselves are not all held.
  const lines: unknown[][] = [];
  const users = new Map<string, string>();
  let cursor: string | undefined;
  do {
    const page = await listRecords(engine, ctx, module, {
      ...(query.filter !== undefined && { filter: query.filter }),
      ...(query.sort !== undefined && { sort: query.sort }),
      ...(query.q !== undefined && { q: query.q }),
      ...(query.fields !== undefined && { fields: query.fields }),
      ...(query.view !== undefined && { view: query.view }),
      ...(lookups.length > 0 && { expand: lookups.join(',') }),
      ...(cursor !== undefined && { cursor }),
      limit: EXPORT_PAGE,
    });
    if (lines.length + page.data.length > EXPORT_LIMIT)
      throw new AtriumError('INVALID_QUERY', [
        ioMsg.at('filter', 'tooManyToExport', { max: EXPORT_LIMIT }),
      ]);
    await userNames(engine, fields, page.data, users);
    for (const row of page.data)
      lines.push(fields.map((f) => cellOf(f, row[f.name], m, ctx.locale, users)));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);

  const format = query.format ?? 'csv';
  const label = labelText(m.doc.pluralLabel ?? m.doc.label, ctx.locale, m.doc.name);
  await recordAudit(engine.db, {
    actorId: ctx.actor.id,
    action: 'record.export',
    target: m.doc.name,
    address: address ?? null,
    details: {
      format,
      records: lines.length,
      ...(query.filter !== undefined && { filter: query.filter }),
      ...(query.q !== undefined && { q: query.q }),
      ...(query.view !== undefined && { view: query.view }),
      columns,
    },
  });
  if (format === 'csv') return csvFile({ head, lines }, datedFilename(m.doc.name, 'csv'));
  const numFmts = new Map<number, string>();
  fields.forEach((f, i) => {
    const hint = valueSpec(f).format(f);
    if (hint.kind === 'number')
      numFmts.set(i, hint.style === 'percent' ? '0.00' : hint.scale === 0 ? '0' : '#,##0.00');
  });
  return xlsxFile({ head, lines }, datedFilename(m.doc.name, 'xlsx'), { sheet: label, numFmts });
}

/**
 * The exported columns: those asked for, else the view's, else every field the caller may read
 * between the id and the owner and times; with money, the record's currency comes along.
 */
function exportColumns(
  m: CompiledModule,
  query: ExportQuery,
  documents: readonly { kind: string }[],
): string[] {
  const asked = (query.fields ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const view = query.view === undefined ? undefined : viewOf(documents, m, query.view);
  const chosen = asked.length > 0 ? asked : (view?.columns ?? []);
  const money = (list: string[]) =>
    list.some((n) => m.fields.get(n)?.type === 'currency') && m.columns.includes('currency_code')
      ? ['currency_code']
      : [];
  const fields = chosen.length > 0 ? chosen : m.doc.fields.map((f) => f.name);
  const names = [...LEADING, ...fields, ...money(fields), ...(chosen.length > 0 ? [] : TRAILING)];
  // Each once, and only columns the caller may read (listRecords refuses the others by name).
  return [...new Set(names)].filter((n) => m.columns.includes(n) && m.fields.has(n));
}

/** Adds to `known` the `Name <email>` of the users a page names and `known` lacks, in one query. */
async function userNames(
  engine: Engine,
  fields: FieldDef[],
  rows: Row[],
  known: Map<string, string>,
): Promise<void> {
  const userFields = fields.filter((f) => f.type === 'user').map((f) => f.name);
  const ids = new Set<string>();
  for (const row of rows)
    for (const c of userFields) {
      const id = row[c];
      if (typeof id === 'string' && !known.has(id)) ids.add(id);
    }
  if (ids.size === 0) return;
  const found = await sql<{ id: string; name: string; email: string }>`
    select id, name, email from atrium.users where id = any(${[...ids]}::uuid[])`.execute(
    engine.db,
  );
  for (const u of found.rows)
    known.set(u.id, u.name.trim() === '' ? u.email : `${u.name} <${u.email}>`);
}

/** A stored value as a person reads it in a sheet cell. */
function cellOf(
  f: FieldDef,
  value: unknown,
  m: CompiledModule,
  locale: Locale,
  users: ReadonlyMap<string, string>,
): unknown {
  if (value === null || value === undefined) return null;
  const option = (v: unknown) => {
    const o = f.options?.find((x) => x.value === v);
    return o ? labelText(o.label, locale, o.value) : String(v);
  };
  const type = f.type === 'formula' ? (f.returns ?? 'text') : f.type;
  switch (type) {
    case 'picklist':
      return option(value);
    case 'multipicklist':
      return (value as unknown[]).map(option).join('; ');
    case 'tags':
      return (value as unknown[]).join('; ');
    case 'boolean':
      return ioMsg.text(locale, value === true ? 'yes' : 'no');
    case 'user':
      return users.get(value as string) ?? value;
    case 'lookup': {
      // `id` is a lookup to its own module: written as is. A lookup reads its expanded target.
      if (typeof value !== 'object') return value;
      const target = value as Row;
      const name = m.lookups.get(f.name)?.target.recordName;
      return (name && target[name]) || target.id;
    }
    default:
      return value;
  }
}
