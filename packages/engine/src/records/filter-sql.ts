import { type FieldRef, type FilterNode, valueSpec } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { likePattern } from '../like-pattern.js';
import { lookupSubquery, type QueryJoins } from './lookup-join.js';

/**
 * The SQL back half of the filter compiler: a FilterNode (already checked against metadata)
 * becomes a WHERE expression over the record alias `r`. Every value is a bound parameter.
 * A lookup's field (`account.industry`) reads through the query's lookup join (`joins`), or
 * through the same join as a subquery when only the workspace schema is given.
 */
export function filterSql(node: FilterNode, joins: QueryJoins | string): RawBuilder<unknown> {
  const col = (ref: FieldRef) => columnSql(ref, joins);
  switch (node.op) {
    case 'and':
    case 'or':
      return sql`(${sql.join(
        node.args.map((a) => filterSql(a, joins)),
        sql.raw(` ${node.op} `),
      )})`;
    case 'not':
      // IS NOT TRUE keeps NOT of an unknown (null) true, as !(…) is in memory.
      return sql`((${filterSql(node.arg, joins)}) is not true)`;
    case 'const':
      return sql.raw(node.value ? 'true' : 'false');
    case 'cmp':
      if (node.value === null)
        return sql`(${col(node.field)} is ${sql.raw(node.cmp === '=' ? '' : 'not ')}null)`;
      if (node.cmp === '<>') return sql`(${col(node.field)} is distinct from ${node.value})`;
      return sql`(${col(node.field)} ${sql.raw(node.cmp)} ${node.value})`;
    case 'in':
      return sql`(${col(node.field)} = any(${node.values}))`;
    case 'range':
      return sql`(${col(node.field)} >= ${node.from} and ${col(node.field)} ${sql.raw(node.toExclusive ? '<' : '<=')} ${node.to})`;
    case 'match':
      return sql`(${col(node.field)} ilike ${likePattern(node.text, node.mode)})`;
    case 'empty': {
      const kind = valueSpec(node.field.field).valueKind;
      const c = col(node.field);
      if (kind === 'array') return sql`(${c} is null or cardinality(${c}) = 0)`;
      // Only text columns can hold ''; lookups and users are uuids.
      const text =
        kind === 'string' && node.field.field.type !== 'lookup' && node.field.field.type !== 'user';
      if (text) return sql`(${c} is null or ${c} = '')`;
      return sql`(${c} is null)`;
    }
    case 'has':
      return sql`(${col(node.field)} @> ${node.values}::text[])`;
    case 'entered':
      return enteredSql(node, joins);
  }
}

/**
 * `entered` as EXISTS over the record's history entries (by `(module, record_id)`, the history's
 * index): an entry setting the field to the value in [from, to) and, with `next`, a later entry
 * setting it to `next` — the funnel's "entered" and "advanced" (reports/funnel.ts).
 */
function enteredSql(
  node: Extract<FilterNode, { op: 'entered' }>,
  joins: QueryJoins | string,
): RawBuilder<unknown> {
  const history = typeof joins === 'string' ? undefined : joins.history;
  // Only a list query of the module compiles `entered` (compileFilter's `history`), and it
  // passes the history with its joins.
  if (!history) throw new Error('"entered" needs the history of the list query\'s module');
  const table = sql.raw(history.table);
  const name = node.field.path[0];
  const entry = (alias: string, value: string) => {
    const h = sql.raw(alias);
    return sql`${h}.module = ${history.module} and ${h}.record_id = r.id
      and ${h}.changes -> ${name} ->> 'to' = ${value}`;
  };
  const conds = [entry('he', node.value)];
  if (node.from !== null) conds.push(sql`he.at >= ${node.from}::timestamptz`);
  if (node.to !== null) conds.push(sql`he.at < ${node.to}::timestamptz`);
  if (node.next !== undefined)
    conds.push(
      sql`exists (select 1 from ${table} hn where ${entry('hn', node.next)} and hn.at > he.at)`,
    );
  return sql`exists (select 1 from ${table} he where ${sql.join(conds, sql` and `)})`;
}

/** A field of the record, or of the live record a lookup points to (one level). */
export function columnSql(ref: FieldRef, joins: QueryJoins | string): RawBuilder<unknown> {
  return sql.raw(typeof joins === 'string' ? lookupSubquery(ref, joins) : joins.column(ref));
}
