import {
  type BlueprintDoc,
  type FieldDef,
  labelText,
  type ModuleDoc,
  referringLookups,
} from '@atrium/metadata';
import { type CSSProperties, type ReactNode, useEffect, useMemo, useState } from 'react';
import { BlueprintPath } from './BlueprintPath.js';
import type { RecordValues, RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { HistoryTimeline } from './HistoryTimeline.js';
import { message } from './messages.js';
import { fieldMap, findLayout, findModule, recordTitle } from './metadata.js';
import { RelatedList } from './RelatedList.js';
import { useUserNames } from './use-user-names.js';

export interface RecordDetailProps {
  ctx: RenderContext;
  module: string;
  /** The record to show; when absent it is read through `client.get(module, id)`. */
  record?: RecordValues;
  id?: string;
  layout?: string;
  /** Fields in the header; the owner, the first picklist, money and date by default. */
  keyFields?: string[];
  /** Shows an Edit button (the app opens the form). */
  onEdit?(record: RecordValues): void;
  onOpenRelated?(module: string, record: RecordValues): void;
  /** "New" in a related list, with the lookup to this record pre-filled. */
  onNewRelated?(module: string, initialValues: RecordValues): void;
  userName?: (id: string) => string | undefined;
  /** More actions beside Edit (the app's Delete, …), given the record once it is loaded. */
  actions?(record: RecordValues): ReactNode;
}

function defaultKeyFields(module: ModuleDoc): string[] {
  const first = (pred: (f: FieldDef) => boolean) => module.fields.find(pred)?.name;
  return [
    'owner_id',
    first((f) => f.type === 'picklist'),
    first((f) => f.type === 'currency'),
    first((f) => f.type === 'date'),
  ].filter((n): n is string => Boolean(n));
}

/**
 * A record page: the name and key fields on top, the layout's sections read-only, the related
 * lists (records whose lookups point here) and the field history as a timeline.
 */
export function RecordDetail(props: RecordDetailProps) {
  const { ctx, module, onEdit, onOpenRelated, onNewRelated } = props;
  const userName = useUserNames(ctx.client, props.userName);
  const doc = findModule(ctx.documents, module);
  const byName = useMemo(() => (doc ? fieldMap(doc) : new Map<string, FieldDef>()), [doc]);
  const id = String(props.record?.id ?? props.id ?? '');
  const [fetched, setFetched] = useState<RecordValues | undefined>(undefined);
  const lookups = useMemo(
    () => (doc?.fields ?? []).filter((f) => f.type === 'lookup').map((f) => f.name),
    [doc],
  );

  useEffect(() => {
    if (props.record || !id) return;
    let live = true;
    ctx.client.get(module, id, { expand: lookups }).then(
      (r) => live && setFetched(r),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [ctx.client, module, id, props.record, lookups]);

  const record = props.record ?? fetched;
  if (!doc) return null;
  if (!record) return <p className="at-muted">{message(ctx.locale, 'loading')}</p>;

  const layout = findLayout(ctx.documents, module, props.layout);
  const sections = layout?.sections ?? [{ columns: 2, fields: doc.fields.map((f) => f.name) }];
  const currency = (record.currency_code as string | undefined) ?? doc.defaultCurrency ?? null;
  const keys = (props.keyFields ?? defaultKeyFields(doc)).filter((n) => byName.has(n));
  const modules = ctx.documents.filter((d): d is ModuleDoc => d.kind === 'module');
  const related = referringLookups(module, modules);
  const blueprint = ctx.documents.find(
    (d): d is BlueprintDoc => d.kind === 'blueprint' && d.module === module,
  );
  const show = (name: string) => (
    <FieldValue
      field={byName.get(name) as FieldDef}
      value={record[name]}
      ctx={ctx}
      currency={currency}
      userName={userName}
    />
  );

  return (
    <article className="at-detail">
      <header className="at-detail-header">
        <div>
          <h2 className="at-detail-title">{recordTitle(doc, record)}</h2>
          <dl className="at-keyfields">
            {keys.map((name) => (
              <div key={name}>
                <dt>{labelText(byName.get(name)?.label, ctx.locale, name)}</dt>
                <dd>{show(name)}</dd>
              </div>
            ))}
          </dl>
        </div>
        <div className="at-detail-actions">
          {props.actions?.(record)}
          {onEdit && (
            <button
              type="button"
              className="at-button at-button-primary"
              onClick={() => onEdit(record)}
            >
              {message(ctx.locale, 'edit')}
            </button>
          )}
        </div>
      </header>
      {blueprint && (
        <BlueprintPath
          ctx={ctx}
          module={doc}
          blueprint={blueprint}
          record={record}
          userName={userName}
          onChanged={(saved) =>
            // Keep the expanded lookups the write answer does not carry.
            setFetched({
              ...record,
              ...Object.fromEntries(Object.entries(saved).filter(([k]) => !lookups.includes(k))),
            })
          }
        />
      )}
      <div className="at-detail-main">
        {sections.map((section, i) => {
          const names = section.fields.filter((n) => byName.has(n));
          if (names.length === 0) return null;
          return (
            <section key={`${i}-${names.join()}`} className="at-section">
              {section.label && (
                <h3 className="at-section-heading">{labelText(section.label, ctx.locale, '')}</h3>
              )}
              <dl
                className="at-props"
                style={{ '--at-columns': section.columns ?? 1 } as CSSProperties}
              >
                {names.map((name) => (
                  <div key={name}>
                    <dt>{labelText(byName.get(name)?.label, ctx.locale, name)}</dt>
                    <dd>{show(name)}</dd>
                  </div>
                ))}
              </dl>
            </section>
          );
        })}
        {related.map(({ module: m, field }) => (
          <RelatedList
            key={`${m.name}.${field.name}`}
            ctx={ctx}
            module={m}
            lookup={field}
            id={id}
            qualify={related.filter((r) => r.module.name === m.name).length > 1}
            onOpen={onOpenRelated}
            onNew={onNewRelated}
          />
        ))}
      </div>
      <aside className="at-detail-side" aria-labelledby="at-history-heading">
        <h3 id="at-history-heading" className="at-section-heading">
          {message(ctx.locale, 'history')}
        </h3>
        <HistoryTimeline
          ctx={ctx}
          module={doc}
          id={id}
          userName={userName}
          revision={Number(record.version ?? 0)}
        />
      </aside>
    </article>
  );
}
