import { type FieldDef, labelText } from '@atrium/metadata';
import { useId, useState } from 'react';
import { ClientError, type RecordValues, type RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { toApiValue, toFormValue } from './form-values.js';
import { message } from './messages.js';
import { specOf } from './metadata.js';
import { WIDGETS } from './widgets/registry.js';

export interface EditableCellProps {
  ctx: RenderContext;
  module: string;
  field: FieldDef;
  record: RecordValues;
  editable: boolean;
  /** The record-name cell opens the record instead of editing. */
  isName?: boolean;
  onOpen?(record: RecordValues): void;
  onSaved(record: RecordValues): void;
  userName?: (id: string) => string | undefined;
}

/**
 * One table cell: the formatted value; double-click (or Enter on the cell's edit button) edits it
 * in the field's widget and saves through the one write path (`client.update` with the version).
 */
export function EditableCell({
  ctx,
  module,
  field,
  record,
  editable,
  isName,
  onOpen,
  onSaved,
  userName,
}: EditableCellProps) {
  const id = useId();
  const [draft, setDraft] = useState<unknown>(undefined);
  const [error, setError] = useState<string | null>(null);
  const editing = draft !== undefined;
  const currency = (record.currency_code as string | undefined) ?? null;
  const value = (
    <FieldValue
      field={field}
      value={record[field.name]}
      ctx={ctx}
      currency={currency}
      userName={userName}
    />
  );

  if (isName)
    return onOpen ? (
      <button type="button" className="at-cell-link" onClick={() => onOpen(record)}>
        {value}
      </button>
    ) : (
      value
    );
  if (!editable) return value;

  const save = async (next: unknown) => {
    const api = toApiValue(field, next);
    setDraft(undefined);
    if (
      JSON.stringify(api) ===
      JSON.stringify(toApiValue(field, toFormValue(field, record[field.name])))
    )
      return;
    try {
      const saved = await ctx.client.update(module, String(record.id), {
        [field.name]: api,
        version: Number(record.version),
      });
      setError(null);
      onSaved(saved);
    } catch (e) {
      setError(e instanceof ClientError ? (e.details[0]?.message ?? e.message) : String(e));
    }
  };

  if (editing) {
    const Widget = WIDGETS[specOf(field).widget] ?? WIDGETS.text;
    if (!Widget) return value;
    return (
      // biome-ignore lint/a11y/noStaticElementInteractions: Enter and Escape keys of the inline editor
      <div
        className="at-cell-editor"
        onKeyDown={(e) => {
          if (e.key === 'Escape') setDraft(undefined);
          if (e.key === 'Enter' && field.type !== 'textarea') void save(draft);
        }}
      >
        <label htmlFor={`${id}`} id={`${id}-label`} className="at-visually-hidden">
          {labelText(field.label, ctx.locale, field.name)}
        </label>
        <Widget
          field={field}
          id={id}
          value={draft}
          onChange={(v) => {
            setDraft(v);
            if (
              field.type === 'picklist' ||
              field.type === 'boolean' ||
              field.type === 'lookup' ||
              field.type === 'user'
            )
              void save(v);
          }}
          onBlur={() => void save(draft)}
          invalid={false}
          required={field.required === true}
          ctx={ctx}
          record={record}
          currency={currency}
        />
      </div>
    );
  }
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: double-click is a shortcut; the edit button is the accessible way
    <div
      className="at-cell"
      onDoubleClick={() => setDraft(toFormValue(field, record[field.name]))}
      title={error ?? undefined}
    >
      {value}
      <button
        type="button"
        className="at-cell-edit"
        aria-label={`${message(ctx.locale, 'edit')} ${labelText(field.label, ctx.locale, field.name)}`}
        onClick={() => setDraft(toFormValue(field, record[field.name]))}
      >
        ✎
      </button>
      {error && (
        <span className="at-error at-cell-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
