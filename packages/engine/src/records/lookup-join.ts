import {
  type ColumnSpec,
  type FieldDef,
  type FieldRef,
  fieldColumns,
  type ModuleDoc,
  SYSTEM_COLUMN_SPECS,
} from '@atrium/metadata';
import { type RawBuilder, sql } from 'kysely';
import { q, qt } from '../sql-names.js';

/**
 * What a lookup field means when a read follows it: the target record, if it exists and is not
 * in the recycle bin. Filter (`account.industry`), sort (`account.name`) and `expand=account`
 * all read the target through this one join, so a binned target is no target everywhere.
 */
export interface LookupJoin {
  field: FieldDef;
  target: ModuleDoc;
  /** The target's alias in the query: `j0`, `j1`, … in the order of the module's fields. */
  alias: string;
  /** `"ws"."accounts"` */
  table: string;
  /** `left join "ws"."accounts" j0 on j0.id = r."account" and j0.deleted_at is null` */
  join: string;
  /** The target record as JSON, read exactly like the record itself; null when there is none. */
  json: string;
}

/** The lookup joins of a module, computed once per metadata revision. */
export function lookupJoins(
  schema: string,
  doc: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
): Map<string, LookupJoin> {
  const joins = new Map<string, LookupJoin>();
  for (const field of doc.fields) {
    const target = field.type === 'lookup' && field.target ? modules.get(field.target) : undefined;
    if (!target) continue;
    const alias = `j${joins.size}`;
    joins.set(field.name, {
      field,
      target,
      alias,
      table: qt(schema, target.name),
      join: `left join ${qt(schema, target.name)} ${alias} on ${alias}.id = r.${q(field.name)} and ${alias}.deleted_at is null`,
      json: `case when ${alias}.id is null then null else ${targetJson(alias, target)} end`,
    });
  }
  return joins;
}

function targetJson(alias: string, target: ModuleDoc): string {
  // Instants read as they do on the record itself (UTC, milliseconds, "Z"), not in jsonb's "+00:00".
  const value = (c: ColumnSpec) =>
    c.type.startsWith('timestamptz')
      ? `to_char(${alias}.${q(c.name)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
      : `${alias}.${q(c.name)}`;
  const cols = [...SYSTEM_COLUMN_SPECS, ...fieldColumns(target)].map(
    (c) => `'${c.name}', ${value(c)}`,
  );
  // jsonb_build_object takes at most 100 arguments; chunks are concatenated.
  const chunks: string[] = [];
  for (let i = 0; i < cols.length; i += 50)
    chunks.push(`jsonb_build_object(${cols.slice(i, i + 50).join(', ')})`);
  return chunks.join(' || ');
}

/** Where a module's field history is: `"ws"."_history"`, rows of `module`. */
export interface HistoryTable {
  table: string;
  module: string;
}

/**
 * The joins one query uses: a column through a lookup registers its join, and `from()` gives
 * the joins to put after `from <table> r`. Columns of the record itself read as `r."name"`.
 * It also says where the record's field history is, for a filter that reads it (`entered`).
 */
export class QueryJoins {
  readonly #lookups: ReadonlyMap<string, LookupJoin>;
  readonly #used = new Map<string, LookupJoin>();
  readonly #scope: ((target: string) => RawBuilder<unknown> | undefined) | undefined;
  readonly history: HistoryTable | undefined;

  /**
   * `scope` gives, per target module, the records the caller may read (SQL over `r`): a target
   * outside it is no target, exactly like one in the recycle bin, for filters, sorts and `expand`.
   */
  constructor(
    lookups: ReadonlyMap<string, LookupJoin>,
    scope?: (target: string) => RawBuilder<unknown> | undefined,
    history?: HistoryTable,
  ) {
    this.#lookups = lookups;
    this.#scope = scope;
    this.history = history;
  }

  /** SQL of a field of the record, or of its lookup's target (one level). */
  column(ref: FieldRef): string {
    const [head, tail] = ref.path;
    if (tail === undefined || !ref.via) return `r.${q(head)}`;
    return `${this.use(head).alias}.${q(tail)}`;
  }

  /** The join of lookup `name`, registered for this query. */
  use(name: string): LookupJoin {
    const join = this.#lookups.get(name);
    if (!join) throw new Error(`no lookup join for ${JSON.stringify(name)}`);
    this.#used.set(name, join);
    return join;
  }

  from(): RawBuilder<unknown> {
    if (this.#used.size === 0) return sql``;
    const joins = [...this.#used.values()].map((j) => {
      const scope = this.#scope?.(j.target.name);
      if (!scope) return sql.raw(j.join);
      return sql`${sql.raw(j.join)} and exists (select 1 from ${sql.raw(j.table)} r where r.id = ${sql.raw(j.alias)}.id and ${scope})`;
    });
    return sql` ${sql.join(joins, sql` `)}`;
  }
}

/**
 * The same reading of a lookup's field as a scalar subquery, for callers that put a filter
 * where no join can go (outside the list query): `(select t."industry" from … t where …)`.
 */
export function lookupSubquery(ref: FieldRef, schema: string): string {
  const [head, tail] = ref.path;
  if (tail === undefined || !ref.via) return `r.${q(head)}`;
  return `(select t.${q(tail)} from ${qt(schema, ref.via.target.name)} t where t.id = r.${q(head)} and t.deleted_at is null)`;
}
