import { type FieldDef, labelText, type ModuleDoc, type ViewDoc } from '@atrium/metadata';
import { useEffect, useState } from 'react';
import type { RecordValues, RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { message } from './messages.js';
import { fieldMap, recordNameField, recordTitle } from './metadata.js';

export interface RelatedListProps {
  ctx: RenderContext;
  /** The module whose lookup points at the record. */
  module: ModuleDoc;
  /** That lookup. */
  lookup: FieldDef;
  /** The record it points at. */
  id: string;
  /** Show the lookup's label too (a module with two lookups to the same target). */
  qualify?: boolean;
  limit?: number;
  onOpen?(module: string, record: RecordValues): void;
  /** "New" with the link pre-filled: `{[lookup]: id}`. */
  onNew?(module: string, initialValues: RecordValues): void;
}

/** Records of another module whose lookup points here, with their count and a pre-linked "New". */
export function RelatedList({
  ctx,
  module,
  lookup,
  id,
  qualify,
  limit = 5,
  onOpen,
  onNew,
}: RelatedListProps) {
  const [rows, setRows] = useState<RecordValues[]>([]);
  const [count, setCount] = useState<number | null>(null);
  const byName = fieldMap(module);
  const view = ctx.documents.find(
    (d): d is ViewDoc => d.kind === 'view' && d.module === module.name && d.type === 'table',
  );
  const nameField = recordNameField(module);
  const extra = (view?.columns ?? module.fields.map((f) => f.name))
    .filter(
      (n) =>
        n !== nameField && n !== lookup.name && byName.has(n) && byName.get(n)?.type !== 'lookup',
    )
    .slice(0, 2)
    .map((n) => byName.get(n) as FieldDef);

  useEffect(() => {
    let live = true;
    ctx.client
      .list(module.name, { filter: { '==': [{ var: lookup.name }, id] }, limit, count: true })
      .then(
        (page) => {
          if (!live) return;
          setRows(page.data);
          setCount(page.count?.value ?? page.data.length);
        },
        () => live && setCount(0),
      );
    return () => {
      live = false;
    };
  }, [ctx.client, module.name, lookup.name, id, limit]);

  const title = labelText(module.pluralLabel ?? module.label, ctx.locale, module.name);
  const headingId = `at-related-${module.name}-${lookup.name}`;
  return (
    <section className="at-related" aria-labelledby={headingId}>
      <div className="at-related-header">
        <h3 id={headingId} className="at-section-heading">
          {title}
          {qualify && (
            <span className="at-muted"> · {labelText(lookup.label, ctx.locale, lookup.name)}</span>
          )}
          {count !== null && (
            <span className="at-muted"> ({new Intl.NumberFormat(ctx.locale).format(count)})</span>
          )}
        </h3>
        {onNew && (
          <button
            type="button"
            className="at-button"
            onClick={() => onNew(module.name, { [lookup.name]: id })}
          >
            + {message(ctx.locale, 'new')}
          </button>
        )}
      </div>
      {rows.length > 0 && (
        <ul className="at-related-list">
          {rows.map((r) => (
            <li key={String(r.id)}>
              {onOpen ? (
                <button
                  type="button"
                  className="at-cell-link"
                  onClick={() => onOpen(module.name, r)}
                >
                  {recordTitle(module, r)}
                </button>
              ) : (
                <span>{recordTitle(module, r)}</span>
              )}
              {extra.map((f) => (
                <span key={f.name} className="at-muted">
                  <FieldValue
                    field={f}
                    value={r[f.name]}
                    ctx={ctx}
                    currency={(r.currency_code as string) ?? null}
                  />
                </span>
              ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
