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
  /** The caller's access scope, ANDed into every part. */
  scope?: RawBuilder<unknown>;
  /**
   * The scope as disjoint branches that indexes serve in the order of a part's first key
   * (AccessPolicy.scopeBranches), or undefined: that part reads through `scope`.
   */
  branches?: (first: SortKey) => RawBuilder<unknown>[] | undefined;
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
    const limit = p.limit - rows.length;
    const first = part.keys[0];
    const branches = first && p.branches?.(first);
    const select = (where: RawBuilder<unknown>[]) =>
      sql`select ${p.select} from ${p.from} where ${sql.join(where, sql` and `)}${part.order} limit ${limit}`;
    const query = branches
      ? // Each branch reads its first rows in order from its own index; the few are merged.
        sql<Row>`select * from (${sql.join(
          branches.map((b) => sql`(${select([...part.where, b])})`),
          sql` union all `,
        )}) s order by ${outerOrder(p.keys, part.keys)} limit ${limit}`
      : select(p.scope ? [...part.where, p.scope] : part.where);
    const { rows: found } = await query.execute(db);
    rows.push(...(found as Row[]));
  }
  return rows;
}

/** A part's order over the sort values the select list names `"__k<i>"` (`keys` end `all`). */
function outerOrder(all: SortKey[], keys: SortKey[]): RawBuilder<unknown> {
  const offset = all.length - keys.length;
  return sql.join(
    keys.map((k, i) => {
      const name = sql.raw(`s."__k${offset + i}" ${k.dir}`);
      return k.nullable ? sql`${name} nulls last` : name;
    }),
  );
}

interface Part {
  where: RawBuilder<unknown>[];
  keys: SortKey[];
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
  return {
    where: conditions,
    keys,
    order: keys.length > 0 ? sql` order by ${orderSql(keys)}` : sql``,
  };
}
