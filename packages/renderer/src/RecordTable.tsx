import { type FieldDef, type JsonLogic, labelText } from '@atrium/metadata';
import {
  type ColumnDef,
  columnOrderingFeature,
  columnResizingFeature,
  columnSizingFeature,
  type RowSelectionState,
  rowSelectionFeature,
  tableFeatures,
  useTable,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { type RefObject, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { I18nProvider } from 'react-aria-components';
import { BulkBar } from './BulkBar.js';
import { ClientError, type ListPage, type RecordValues, type RenderContext } from './client.js';
import { columnSize } from './column-size.js';
import { EditableCell } from './EditableCell.js';
import { FilterBuilder } from './FilterBuilder.js';
import { type FilterCondition, filterLogic } from './filter-logic.js';
import { message } from './messages.js';
import { fieldMap, findModule, findView, isWritable, recordNameField, specOf } from './metadata.js';
import { RecordCards } from './RecordCards.js';
import { useUserNames } from './use-user-names.js';

export interface RecordTableProps {
  ctx: RenderContext;
  module: string;
  /** A saved view: its columns, and the server applies its filter and sort. */
  view?: string;
  /** Columns when there is no view (or to override its columns). */
  fields?: string[];
  /** A filter the app adds (ANDed with the builder's). */
  filter?: JsonLogic;
  /** Controlled sort, e.g. "-amount,name"; the table emits changes through onSortChange. */
  sort?: string;
  onSortChange?(sort: string | undefined): void;
  /** The columns after the user reordered them (drag a header, or Alt+←/→ on it). */
  onColumnsChange?(columns: string[]): void;
  /** Opening a row (click on its name). */
  onOpen?(record: RecordValues): void;
  pageSize?: number;
  /** Text search (`q`) over the module's searchable fields. */
  q?: string;
  /** Change it to reload from the first page (after the app created or imported records). */
  refreshKey?: unknown;
  /**
   * The list request's own parameters (view, sort, search, the filter with the builder's), each
   * time they change: an export asks for exactly what the table shows.
   */
  onQueryChange?(query: { view?: string; sort?: string; q?: string; filter?: JsonLogic }): void;
  /** Names users by id (owner…); asked of `client.users()` when absent. */
  userName?: (id: string) => string | undefined;
  /** Height of the scrolling body in px (rows are virtualized inside it). */
  height?: number;
  /**
   * `cards` shows each record as a card (name and 2–3 key fields), for phones; `auto` (the
   * default) does so while the table is narrower than 600 px.
   */
  layout?: 'table' | 'cards' | 'auto';
}

const features = tableFeatures({
  rowSelectionFeature,
  columnSizingFeature,
  columnResizingFeature,
  columnOrderingFeature,
});
const ROW_HEIGHT = 36;
const CARD_HEIGHT = 104;
const NARROW = 600;

/** True while `layout` asks for cards, or (auto) while the element is narrower than NARROW px. */
function useCards(ref: RefObject<HTMLElement | null>, layout: RecordTableProps['layout']) {
  const [narrow, setNarrow] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (layout !== 'auto' || !el || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setNarrow(entry.contentRect.width < NARROW);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref, layout]);
  return layout === 'cards' || (layout === 'auto' && narrow);
}

/**
 * The fields one level behind the table's lookups (`account.industry`, "Account › Industry"):
 * the list route filters through the lookup's join, so a user can ask for the deals of
 * software companies. Lookups and formulas of the target are left out (one level, stored values).
 */
function lookupPaths(ctx: RenderContext, fields: FieldDef[]): FieldDef[] {
  return fields.flatMap((lookup) => {
    const target =
      lookup.type === 'lookup' && lookup.target && findModule(ctx.documents, lookup.target);
    if (!target) return [];
    const via = labelText(lookup.label, ctx.locale, lookup.name);
    return target.fields
      .filter((f) => f.type !== 'lookup' && f.type !== 'formula' && specOf(f).operators.length > 0)
      .map((f) => ({
        ...f,
        name: `${lookup.name}.${f.name}`,
        label: {
          [ctx.locale]: message(ctx.locale, 'fieldOf', {
            lookup: via,
            field: labelText(f.label, ctx.locale, f.name),
          }),
        },
        required: false,
      }));
  });
}

/** The next state of a header click: ascending, then descending, then the view's own order. */
function nextSort(current: string | undefined, field: string): string | undefined {
  if (current === field) return `-${field}`;
  if (current === `-${field}`) return undefined;
  return field;
}

/**
 * A list of records: columns from a view, sort by header, a filter builder producing JSON Logic,
 * keyset infinite scroll over virtualized rows (the DOM holds what is visible, not what was
 * loaded), row selection with bulk update and delete, and inline editing of a cell.
 */
export function RecordTable(props: RecordTableProps) {
  const { ctx, module, view: viewName, pageSize = 50, height = 560, q, layout = 'auto' } = props;
  const wrapRef = useRef<HTMLDivElement>(null);
  const cards = useCards(wrapRef, layout);
  const doc = findModule(ctx.documents, module);
  const userName = useUserNames(ctx.client, props.userName);
  const view = viewName ? findView(ctx.documents, module, viewName) : undefined;
  const byName = useMemo(() => (doc ? fieldMap(doc) : new Map<string, FieldDef>()), [doc]);
  // Keyed by content: a parent passing a new but equal array each render does not reload.
  const fieldsKey = props.fields?.join(',');
  const columnsNames = useMemo(() => {
    const names =
      fieldsKey?.split(',') ??
      view?.columns ??
      (doc ? [recordNameField(doc), ...doc.fields.map((f) => f.name).slice(0, 6)] : []);
    return [...new Set(names)].filter((n) => byName.has(n));
  }, [fieldsKey, view, doc, byName]);

  const [innerSort, setInnerSort] = useState<string | undefined>(undefined);
  const sort = props.sort ?? innerSort;
  const setSort = (next: string | undefined) => {
    setInnerSort(next);
    props.onSortChange?.(next);
  };
  const [conditions, setConditions] = useState<FilterCondition[]>([]);
  // The builder's fields: the columns and the fields behind their lookups (`account.industry`).
  const paths = useMemo(
    () =>
      lookupPaths(
        ctx,
        columnsNames.map((n) => byName.get(n) as FieldDef),
      ),
    [ctx, columnsNames, byName],
  );
  const filterFields = useMemo(
    () => new Map([...byName, ...paths.map((f) => [f.name, f] as const)]),
    [byName, paths],
  );
  const builderLogic = filterLogic(filterFields, conditions);
  const filter =
    props.filter && builderLogic
      ? { and: [props.filter, builderLogic] }
      : (props.filter ?? builderLogic);
  const filterKey = JSON.stringify(filter ?? null);

  const [rows, setRows] = useState<RecordValues[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [count, setCount] = useState<ListPage['count']>();
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const request = useRef(0);
  const lookups = useMemo(
    () => columnsNames.filter((n) => byName.get(n)?.type === 'lookup' && n !== 'id'),
    [columnsNames, byName],
  );

  const load = useCallback(
    async (after: string | null) => {
      const ticket = after === null ? ++request.current : request.current;
      setLoading(true);
      try {
        const page = await ctx.client.list(module, {
          ...(viewName && { view: viewName }),
          ...(sort && { sort }),
          ...(q && { q }),
          ...(filterKey !== 'null' && { filter: JSON.parse(filterKey) }),
          ...(lookups.length > 0 && { expand: lookups }),
          ...(after ? { cursor: after } : { count: true }),
          limit: pageSize,
        });
        if (ticket !== request.current) return;
        setRows((old) => (after ? [...old, ...page.data] : page.data));
        setCursor(page.nextCursor);
        if (page.count) setCount(page.count);
        setProblem(null);
      } catch (error) {
        if (ticket === request.current)
          setProblem(error instanceof ClientError ? error.message : String(error));
      } finally {
        if (ticket === request.current) setLoading(false);
      }
    },
    [ctx.client, module, viewName, sort, q, filterKey, lookups, pageSize, props.refreshKey],
  );

  useEffect(() => {
    setRows([]);
    setCursor(null);
    void load(null);
  }, [load]);

  const onQueryChange = props.onQueryChange;
  useEffect(() => {
    onQueryChange?.({
      ...(viewName && { view: viewName }),
      ...(sort && { sort }),
      ...(q && { q }),
      ...(filterKey !== 'null' && { filter: JSON.parse(filterKey) as JsonLogic }),
    });
  }, [onQueryChange, viewName, sort, q, filterKey]);

  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  // Column order: dragged by header, or Alt+←/→ on a header; told to the app to keep in a view.
  const [columnOrder, setColumnOrder] = useState<string[]>([]);
  useEffect(() => {
    setColumnOrder(['__select', ...columnsNames]);
  }, [columnsNames]);
  const [draggedColumn, setDraggedColumn] = useState<string | null>(null);
  const moveColumn = (name: string, to: number) => {
    const order = columnOrder.filter((c) => c !== '__select' && c !== name);
    order.splice(Math.max(0, Math.min(to, order.length)), 0, name);
    setColumnOrder(['__select', ...order]);
    props.onColumnsChange?.(order);
  };
  const columnIndex = (name: string) => columnOrder.filter((c) => c !== '__select').indexOf(name);
  const replaceRows = (changed: RecordValues[], told?: string) => {
    if (told) ctx.notify?.(told);
    const byId = new Map(changed.map((r) => [String(r.id), r]));
    setRows((old) =>
      old.map((r) => {
        const next = byId.get(String(r.id));
        // Keep expanded lookups the write answer does not carry.
        return next
          ? {
              ...r,
              ...Object.fromEntries(Object.entries(next).filter(([k]) => !lookups.includes(k))),
            }
          : r;
      }),
    );
  };

  const columns = useMemo<ColumnDef<typeof features, RecordValues>[]>(() => {
    const select: ColumnDef<typeof features, RecordValues> = {
      id: '__select',
      size: 40,
      enableResizing: false,
      header: ({ table }) => (
        <input
          type="checkbox"
          aria-label={message(ctx.locale, 'selectAll')}
          checked={table.getIsAllRowsSelected()}
          onChange={table.getToggleAllRowsSelectedHandler()}
        />
      ),
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={message(ctx.locale, 'selectRow')}
          checked={row.getIsSelected()}
          onChange={row.getToggleSelectedHandler()}
        />
      ),
    };
    const nameField = doc ? recordNameField(doc) : '';
    return [
      select,
      ...columnsNames.map((name): ColumnDef<typeof features, RecordValues> => {
        const field = byName.get(name) as FieldDef;
        return {
          id: name,
          accessorFn: (r: RecordValues) => r[name],
          size: columnSize(field, ctx.locale, name === nameField),
          minSize: 80,
          header: labelText(field.label, ctx.locale, name),
          cell: ({ row }) => (
            <EditableCell
              ctx={ctx}
              module={module}
              field={field}
              record={row.original}
              editable={isWritable(field) && name !== nameField}
              isName={name === nameField}
              onOpen={props.onOpen}
              onSaved={(r) =>
                replaceRows(
                  [r],
                  message(ctx.locale, 'savedCell', {
                    field: labelText(field.label, ctx.locale, name),
                  }),
                )
              }
              userName={userName}
            />
          ),
        };
      }),
    ];
  }, [columnsNames, byName, ctx, module, doc, props.onOpen, lookups, userName]);

  const table = useTable({
    features,
    columns,
    data: rows,
    getRowId: (r: RecordValues) => String(r.id),
    enableRowSelection: true,
    columnResizeMode: 'onChange',
    state: { rowSelection, columnOrder },
    onRowSelectionChange: setRowSelection,
  });

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => (cards ? CARD_HEIGHT : ROW_HEIGHT),
    overscan: cards ? 4 : 12,
    initialRect: { width: 1024, height },
  });
  // Rows and cards differ in height: switching layout measures again.
  useEffect(() => {
    virtualizer.measure();
  }, [cards, virtualizer]);
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (cursor && !loading && lastIndex >= rows.length - 10) void load(cursor);
  }, [cursor, loading, lastIndex, rows.length, load]);

  if (!doc) return null;
  const tableRows = table.getRowModel().rows;
  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0);
  const selected = rows.filter((r) => rowSelection[String(r.id)]);
  const filterable = [
    ...columnsNames.map((n) => byName.get(n) as FieldDef).filter((f) => f.name !== 'id'),
    ...lookupPaths(
      ctx,
      columnsNames.map((n) => byName.get(n) as FieldDef),
    ),
  ];
  const colCount = columns.length;
  const nameField = recordNameField(doc);
  // A card's key fields: the view's next columns, skipping ids and numbers (D-00042) a person
  // does not read a record by.
  const cardFields = columnsNames
    .filter((n) => n !== nameField && n !== 'id' && byName.get(n)?.type !== 'autonumber')
    .slice(0, 3)
    .map((n) => byName.get(n) as FieldDef);
  const sortable = columnsNames
    .map((n) => byName.get(n) as FieldDef)
    .filter((f) => specOf(f).sortable);

  return (
    <I18nProvider locale={ctx.locale}>
      <div className="at-table-wrap" ref={wrapRef} data-layout={cards ? 'cards' : 'table'}>
        <div className="at-table-toolbar">
          <FilterBuilder
            ctx={ctx}
            fields={filterable}
            conditions={conditions}
            onChange={setConditions}
          />
          {cards && (
            <div className="at-card-tools">
              <input
                type="checkbox"
                aria-label={message(ctx.locale, 'selectAll')}
                checked={table.getIsAllRowsSelected()}
                onChange={table.getToggleAllRowsSelectedHandler()}
              />
              <select
                className="at-input"
                aria-label={message(ctx.locale, 'sortLabel')}
                value={sort ?? ''}
                onChange={(e) => setSort(e.target.value || undefined)}
              >
                <option value="">{message(ctx.locale, 'sortDefault')}</option>
                {sortable.flatMap((f) => {
                  const label = labelText(f.label, ctx.locale, f.name);
                  return [
                    <option key={f.name} value={f.name}>
                      {message(ctx.locale, 'sortAsc', { label })}
                    </option>,
                    <option key={`-${f.name}`} value={`-${f.name}`}>
                      {message(ctx.locale, 'sortDesc', { label })}
                    </option>,
                  ];
                })}
              </select>
            </div>
          )}
          {count && (
            <span className="at-count at-muted" aria-live="polite">
              {message(ctx.locale, count.exact ? 'records' : 'recordsMore', {
                count: new Intl.NumberFormat(ctx.locale).format(count.value),
              })}
            </span>
          )}
        </div>
        {selected.length > 0 && (
          <BulkBar
            ctx={ctx}
            module={module}
            records={selected}
            fields={filterable.filter((f) => isWritable(f) && f.name !== recordNameField(doc))}
            onUpdated={(changed) =>
              replaceRows(changed, message(ctx.locale, 'bulkUpdated', { count: changed.length }))
            }
            onDeleted={(ids) => {
              setRows((old) => old.filter((r) => !ids.includes(String(r.id))));
              setRowSelection({});
              ctx.notify?.(message(ctx.locale, 'bulkDeleted', { count: ids.length }));
            }}
          />
        )}
        {problem && (
          <p className="at-error" role="alert">
            {problem}
          </p>
        )}
        <div
          ref={scrollRef}
          className="at-table-scroll"
          style={{ maxHeight: height }}
          data-testid="at-table-scroll"
        >
          {cards ? (
            <RecordCards
              ctx={ctx}
              module={doc}
              rows={rows}
              fields={cardFields}
              items={items}
              paddingTop={paddingTop}
              paddingBottom={paddingBottom}
              measure={virtualizer.measureElement}
              isSelected={(id) => Boolean(rowSelection[id])}
              onToggle={(id) =>
                setRowSelection((old) => {
                  const next = { ...old };
                  if (next[id]) delete next[id];
                  else next[id] = true;
                  return next;
                })
              }
              onOpen={props.onOpen}
              userName={userName}
            />
          ) : (
            <table
              className="at-table"
              aria-rowcount={count?.value ?? rows.length}
              style={{ width: table.getTotalSize() }}
            >
              <thead>
                {table.getHeaderGroups().map((group) => (
                  <tr key={group.id}>
                    {group.headers.map((header) => {
                      const name = header.column.id;
                      const field = byName.get(name);
                      const sortable = field ? specOf(field).sortable : false;
                      const dir =
                        sort === name
                          ? 'ascending'
                          : sort === `-${name}`
                            ? 'descending'
                            : undefined;
                      return (
                        <th
                          key={header.id}
                          style={{ width: header.getSize() }}
                          aria-sort={dir ?? (sortable ? 'none' : undefined)}
                          scope="col"
                          draggable={field !== undefined}
                          data-dragging={draggedColumn === name ? '' : undefined}
                          onDragStart={(e) => {
                            setDraggedColumn(name);
                            e.dataTransfer.effectAllowed = 'move';
                          }}
                          onDragOver={(e) => {
                            if (draggedColumn && field) e.preventDefault();
                          }}
                          onDrop={(e) => {
                            e.preventDefault();
                            if (draggedColumn && draggedColumn !== name)
                              moveColumn(draggedColumn, columnIndex(name));
                            setDraggedColumn(null);
                          }}
                          onDragEnd={() => setDraggedColumn(null)}
                          onKeyDown={(e) => {
                            if (!e.altKey || !field) return;
                            if (e.key === 'ArrowLeft') moveColumn(name, columnIndex(name) - 1);
                            else if (e.key === 'ArrowRight')
                              moveColumn(name, columnIndex(name) + 1);
                            else return;
                            e.preventDefault();
                          }}
                        >
                          {sortable ? (
                            <button
                              type="button"
                              className="at-th-button"
                              onClick={() => setSort(nextSort(sort, name))}
                            >
                              <table.FlexRender header={header} />
                              <span aria-hidden="true" className="at-sort-mark">
                                {dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''}
                              </span>
                            </button>
                          ) : (
                            <table.FlexRender header={header} />
                          )}
                          {header.column.getCanResize() && (
                            <span
                              className="at-resizer"
                              onMouseDown={header.getResizeHandler()}
                              onTouchStart={header.getResizeHandler()}
                              aria-hidden="true"
                            />
                          )}
                        </th>
                      );
                    })}
                  </tr>
                ))}
              </thead>
              <tbody>
                {paddingTop > 0 && (
                  <tr className="at-spacer">
                    <td colSpan={colCount} style={{ height: paddingTop, padding: 0, border: 0 }} />
                  </tr>
                )}
                {items.map((item) => {
                  const row = tableRows[item.index];
                  if (!row) return null;
                  return (
                    <tr
                      key={row.id}
                      data-index={item.index}
                      aria-rowindex={item.index + 2}
                      aria-selected={row.getIsSelected()}
                      className="at-row"
                    >
                      {row.getAllCells().map((cell) => (
                        <td key={cell.id} style={{ width: cell.column.getSize() }}>
                          <table.FlexRender cell={cell} />
                        </td>
                      ))}
                    </tr>
                  );
                })}
                {paddingBottom > 0 && (
                  <tr className="at-spacer">
                    <td
                      colSpan={colCount}
                      style={{ height: paddingBottom, padding: 0, border: 0 }}
                    />
                  </tr>
                )}
              </tbody>
            </table>
          )}
          {!loading && rows.length === 0 && (
            <p className="at-empty-state">{message(ctx.locale, 'empty')}</p>
          )}
          {loading && rows.length === 0 ? (
            // The first page on its way: the shape of rows, not a blank (read out as loading).
            <div className="at-skeleton" aria-busy="true">
              <span className="at-visually-hidden">{message(ctx.locale, 'loading')}</span>
              {Array.from({ length: 6 }, (_, i) => (
                <span key={i} className="at-skeleton-row" aria-hidden="true" />
              ))}
            </div>
          ) : (
            loading && <p className="at-muted at-loading">{message(ctx.locale, 'loading')}</p>
          )}
        </div>
      </div>
    </I18nProvider>
  );
}
