import { type FieldRef, type FilterNode, valueSpec } from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { likePattern } from '../like-pattern.js';
import { q, qt } from '../sql-names.js';

/**
 * The SQL back half of the filter compiler: a FilterNode (already checked against metadata)
 * becomes a WHERE expression over the record alias `r`. Every value is a bound parameter.
 */
export function filterSql(node: FilterNode, schema: string): RawBuilder<unknown> {
  const col = (ref: FieldRef) => columnSql(ref, schema);
  switch (node.op) {
    case 'and':
    case 'or':
      return sql`(${sql.join(
        node.args.map((a) => filterSql(a, schema)),
        sql.raw(` ${node.op} `),
      )})`;
    case 'not':
      // IS NOT TRUE keeps NOT of an unknown (null) true, as !(…) is in memory.
      return sql`((${filterSql(node.arg, schema)}) is not true)`;
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

/** A field of the record, or of the record a lookup points to (one level, a scalar subquery). */
export function columnSql(ref: FieldRef, schema: string): RawBuilder<unknown> {
  const [head, tail] = ref.path;
  if (tail === undefined || !ref.via) return sql.raw(`r.${q(head)}`);
  return sql.raw(
    `(select t.${q(tail)} from ${qt(schema, ref.via.target.name)} t where t.id = r.${q(head)})`,
  );
}
