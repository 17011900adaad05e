import { type FieldDef, type JsonLogic, labelText } from '@atrium/metadata';
import {
  DndContext,
  type DragEndEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  type AggregateGroup,
  ClientError,
  type RecordValues,
  type RenderContext,
} from './client.js';
import { KanbanCard } from './KanbanCard.js';
import { KanbanColumn } from './KanbanColumn.js';
import { message } from './messages.js';
import { fieldMap, findModule, findView, recordNameField } from './metadata.js';
import { useOverflowEdges } from './use-overflow-edges.js';
import { useUserNames } from './use-user-names.js';

export interface KanbanProps {
  ctx: RenderContext;
  module: string;
  /** A kanban view: its groupBy, columns (card fields) and filter. */
  view?: string;
  /** The picklist to group by when there is no view. */
  groupBy?: string;
  /** The money field summed in each column header; the first currency field by default. */
  sumField?: string;
  /** Fields on the cards (2–3 are shown). */
  fields?: string[];
  filter?: JsonLogic;
  pageSize?: number;
  /** Change it to reload every column. */
  refreshKey?: unknown;
  onOpen?(record: RecordValues): void;
  /** Names users by id (owner…); asked of `client.users()` when absent. */
  userName?: (id: string) => string | undefined;
  /**
   * How a card moves: an update of the group field by default. The app can route it through a
   * blueprint transition instead once processes exist; a throw snaps the card back with its reason.
   */
  onMove?(record: RecordValues, to: string): Promise<RecordValues>;
  /** Blueprint transitions available per record — a seam for the process issue, unused for now. */
  transitions?: unknown;
}

interface ColumnState {
  rows: RecordValues[];
  cursor: string | null;
  count: number;
}

/** The figures after a card moved from one column to another, before the server recounts. */
function moveTotals(
  totals: Map<string, AggregateGroup>,
  record: RecordValues,
  from: string,
  to: string,
  sumField: string | undefined,
): Map<string, AggregateGroup> {
  const next = new Map(totals);
  const amount = sumField ? Number(record[sumField]) : Number.NaN;
  const currency = (record.currency_code as string | undefined) ?? null;
  const change = (key: string, sign: 1 | -1) => {
    const g = next.get(key) ?? { key, count: 0, sums: [] };
    const sums = Number.isFinite(amount)
      ? g.sums.some((s) => s.currency === currency)
        ? g.sums.map((s) =>
            s.currency === currency ? { ...s, value: s.value + sign * amount } : s,
          )
        : [...g.sums, { currency, value: sign * amount }]
      : g.sums;
    next.set(key, { ...g, count: g.count + sign, sums });
  };
  change(from, -1);
  change(to, 1);
  return next;
}

/**
 * A board grouped by a picklist, one column per option in option order, each headed by its count
 * and the sum of a money field. Dragging a card moves it optimistically; a refusal puts it back
 * and says why.
 */
export function Kanban(props: KanbanProps) {
  const { ctx, module, view: viewName, pageSize = 50 } = props;
  const doc = findModule(ctx.documents, module);
  const userName = useUserNames(ctx.client, props.userName);
  const view = viewName ? findView(ctx.documents, module, viewName) : undefined;
  const byName = useMemo(() => (doc ? fieldMap(doc) : new Map<string, FieldDef>()), [doc]);
  const group = byName.get(props.groupBy ?? view?.groupBy ?? '');
  const options = useMemo(() => group?.options ?? [], [group]);
  const sumField = props.sumField
    ? byName.get(props.sumField)
    : doc?.fields.find((f) => f.type === 'currency');
  const nameField = doc ? recordNameField(doc) : '';
  const cardFields = (props.fields ?? view?.columns ?? [])
    .filter((n) => n !== nameField && n !== group?.name && byName.has(n))
    .slice(0, 3)
    .map((n) => byName.get(n) as FieldDef);
  const expand = cardFields.filter((f) => f.type === 'lookup').map((f) => f.name);
  const filterKey = JSON.stringify(props.filter ?? null);

  const [columns, setColumns] = useState<Record<string, ColumnState>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [edgesRef, edges] = useOverflowEdges<HTMLElement>();
  // Whole-column figures when the client can aggregate; otherwise counts come with each
  // column's first page and sums from its loaded cards.
  const [totals, setTotals] = useState<Map<string, AggregateGroup> | null>(null);
  const loadTotals = useCallback(async () => {
    if (!group || !ctx.client.aggregate) return;
    const extra = JSON.parse(filterKey) as JsonLogic | null;
    const groups = await ctx.client.aggregate(module, {
      groupBy: group.name,
      ...(sumField && { sum: sumField.name }),
      ...(extra && { filter: extra }),
      ...(viewName && { view: viewName }),
    });
    setTotals(new Map(groups.map((g) => [String(g.key), g])));
  }, [ctx.client, module, group, sumField, filterKey, viewName, props.refreshKey]);
  useEffect(() => {
    setTotals(null);
    loadTotals().catch(() => setTotals(null));
  }, [loadTotals]);

  const loadColumn = useCallback(
    async (value: string, cursor: string | null) => {
      if (!group) return;
      const mine: JsonLogic = { '==': [{ var: group.name }, value] };
      const extra = JSON.parse(filterKey) as JsonLogic | null;
      const page = await ctx.client.list(module, {
        ...(viewName && { view: viewName }),
        filter: extra ? { and: [extra, mine] } : mine,
        limit: pageSize,
        ...(expand.length > 0 && { expand }),
        ...(cursor ? { cursor } : { count: true }),
      });
      setColumns((old) => {
        const before = old[value];
        return {
          ...old,
          [value]: {
            rows: cursor && before ? [...before.rows, ...page.data] : page.data,
            cursor: page.nextCursor,
            count: page.count?.value ?? before?.count ?? page.data.length,
          },
        };
      });
    },
    [ctx.client, module, viewName, group, filterKey, pageSize, expand.join(), props.refreshKey],
  );

  useEffect(() => {
    setColumns({});
    for (const o of options)
      loadColumn(o.value, null).catch((e) =>
        setProblem(e instanceof Error ? e.message : String(e)),
      );
  }, [options, loadColumn]);

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    // Space picks a card up and drops it; Enter stays free to open the record.
    useSensor(KeyboardSensor, {
      keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space'] },
    }),
  );

  const move = async (record: RecordValues, from: string, to: string) => {
    if (!group) return;
    const id = String(record.id);
    const shift = (state: Record<string, ColumnState>, r: RecordValues, a: string, b: string) => {
      const source = state[a];
      const target = state[b];
      if (!source || !target) return state;
      return {
        ...state,
        [a]: {
          ...source,
          rows: source.rows.filter((x) => String(x.id) !== id),
          count: source.count - 1,
        },
        [b]: { ...target, rows: [r, ...target.rows], count: target.count + 1 },
      };
    };
    setColumns((old) => shift(old, { ...record, [group.name]: to }, from, to));
    setTotals((old) => old && moveTotals(old, record, from, to, sumField?.name));
    setProblem(null);
    try {
      const saved = props.onMove
        ? // The card's column is its state, whether or not the list returned the field.
          await props.onMove({ ...record, [group.name]: from }, to)
        : await ctx.client.update(module, id, {
            [group.name]: to,
            version: Number(record.version),
          });
      setColumns((old) => {
        const target = old[to];
        if (!target) return old;
        // Keep expanded lookups the write answer does not carry.
        const merged = {
          ...record,
          ...Object.fromEntries(Object.entries(saved).filter(([k]) => !expand.includes(k))),
        };
        return {
          ...old,
          [to]: { ...target, rows: target.rows.map((x) => (String(x.id) === id ? merged : x)) },
        };
      });
    } catch (error) {
      setColumns((old) => shift(old, record, to, from));
      void loadTotals().catch(() => {});
      const reason =
        error instanceof ClientError
          ? (error.details[0]?.message ?? error.message)
          : error instanceof Error
            ? error.message
            : String(error);
      setProblem(message(ctx.locale, 'moveRefused', { reason }));
    }
  };

  const onDragEnd = (event: DragEndEvent) => {
    const record = event.active.data.current?.record as RecordValues | undefined;
    const to = event.over?.id;
    if (!record || !group || to === undefined) return;
    // The column holding the card is its state: a view's columns need not include the field.
    const id = String(record.id);
    const from =
      Object.entries(columns).find(([, c]) => c.rows.some((r) => String(r.id) === id))?.[0] ??
      String(record[group.name]);
    if (String(to) !== from) void move(record, from, String(to));
  };

  if (!doc || !group) return null;
  const boardName = message(ctx.locale, 'boardOf', {
    module: labelText(doc.pluralLabel ?? doc.label, ctx.locale, doc.name),
  });
  return (
    <div className="at-kanban-wrap">
      {problem && (
        <div className="at-toast" role="alert">
          {problem}{' '}
          <button
            type="button"
            className="at-button at-button-ghost"
            onClick={() => setProblem(null)}
          >
            {message(ctx.locale, 'dismiss')}
          </button>
        </div>
      )}
      <DndContext sensors={sensors} onDragEnd={onDragEnd}>
        {/* A named region the keyboard can scroll; its edges fade where more columns lie. */}
        <section
          ref={edgesRef}
          className="at-kanban"
          aria-label={boardName}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scroll container must take focus to scroll by keyboard
          tabIndex={0}
          data-more-start={edges.start || undefined}
          data-more-end={edges.end || undefined}
        >
          {options.map((option) => {
            const column = columns[option.value];
            const rows = column?.rows ?? [];
            const whole = totals?.get(option.value);
            const sums = new Map<string, number>(
              whole?.sums.map((s) => [s.currency ?? '', s.value]) ?? [],
            );
            if (sumField && !totals)
              for (const r of rows) {
                const v = Number(r[sumField.name]);
                if (!Number.isFinite(v) || r[sumField.name] === null) continue;
                const currency = String(r.currency_code ?? doc.defaultCurrency ?? '');
                sums.set(currency, (sums.get(currency) ?? 0) + v);
              }
            return (
              <KanbanColumn
                key={option.value}
                ctx={ctx}
                module={doc}
                option={option}
                count={whole?.count ?? column?.count ?? 0}
                sums={sums}
                sumField={sumField}
                hasMore={Boolean(column?.cursor)}
                partialSum={!totals && Boolean(column?.cursor)}
                onMore={() => void loadColumn(option.value, column?.cursor ?? null)}
              >
                {rows.map((r) => (
                  <KanbanCard
                    key={String(r.id)}
                    ctx={ctx}
                    module={doc}
                    record={r}
                    fields={cardFields}
                    onOpen={props.onOpen}
                    userName={userName}
                  />
                ))}
              </KanbanColumn>
            );
          })}
        </section>
      </DndContext>
    </div>
  );
}
