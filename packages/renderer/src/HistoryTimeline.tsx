import { type FieldDef, labelText, type ModuleDoc } from '@atrium/metadata';
import { useEffect, useState } from 'react';
import type { RecordValues, RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { formatDateTime } from './format-value.js';
import { message } from './messages.js';
import { fieldMap } from './metadata.js';
import { useUserNames } from './use-user-names.js';

export interface HistoryTimelineProps {
  ctx: RenderContext;
  module: ModuleDoc;
  id: string;
  /** Names users by id; the timeline asks `client.users()` when not given. */
  userName?: (id: string) => string | undefined;
  /** Bump to reload after a save. */
  revision?: number;
}

type Change = { from?: unknown; to?: unknown };

/** The record's field history, newest first: who, when, and each field from → to. */
export function HistoryTimeline({ ctx, module, id, userName, revision }: HistoryTimelineProps) {
  const [entries, setEntries] = useState<RecordValues[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const byName = fieldMap(module);

  useEffect(() => {
    let live = true;
    void revision;
    ctx.client.history(module.name, id).then(
      (page) => {
        if (!live) return;
        setEntries(page.data);
        setCursor(page.nextCursor);
      },
      () => {},
    );
    return () => {
      live = false;
    };
  }, [ctx.client, module.name, id, revision]);

  const nameOf = useUserNames(ctx.client, userName);

  const who = (actor: unknown) => (actor ? (nameOf(String(actor)) ?? String(actor)) : '—');
  const more = async () => {
    if (!cursor) return;
    const page = await ctx.client.history(module.name, id, cursor);
    setEntries((old) => [...old, ...page.data]);
    setCursor(page.nextCursor);
  };

  if (entries.length === 0) return <p className="at-muted">{message(ctx.locale, 'noHistory')}</p>;
  return (
    <>
      <ol className="at-timeline">
        {entries.map((entry) => {
          const changes = Object.entries((entry.changes ?? {}) as Record<string, Change>).filter(
            ([name]) => byName.has(name),
          );
          const action = String(entry.action ?? 'update');
          return (
            <li key={String(entry.id)} className="at-timeline-entry">
              <div className="at-timeline-meta">
                <strong>{who(entry.actor)}</strong> ·{' '}
                <time dateTime={String(entry.at)}>
                  {formatDateTime(String(entry.at), ctx.locale, ctx.timeZone)}
                </time>
              </div>
              {action === 'create' && <div>{message(ctx.locale, 'created')}</div>}
              {action === 'delete' && <div>{message(ctx.locale, 'deleted')}</div>}
              {action === 'restore' && <div>{message(ctx.locale, 'restored')}</div>}
              {/* A blueprint transition changes fields like an update does (its stage among them). */}
              {(action === 'update' || action === 'transition') &&
                changes.map(([name, change]) => {
                  const field = byName.get(name) as FieldDef;
                  return (
                    <div key={name} className="at-timeline-change">
                      {message(ctx.locale, 'changed', {
                        label: labelText(field.label, ctx.locale, name),
                      })}
                      : <FieldValue field={field} value={change.from} ctx={ctx} userName={nameOf} />{' '}
                      → <FieldValue field={field} value={change.to} ctx={ctx} userName={nameOf} />
                    </div>
                  );
                })}
            </li>
          );
        })}
      </ol>
      {cursor && (
        <button type="button" className="at-button at-button-ghost" onClick={() => void more()}>
          {message(ctx.locale, 'loadMore')}
        </button>
      )}
    </>
  );
}
