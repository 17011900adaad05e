import { type BlueprintDoc, type FieldDef, labelText, type ModuleDoc } from '@atrium/metadata';
import { useCallback, useEffect, useId, useState } from 'react';
import {
  ClientError,
  type PendingApproval,
  type RecordValues,
  type RenderContext,
} from './client.js';
import { toApiValue, toFormValue } from './form-values.js';
import { formatDateTime } from './format-value.js';
import { message } from './messages.js';
import { fieldMap, specOf } from './metadata.js';
import { WIDGETS } from './widgets/registry.js';

export interface BlueprintPathProps {
  ctx: RenderContext;
  module: ModuleDoc;
  blueprint: BlueprintDoc;
  record: RecordValues;
  /** The record as the transition saved it. */
  onChanged(record: RecordValues): void;
  /** A user's name by id, for who asked for a pending approval. */
  userName?: (id: string) => string | undefined;
}

const empty = (v: unknown) =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * The process on a record, as Salesforce's path and Zoho's blueprint show it: the stages of the
 * blueprint's field as steps (done, current, ahead), and the transitions that leave the current
 * one as buttons. A transition that requires fields the record lacks asks for exactly those
 * first; the server decides (who may, `when`) and a refusal is shown with its reason. A
 * transition held for approval is named in place of the buttons (none runs meanwhile).
 */
export function BlueprintPath({
  ctx,
  module,
  blueprint,
  record,
  onChanged,
  userName,
}: BlueprintPathProps) {
  const baseId = useId();
  const byName = fieldMap(module);
  const field = byName.get(blueprint.field);
  const [asking, setAsking] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingApproval | null>(null);
  const { client } = ctx;
  const recordId = String(record.id);
  // Only a blueprint with an approval rule can hold a record; others are not asked.
  const holds = blueprint.transitions.some((t) => t.approval !== undefined);
  const loadPending = useCallback(async (): Promise<PendingApproval | null> => {
    const found =
      holds && client.pendingApproval
        ? await client.pendingApproval(module.name, recordId).catch(() => null)
        : null;
    setPending(found);
    return found;
  }, [client, module.name, recordId, holds]);
  // Asked again whenever the record changes (a decision moves it, or unlocks it).
  useEffect(() => {
    void loadPending();
  }, [loadPending, record.version]);
  if (!field || !ctx.client.transition) return null;
  const state = String(record[field.name] ?? '');
  const options = field.options ?? [];
  const at = options.findIndex((o) => o.value === state);
  const available = blueprint.transitions.filter((t) => t.from.includes(state));
  const current = available.find((t) => t.name === asking);
  const missing = (current?.require ?? [])
    .filter((n) => empty(record[n]))
    .map((n) => byName.get(n))
    .filter((f): f is FieldDef => f !== undefined);

  const run = async (name: string, given: Record<string, unknown>) => {
    if (!ctx.client.transition) return;
    setBusy(true);
    setProblem(null);
    try {
      const saved = await ctx.client.transition(module.name, String(record.id), name, {
        values: given,
        version: Number(record.version),
      });
      setAsking(null);
      setValues({});
      onChanged(saved);
      const t = blueprint.transitions.find((x) => x.name === name);
      const to = options.find((o) => o.value === t?.to);
      // Answered 202: the record did not move, it waits for someone's decision.
      if (String(saved[field.name] ?? '') === state && (await loadPending())) {
        ctx.notify?.(
          message(ctx.locale, 'sentForApproval', {
            transition: labelText(t?.label, ctx.locale, name),
          }),
        );
        return;
      }
      ctx.notify?.(
        message(ctx.locale, 'transitionDone', {
          transition: labelText(t?.label, ctx.locale, name),
          stage: labelText(to?.label, ctx.locale, String(t?.to)),
        }),
      );
    } catch (error) {
      if (error instanceof ClientError && error.code === 'RECORD_AWAITING_APPROVAL')
        void loadPending();
      setProblem(
        error instanceof ClientError
          ? [error.message, ...error.details.map((d) => d.message)].join(' ')
          : String(error),
      );
    } finally {
      setBusy(false);
    }
  };

  const start = (name: string) => {
    const t = available.find((x) => x.name === name);
    const needs = (t?.require ?? []).filter((n) => empty(record[n]));
    if (needs.length === 0) return void run(name, {});
    setValues(
      Object.fromEntries(needs.map((n) => [n, toFormValue(byName.get(n) as FieldDef, null)])),
    );
    setAsking(name);
  };

  return (
    <div className="at-path-wrap">
      <ol className="at-path" aria-label={labelText(field.label, ctx.locale, field.name)}>
        {options.map((o, i) => (
          <li
            key={o.value}
            className="at-path-step"
            data-state={i < at ? 'done' : i === at ? 'current' : 'ahead'}
            aria-current={i === at ? 'step' : undefined}
          >
            {labelText(o.label, ctx.locale, o.value)}
            {i === at && (
              <span className="at-path-of">
                {' '}
                {message(ctx.locale, 'stepOf', { at: at + 1, total: options.length })}
              </span>
            )}
          </li>
        ))}
      </ol>
      {pending && (
        <p className="at-path-pending" role="status">
          <svg
            className="at-path-pending-mark"
            width="16"
            height="16"
            viewBox="0 0 24 24"
            aria-hidden="true"
            focusable="false"
          >
            <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="2" />
            <path d="M12 7v5l3 2" fill="none" stroke="currentColor" strokeWidth="2" />
          </svg>
          {message(ctx.locale, 'awaitingApproval', {
            transition: labelText(
              blueprint.transitions.find((t) => t.name === pending.transition)?.label,
              ctx.locale,
              pending.transition,
            ),
            who: userName?.(pending.requestedBy) ?? '—',
            when: formatDateTime(pending.createdAt, ctx.locale, ctx.timeZone),
          })}
        </p>
      )}
      {available.length > 0 && !current && !pending && (
        <div className="at-path-actions">
          {available.map((t) => (
            <button
              key={t.name}
              type="button"
              className="at-button"
              disabled={busy}
              onClick={() => start(t.name)}
            >
              {labelText(t.label, ctx.locale, t.name)}
            </button>
          ))}
        </div>
      )}
      {current && (
        <form
          className="at-path-form"
          aria-label={labelText(current.label, ctx.locale, current.name)}
          onSubmit={(e) => {
            e.preventDefault();
            const given = Object.fromEntries(
              missing.map((f) => [f.name, toApiValue(f, values[f.name])]),
            );
            void run(current.name, given);
          }}
        >
          <p className="at-muted">{message(ctx.locale, 'transitionNeeds')}</p>
          {missing.map((f) => {
            const Widget = WIDGETS[specOf(f).widget] ?? WIDGETS.text;
            const id = `${baseId}-${f.name}`;
            if (!Widget) return null;
            return (
              <div key={f.name} className="at-field">
                <label id={`${id}-label`} htmlFor={id} className="at-label">
                  {labelText(f.label, ctx.locale, f.name)}
                  <span className="at-required" aria-hidden="true">
                    {' '}
                    *
                  </span>
                </label>
                <Widget
                  field={f}
                  id={id}
                  value={values[f.name]}
                  onChange={(v) => setValues((old) => ({ ...old, [f.name]: v }))}
                  onBlur={() => {}}
                  invalid={false}
                  required
                  ctx={ctx}
                  record={record}
                  currency={(record.currency_code as string | undefined) ?? null}
                />
              </div>
            );
          })}
          <div className="at-path-actions">
            <button type="submit" className="at-button at-button-primary" disabled={busy}>
              {labelText(current.label, ctx.locale, current.name)}
            </button>
            <button
              type="button"
              className="at-button"
              onClick={() => {
                setAsking(null);
                setProblem(null);
              }}
            >
              {message(ctx.locale, 'cancel')}
            </button>
          </div>
        </form>
      )}
      {problem && (
        <p className="at-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
