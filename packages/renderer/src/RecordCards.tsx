import type { ModuleDoc } from '@atrium/metadata';
import { type FieldDef, labelText } from '@atrium/metadata';
import type { VirtualItem } from '@tanstack/react-virtual';
import type { RecordValues, RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { message } from './messages.js';
import { recordTitle } from './metadata.js';

export interface RecordCardsProps {
  ctx: RenderContext;
  module: ModuleDoc;
  rows: RecordValues[];
  /** The key fields under the name (the view's first columns after it), 2–3 of them. */
  fields: FieldDef[];
  /** The rows the virtualizer shows, with the room above and below them. */
  items: VirtualItem[];
  paddingTop: number;
  paddingBottom: number;
  measure(el: Element | null): void;
  isSelected(id: string): boolean;
  onToggle(id: string): void;
  onOpen?(record: RecordValues): void;
  userName?: (id: string) => string | undefined;
}

/**
 * A list on a phone: each record a card with its name and a few key fields, label above value,
 * so nothing is cut off at 375 px. Virtualized like the table's rows (the DOM holds what is on
 * screen), selectable for the same bulk bar.
 */
export function RecordCards(props: RecordCardsProps) {
  const { ctx, module, rows, fields, items } = props;
  return (
    <ul className="at-cards" aria-label={message(ctx.locale, 'records', { count: rows.length })}>
      {props.paddingTop > 0 && (
        <li aria-hidden="true" className="at-spacer" style={{ height: props.paddingTop }} />
      )}
      {items.map((item) => {
        const record = rows[item.index];
        if (!record) return null;
        const id = String(record.id);
        const title = recordTitle(module, record);
        const selected = props.isSelected(id);
        return (
          <li
            key={id}
            ref={props.measure}
            data-index={item.index}
            className="at-record-card"
            data-selected={selected ? '' : undefined}
          >
            <div className="at-record-card-head">
              <input
                type="checkbox"
                aria-label={message(ctx.locale, 'selectNamed', { name: title })}
                checked={selected}
                onChange={() => props.onToggle(id)}
              />
              {props.onOpen ? (
                <button
                  type="button"
                  className="at-cell-link at-record-card-title"
                  onClick={() => props.onOpen?.(record)}
                >
                  {title}
                </button>
              ) : (
                <span className="at-record-card-title">{title}</span>
              )}
            </div>
            {fields.length > 0 && (
              <dl className="at-record-card-fields">
                {fields.map((f) => (
                  <div key={f.name}>
                    <dt>{labelText(f.label, ctx.locale, f.name)}</dt>
                    <dd>
                      <FieldValue
                        field={f}
                        value={record[f.name]}
                        ctx={ctx}
                        currency={(record.currency_code as string | undefined) ?? null}
                        userName={props.userName}
                      />
                    </dd>
                  </div>
                ))}
              </dl>
            )}
          </li>
        );
      })}
      {props.paddingBottom > 0 && (
        <li aria-hidden="true" className="at-spacer" style={{ height: props.paddingBottom }} />
      )}
    </ul>
  );
}
