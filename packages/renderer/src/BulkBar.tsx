import { type FieldDef, labelText } from '@atrium/metadata';
import { useId, useState } from 'react';
import { ClientError, type RecordValues, type RenderContext } from './client.js';
import { toApiValue } from './form-values.js';
import { message } from './messages.js';
import { specOf } from './metadata.js';
import { WIDGETS } from './widgets/registry.js';

export interface BulkBarProps {
  ctx: RenderContext;
  module: string;
  records: RecordValues[];
  /** Writable fields one may set on all selected records. */
  fields: FieldDef[];
  onUpdated(records: RecordValues[]): void;
  onDeleted(ids: string[]): void;
}

/** What to do with the selected rows: set one field on all of them, or delete them, in one bulk call. */
export function BulkBar({ ctx, module, records, fields, onUpdated, onDeleted }: BulkBarProps) {
  const id = useId();
  // A field people set on many records at once (a picklist, the owner) rather than a name.
  const preferred =
    fields.find((f) => f.type === 'picklist') ?? fields.find((f) => f.type === 'user') ?? fields[0];
  const [fieldName, setFieldName] = useState(preferred?.name ?? '');
  const [value, setValue] = useState<unknown>('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const field = fields.find((f) => f.name === fieldName);
  const Widget = field ? WIDGETS[specOf(field).widget] : undefined;

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(
        e instanceof ClientError
          ? [e.message, ...e.details.map((d) => `${d.path}: ${d.message}`)].join(' ')
          : String(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div
      className="at-bulkbar"
      role="toolbar"
      aria-label={message(ctx.locale, 'selected', { count: records.length })}
    >
      <strong>{message(ctx.locale, 'selected', { count: records.length })}</strong>
      <select
        className="at-input"
        aria-label={message(ctx.locale, 'field')}
        value={fieldName}
        onChange={(e) => {
          setFieldName(e.target.value);
          setValue('');
        }}
      >
        {fields.map((f) => (
          <option key={f.name} value={f.name}>
            {labelText(f.label, ctx.locale, f.name)}
          </option>
        ))}
      </select>
      {field && Widget && (
        <span className="at-filter-value">
          <label htmlFor={`${id}`} id={`${id}-label`} className="at-visually-hidden">
            {message(ctx.locale, 'value')}
          </label>
          <Widget
            field={field}
            id={id}
            value={value}
            onChange={setValue}
            onBlur={() => {}}
            invalid={false}
            required={false}
            ctx={ctx}
          />
        </span>
      )}
      <button
        type="button"
        className="at-button at-button-primary"
        disabled={busy || !field}
        onClick={() =>
          run(async () => {
            if (!field) return;
            const api = toApiValue(field, value);
            const result = await ctx.client.bulk(module, {
              update: records.map((r) => ({
                id: String(r.id),
                version: Number(r.version),
                [field.name]: api,
              })),
            });
            onUpdated(result.updated);
          })
        }
      >
        {message(ctx.locale, 'bulkUpdate')}
      </button>
      {confirming ? (
        <button
          type="button"
          className="at-button at-button-danger"
          disabled={busy}
          onClick={() =>
            run(async () => {
              await ctx.client.bulk(module, {
                delete: records.map((r) => ({ id: String(r.id), version: Number(r.version) })),
              });
              setConfirming(false);
              onDeleted(records.map((r) => String(r.id)));
            })
          }
        >
          {message(ctx.locale, 'confirmDelete', { count: records.length })}
        </button>
      ) : (
        <button
          type="button"
          className="at-button"
          disabled={busy}
          onClick={() => setConfirming(true)}
        >
          {message(ctx.locale, 'bulkDelete')}
        </button>
      )}
      {error && (
        <span className="at-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
