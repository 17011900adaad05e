import { type ColumnSpec, SYSTEM_COLUMN_DEFS, SYSTEM_COLUMN_SPECS } from '@atrium/metadata';
import { textSortSql } from '../records/sort.js';
import {
  binIndexName,
  derivedName,
  indexName,
  q,
  qt,
  sortIndexName,
  trashIndexName,
  trashName,
  trashSchema,
} from '../sql-names.js';
import type { Step } from './plan.js';

/** The comment every scope index carries (meta/index-sync.ts finds them by it). */
export const SCOPE_INDEX_MARK = 'atrium scope index';
/** The comment every report index carries (reports/report-indexes.ts; found as scope indexes are). */
export const REPORT_INDEX_MARK = 'atrium report index';
/** The comment every recycle-bin index carries (found by it as scope indexes are). */
export const BIN_INDEX_MARK = 'atrium bin index';

const SYSTEM_DDL: Record<string, string> = Object.fromEntries(
  SYSTEM_COLUMN_DEFS.map((c) => [c.name, c.ddl]),
);

/**
 * The SQL of one DDL step. Column types come from the field-type registry and names from
 * validated metadata; q() refuses anything else.
 */
export function stepSql(schema: string, step: Step, revision: number): string[] {
  const table = (m: string) => qt(schema, m);
  switch (step.kind) {
    case 'create_table': {
      const cols = [
        ...SYSTEM_COLUMN_SPECS.map((c) => `${q(c.name)} ${SYSTEM_DDL[c.name]}`),
        ...step.columns.map((c) => `${q(c.name)} ${c.type}`),
      ];
      return [
        `create table ${table(step.module)} (\n  ${cols.join(',\n  ')}\n)`,
        ...SYSTEM_COLUMN_SPECS.filter((c) => c.index).map((c) => indexSql(schema, step.module, c)),
        ...binIndexSql(schema, step.module),
      ];
    }
    case 'add_column':
      // No default and nullable: Postgres only touches the catalog, whatever the table's size.
      return [
        `alter table ${table(step.module)} add column ${q(step.column.name)} ${step.column.type}`,
      ];
    case 'alter_column_type': {
      const c = q(step.column);
      return [
        `alter table ${table(step.module)} alter column ${c} type ${step.to} using ${c}::${step.to}`,
      ];
    }
    case 'set_autonumber': {
      const { prefix, digits } = step.column.autonumber as { prefix: string; digits: number };
      const seq = qt(schema, derivedName(step.module, step.column.name, 'seq'));
      const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
      return [
        `create sequence if not exists ${seq}`,
        `alter table ${table(step.module)} alter column ${q(step.column.name)} set default ` +
          `(${literal(prefix)} || lpad(nextval(${literal(seq)})::text, ${Number(digits)}, '0'))`,
      ];
    }
    case 'create_index':
      return [indexSql(schema, step.module, step.column)];
    case 'drop_index':
      return [`drop index if exists ${qt(schema, indexName(step.module, step.column))}`];
    case 'create_sort_index':
      return [sortIndexSql(schema, step.module, step.column.name, step.collation)];
    case 'drop_sort_index':
      return [`drop index if exists ${qt(schema, sortIndexName(step.module, step.column.name))}`];
    case 'create_scope_index': {
      const { index } = step;
      const where = index.where === undefined ? '' : ` where ${index.where}`;
      const include = index.include?.length ? ` include (${index.include.map(q).join(', ')})` : '';
      const create = `create index if not exists ${q(index.name)} on ${table(step.module)} (${index.columns.map(q).join(', ')})${include}${where}`;
      // The mark by which a start finds the scope indexes no document calls for any more.
      const mark = `comment on index ${qt(schema, index.name)} is ${literal(index.purpose === 'report' ? REPORT_INDEX_MARK : SCOPE_INDEX_MARK)}`;
      // Only a speed-up: a predicate Postgres refuses to index (say, a cast that is not
      // immutable) must not fail the apply. The block's own subtransaction keeps the rest.
      let tag = 'scope';
      while (create.includes(`$${tag}$`)) tag += '_';
      return [
        `do $${tag}$ begin execute ${literal(create)}; execute ${literal(mark)}; exception when others then null; end $${tag}$`,
      ];
    }
    case 'drop_scope_index':
      return [`drop index if exists ${qt(schema, step.index.name)}`];
    case 'add_foreign_key': {
      const ref = step.column.references;
      if (!ref) return [];
      const target = 'module' in ref ? table(ref.module) : 'atrium.users';
      const onDelete = 'module' in ref ? ref.onDelete.replace('_', ' ') : 'set null';
      return [
        `alter table ${table(step.module)} add constraint ${q(derivedName(step.module, step.column.name, 'fk'))} ` +
          `foreign key (${q(step.column.name)}) references ${target} (id) on delete ${onDelete}`,
      ];
    }
    case 'drop_foreign_key':
      return [
        `alter table ${table(step.module)} drop constraint if exists ${q(derivedName(step.module, step.column.name, 'fk'))}`,
      ];
    case 'drop_column':
      // Renaming is instant and keeps the values; a purge drops them later.
      return [
        `alter table ${table(step.module)} rename column ${q(step.column)} to ${q(trashName(revision, step.column))}`,
      ];
    case 'drop_table': {
      const trash = q(trashSchema(schema));
      const kept = qt(schema, trashName(revision, step.module));
      return [
        `create schema if not exists ${trash}`,
        `alter table ${table(step.module)} rename to ${q(trashName(revision, step.module))}`,
        // Indexes move with the table and their names are unique per schema: give them the
        // revision's prefix too, so a module of the same name can be dropped again later.
        `do $$ declare i record; begin
          for i in select c.relname from pg_index x join pg_class c on c.oid = x.indexrelid
                   where x.indrelid = '${kept}'::regclass loop
            execute format('alter index %I.%I rename to %I', '${schema}', i.relname,
              case when length('r${revision}__' || i.relname) <= 63 then 'r${revision}__' || i.relname
                   else left('r${revision}__' || i.relname, 54) || '_' || left(md5(i.relname), 8) end);
          end loop;
        end $$`,
        `alter table ${kept} set schema ${trash}`,
      ];
    }
    case 'restore_column':
      return [
        `alter table ${table(step.module)} rename column ${q(trashName(step.revision, step.column.name))} to ${q(step.column.name)}`,
      ];
    case 'restore_table': {
      const kept = trashName(step.revision, step.module);
      const indexes = [
        `${step.module}_pkey`,
        binIndexName(step.module),
        ...[...SYSTEM_COLUMN_SPECS, ...step.columns]
          .filter((c) => c.index)
          .map((c) => indexName(step.module, c)),
        ...step.columns.filter((c) => c.sortIndex).map((c) => sortIndexName(step.module, c.name)),
      ];
      return [
        `alter table ${qt(trashSchema(schema), kept)} set schema ${q(schema)}`,
        `alter table ${qt(schema, kept)} rename to ${q(step.module)}`,
        ...indexes.map(
          (i) =>
            `alter index if exists ${qt(schema, trashIndexName(step.revision, i))} rename to ${q(i)}`,
        ),
      ];
    }
    case 'rename_column': {
      // The column's index, key and sequence are named after it: they follow, so later steps
      // (and later plans) find them by the new name. History keeps the field under its new name.
      const from = step.from;
      const to = { ...from, name: step.to };
      const literal = (s: string) => `'${q(s).slice(1, -1)}'`;
      return [
        `alter table ${table(step.module)} rename column ${q(from.name)} to ${q(to.name)}`,
        ...(from.index
          ? [
              `alter index if exists ${qt(schema, indexName(step.module, from))} rename to ${q(indexName(step.module, to))}`,
            ]
          : []),
        ...(from.sortIndex
          ? [
              `alter index if exists ${qt(schema, sortIndexName(step.module, from.name))} rename to ${q(sortIndexName(step.module, to.name))}`,
            ]
          : []),
        ...(from.references
          ? [
              `alter table ${table(step.module)} rename constraint ${q(derivedName(step.module, from.name, 'fk'))} to ${q(derivedName(step.module, to.name, 'fk'))}`,
            ]
          : []),
        ...(from.autonumber
          ? [
              `alter sequence if exists ${qt(schema, derivedName(step.module, from.name, 'seq'))} rename to ${q(derivedName(step.module, to.name, 'seq'))}`,
            ]
          : []),
        `update ${qt(schema, '_history')} set changes = (changes - ${literal(from.name)}) || ` +
          `jsonb_build_object(${literal(to.name)}, changes -> ${literal(from.name)}) ` +
          `where module = ${literal(step.module)} and changes ? ${literal(from.name)}`,
      ];
    }
    case 'check_values':
    case 'fill_values':
    case 'map_values':
      // Data, not DDL: measured and run with bound values by data-impact.ts.
      return [];
    case 'put_document':
    case 'delete_document':
      return [];
  }
}

/**
 * An index on exactly the expression a text sort orders by (records/sort.ts `textSortSql`), so
 * `sort=name` and its keyset pages walk it in either direction. The collation is one of the
 * fixed names collation.ts looks up in pg_collation, never a request's.
 */
function sortIndexSql(schema: string, module: string, column: string, collation: string): string {
  if (!/^[a-z]+(-[a-z]+)*-x-icu$/.test(collation))
    throw new Error(`unexpected collation ${JSON.stringify(collation)}`);
  const expr = textSortSql(q(column), collation);
  return `create index ${q(sortIndexName(module, column))} on ${qt(schema, module)} ((${expr}))`;
}

/**
 * The recycle bin's index: only deleted records, by when they were deleted. Without it a page of
 * the bin (`deleted=only`) reads the whole table to find the few deleted rows (~350 ms at 1M
 * rows); with it, those rows alone. Live records cost it nothing on writes.
 */
export function binIndexSql(schema: string, module: string): string[] {
  const name = binIndexName(module);
  return [
    `create index if not exists ${q(name)} on ${qt(schema, module)} (deleted_at) where deleted_at is not null`,
    `comment on index ${qt(schema, name)} is ${literal(BIN_INDEX_MARK)}`,
  ];
}

function indexSql(schema: string, module: string, c: ColumnSpec): string {
  const name = q(indexName(module, c));
  const table = qt(schema, module);
  const col = q(c.name);
  switch (c.index) {
    case 'unique':
      // Unique among live records: the recycle bin does not hold values hostage.
      return `create unique index ${name} on ${table} (${col}) where deleted_at is null`;
    case 'gin':
      return `create index ${name} on ${table} using gin (${col})`;
    case 'trgm':
      return `create index ${name} on ${table} using gin (${col} gin_trgm_ops)`;
    default:
      return `create index ${name} on ${table} (${col})`;
  }
}

/** A standard string literal (standard_conforming_strings: backslashes are plain). */
function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
