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
  }
}

/** A field of the record, or of the live record a lookup points to (one level). */
export function columnSql(ref: FieldRef, joins: QueryJoins | string): RawBuilder<unknown> {
  return sql.raw(typeof joins === 'string' ? lookupSubquery(ref, joins) : joins.column(ref));
}
