import { createHash } from 'node:crypto';
import {
  hasCurrency,
  type JsonLogic,
  type MetadataDoc,
  type ModuleDoc,
  type ReportDoc,
  usedVars,
  valueSpec,
} from '@atrium/metadata';
import type { ScopeIndex } from '../access-indexes.js';
import { derivedName } from '../sql-names.js';

/** Column types whose values have a bounded size (an index row has a size limit). */
const BOUNDED = /^(bigint|boolean|date|timestamptz\(3\)|uuid|numeric\(\d+,\d+\))$/;
/** System columns a report may read besides the fields (the dashboard's owner filter, dates). */
const SYSTEM = ['owner_id', 'created_at', 'updated_at', 'created_by', 'updated_by'];
/** Postgres allows 32 columns in an index: the key and at most this many included. */
const MOST_INCLUDED = 24;

/**
 * The report indexes the documents call for: per module that reports read, per date field
 * their periods filter on, `(<date>) include (<every column those reports read>) where
 * deleted_at is null` — the module's figures in a few narrow pages. A summary, leaderboard or
 * forecast over a period reads the index range alone (an index-only scan: ~12 % of a 1M-row
 * table's index instead of all of its 870 MB heap), and one over the whole module (the open
 * pipeline) scans the index instead of the table. Without any date field, the key is the owner
 * (a dashboard's owner filter). Funnels read the field history, not the table: they add no
 * column.
 *
 * Only columns of a bounded size are included (numbers, dates, booleans, lookups, users,
 * picklists, the record currency): a report that also reads a text field still finds its rows
 * by the index and reads that field from the table. Like the scope indexes, each is named after
 * its definition, so a report that reads another column makes a new index and drops the old.
 */
export function reportIndexes(documents: readonly MetadataDoc[]): ScopeIndex[] {
  const modules = new Map(
    documents.filter((d): d is ModuleDoc => d.kind === 'module').map((m) => [m.name, m]),
  );
  const reads = new Map<string, { keys: Set<string>; columns: Set<string> }>();
  const read = (module: string) => {
    let r = reads.get(module);
    if (!r) {
      r = { keys: new Set(), columns: new Set(['owner_id']) };
      reads.set(module, r);
    }
    return r;
  };
  for (const d of documents) {
    if (d.kind !== 'report' || d.type === 'funnel' || !modules.has(d.module)) continue;
    const r = read(d.module);
    if (d.dateField !== undefined) r.keys.add(d.dateField);
    for (const c of reportColumns(d)) r.columns.add(c);
    const p = d.payments;
    if (p && modules.has(p.module)) {
      const pr = read(p.module);
      pr.keys.add(p.dateField);
      pr.columns.add(p.amount);
      for (const c of logicColumns(p.filter)) pr.columns.add(c);
    }
  }
  const out: ScopeIndex[] = [];
  for (const [name, r] of reads) {
    const module = modules.get(name) as ModuleDoc;
    const bounded = boundedColumns(module);
    const keys = [...r.keys].filter((k) => bounded.has(k));
    if (keys.length === 0) keys.push('owner_id');
    const wanted = [...r.columns].filter((c) => bounded.has(c));
    if (hasCurrency(module)) wanted.push('currency_code');
    for (const key of keys.sort()) {
      const include = [...new Set(wanted)]
        .filter((c) => c !== key)
        .sort()
        .slice(0, MOST_INCLUDED);
      const hash = createHash('sha1')
        .update(JSON.stringify([key, include]))
        .digest('hex')
        .slice(0, 10);
      out.push({
        name: derivedName(name, `report_${hash}`, 'idx'),
        module: name,
        columns: [key],
        include,
        where: 'deleted_at is null',
        purpose: 'report',
      });
    }
  }
  return out;
}

/** The columns of its own module a report reads (a path through a lookup reads the lookup). */
function reportColumns(d: ReportDoc): string[] {
  const out: string[] = [];
  const field = (path: string | undefined) => {
    if (path !== undefined) out.push(path.split(/[.:]/)[0] as string);
  };
  for (const g of d.groupBy ?? []) field(g);
  for (const m of d.measures ?? []) field(m.split(':')[1]);
  field(d.amount);
  field(d.probability);
  field(d.categories?.field);
  for (const logic of [d.filter, d.won, d.lost]) out.push(...logicColumns(logic));
  return out;
}

function logicColumns(logic: JsonLogic | undefined): string[] {
  if (logic === undefined) return [];
  return usedVars(logic)
    .filter((v) => !v.startsWith('$'))
    .map((v) => v.split('.')[0] as string);
}

/** The module's columns a report index may hold, by name. */
function boundedColumns(module: ModuleDoc): Set<string> {
  const out = new Set(SYSTEM);
  for (const f of module.fields) {
    const type = valueSpec(f).columnType(f);
    if (BOUNDED.test(type) || f.type === 'picklist') out.add(f.name);
  }
  return out;
}
