import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db.js';
import { afterSql, orderSql, type SortKey, startSql } from './cursor.js';
import type { Row } from './write.js';

export interface PageQuery {
  /** The select list; it must include each key's value as `"__k<i>"`. */
  select: RawBuilder<unknown>;
  /** `<table> r` and its lookup joins. */
  from: RawBuilder<unknown>;
  where: RawBuilder<unknown>[];
  keys: SortKey[];
  /** The cursor's values: the page starts after them. */
  after: unknown[] | undefined;
  /** Rows to read (the page size plus one, to know whether a next page exists). */
  limit: number;
}

/**
 * Reads one page in the order of `keys`, with empty values last in both directions.
 *
 * A btree index on a column serves `asc nulls last` and, scanned backward, `desc nulls first`,
 * never `desc nulls last`. So when the first key can be empty, the page is read in two parts:
 * the rows where it has a value (the nulls filtered out, so the index's own order serves),
 * then — only when those did not fill the page — the rows where it is empty. The common page
 * is one indexed query; the second runs only at the tail of the list. Sorted by a lookup's
 * field, the first part joins only records whose target exists, so Postgres can walk the
 * target's index in sort order and fetch the records of each target through the lookup's index.
 */
export async function readPage(db: Db, p: PageQuery): Promise<Row[]> {
  const rows: Row[] = [];
  for (const part of parts(p)) {
    if (rows.length >= p.limit) break;
    const { rows: found } = await sql<Row>`select ${p.select} from ${p.from}
      where ${sql.join(part.where, sql` and `)}${part.order} limit ${p.limit - rows.length}`.execute(
      db,
    );
    rows.push(...found);
  }
  return rows;
}

interface Part {
  where: RawBuilder<unknown>[];
  order: RawBuilder<unknown>;
}

function parts(p: PageQuery): Part[] {
  const [first, ...rest] = p.keys;
  const after = p.after;
  if (!first?.nullable) return [part(p.where, p.keys, after)];
  const out: Part[] = [];
  if (after === undefined || after[0] !== null) {
    // Nulls are filtered out, so the first key may keep the index's own null placement.
    const valued = { ...first, nullable: false };
    const present = [sql`${first.expr} is not null`, ...(first.joined ? [first.joined] : [])];
    out.push(part([...p.where, ...present], [valued, ...rest], after));
  }
  // The rows where the first key is empty, after the cursor's when it stands among them.
  const restAfter = after !== undefined && after[0] === null ? after.slice(1) : undefined;
  out.push(part([...p.where, sql`${first.expr} is null`], rest, restAfter));
  return out;
}

function part(where: RawBuilder<unknown>[], keys: SortKey[], after: unknown[] | undefined): Part {
  const conditions = [...where];
  if (after !== undefined) {
    // A range on the first key lets an index start its scan at the cursor; the OR form then
    // picks the exact rows.
    const start = keys[0] ? startSql(keys[0], after[0]) : undefined;
    if (start) conditions.push(start);
    conditions.push(afterSql(keys, after));
  }
  return { where: conditions, order: keys.length > 0 ? sql` order by ${orderSql(keys)}` : sql`` };
}
