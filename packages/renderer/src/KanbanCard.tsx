import type { FieldDef, ModuleDoc } from '@atrium/metadata';
import { useDraggable } from '@dnd-kit/core';
import type { RecordValues, RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { recordTitle } from './metadata.js';

export interface KanbanCardProps {
  ctx: RenderContext;
  module: ModuleDoc;
  record: RecordValues;
  /** The 2–3 key fields shown under the name. */
  fields: FieldDef[];
  onOpen?(record: RecordValues): void;
  userName?: (id: string) => string | undefined;
}

/** A card: the record name and a few key fields; dragged by pointer or keyboard (Space, arrows). */
export function KanbanCard({ ctx, module, record, fields, onOpen, userName }: KanbanCardProps) {
  const id = String(record.id);
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id,
    data: { record },
  });
  const style = transform
    ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` }
    : undefined;
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: dnd-kit's attributes make it a focusable button (role, tabIndex, aria-roledescription)
    <div
      ref={setNodeRef}
      className="at-card"
      style={style}
      data-dragging={isDragging ? '' : undefined}
      {...attributes}
      {...listeners}
      onDoubleClick={() => onOpen?.(record)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && onOpen) onOpen(record);
        listeners?.onKeyDown?.(e);
      }}
    >
      <span className="at-card-title">{recordTitle(module, record)}</span>
      {fields.map((f) => (
        <span key={f.name} className="at-card-line">
          <FieldValue
            field={f}
            value={record[f.name]}
            ctx={ctx}
            currency={(record.currency_code as string) ?? null}
            userName={userName}
          />
        </span>
      ))}
    </div>
  );
}
