import type { FieldDef, ModuleDoc, PicklistOption } from '@atrium/metadata';
import { labelText } from '@atrium/metadata';
import { useDroppable } from '@dnd-kit/core';
import type { ReactNode } from 'react';
import type { RenderContext } from './client.js';
import { formatValue } from './format-value.js';
import { message } from './messages.js';

export interface KanbanColumnProps {
  ctx: RenderContext;
  module: ModuleDoc;
  option: PicklistOption;
  count: number;
  /** Sum of the money field over the column's records, by currency. */
  sums: Map<string, number>;
  sumField?: FieldDef;
  hasMore: boolean;
  /** The sum covers only the loaded cards (no whole-column figures): shown as "at least". */
  partialSum: boolean;
  onMore(): void;
  children: ReactNode;
}

/** The column's money: one figure per currency; "at least" while not every card is loaded. */
function sumText(
  ctx: RenderContext,
  field: FieldDef,
  sums: Map<string, number>,
  partial: boolean,
): string {
  const opts = { locale: ctx.locale, timeZone: ctx.timeZone };
  const text =
    sums.size === 0
      ? formatValue(field, 0, opts)
      : [...sums]
          .map(([currency, sum]) =>
            formatValue(field, sum, { ...opts, currency: currency || null }),
          )
          .join(' + ');
  return partial ? message(ctx.locale, 'atLeast', { value: text }) : text;
}

/** One picklist option: its label, the count and the sum of the money field, and its cards. */
export function KanbanColumn({
  ctx,
  option,
  count,
  sums,
  sumField,
  hasMore,
  partialSum,
  onMore,
  children,
}: KanbanColumnProps) {
  const { setNodeRef, isOver } = useDroppable({ id: option.value });
  const title = labelText(option.label, ctx.locale, option.value);
  const headingId = `at-kanban-${option.value}`;
  return (
    <section
      ref={setNodeRef}
      className="at-kanban-column"
      data-over={isOver ? '' : undefined}
      aria-labelledby={headingId}
      data-option={option.value}
    >
      <header className="at-kanban-header">
        <h3 id={headingId} className="at-kanban-title">
          {option.color && (
            <span className="at-chip-dot" style={{ background: option.color }} aria-hidden="true" />
          )}
          <span className="at-kanban-name">{title}</span>
          <span className="at-muted at-kanban-count">
            {new Intl.NumberFormat(ctx.locale).format(count)}
          </span>
        </h3>
        {sumField && (
          <span className="at-kanban-sum">{sumText(ctx, sumField, sums, partialSum)}</span>
        )}
      </header>
      <div className="at-kanban-cards">{children}</div>
      {hasMore && (
        <button type="button" className="at-button at-button-ghost" onClick={onMore}>
          {message(ctx.locale, 'loadMore')}
        </button>
      )}
    </section>
  );
}
