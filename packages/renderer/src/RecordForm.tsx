import { type FieldDef, type LayoutSection, labelText } from '@atrium/metadata';
import {
  type CSSProperties,
  type KeyboardEvent,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from 'react';
import { I18nProvider } from 'react-aria-components';
import { Controller, type FieldErrors, type Resolver, useForm } from 'react-hook-form';
import { ClientError, type Problem, type RecordValues, type RenderContext } from './client.js';
import { FieldValue } from './FieldValue.js';
import { toApiValue, toFormValue } from './form-values.js';
import { applyLayoutRules } from './layout-rules.js';
import { message } from './messages.js';
import { fieldMap, findLayout, findModule, isWritable, specOf } from './metadata.js';
import { validateValues } from './validate.js';
import { ReadOnlyWidget } from './widgets/ReadOnlyWidget.js';
import { WIDGETS } from './widgets/registry.js';
import type { Widget } from './widgets/types.js';

export interface RecordFormProps {
  ctx: RenderContext;
  module: string;
  /** The record to edit (with `id` and `version`); absent for a new record. */
  record?: RecordValues;
  /** Values a new record starts with (e.g. the lookup of a related list's "New"). */
  initialValues?: RecordValues;
  /** A layout by name; the module's first layout otherwise. */
  layout?: string;
  onSaved?(record: RecordValues): void;
  onCancel?(): void;
  /** Told whenever the form gains or loses unsaved changes, so the app can warn before leaving. */
  onDirtyChange?(dirty: boolean): void;
  /** Override or extend the widget registry. */
  widgets?: Record<string, Widget>;
}

type FormValues = Record<string, unknown>;

/** The layout's sections, or one section of every writable field when the module has no layout. */
function sectionsOf(
  documents: RenderContext['documents'],
  module: string,
  layoutName?: string,
): { sections: LayoutSection[]; rules: ReturnType<typeof findLayout> } {
  const layout = findLayout(documents, module, layoutName);
  if (layout) return { sections: layout.sections, rules: layout };
  const doc = findModule(documents, module);
  const fields = (doc?.fields ?? []).filter(isWritable).map((f) => f.name);
  return { sections: [{ columns: 2, fields }], rules: undefined };
}

/**
 * A create or edit form generated from the module's layout. It checks values with the same
 * metadata and JSON Logic rules as the server before asking it, maps the server's refusals onto
 * the inputs by `details[].path`, applies the layout's rules as the user types, and saves with
 * Ctrl-Enter.
 */
export function RecordForm(props: RecordFormProps) {
  const {
    ctx,
    module,
    record: recordProp,
    initialValues,
    layout: layoutName,
    onSaved,
    onCancel,
    onDirtyChange,
  } = props;
  const doc = findModule(ctx.documents, module);
  const widgets = { ...WIDGETS, ...props.widgets };
  const baseId = useId();
  const { sections, rules: layout } = useMemo(
    () => sectionsOf(ctx.documents, module, layoutName),
    [ctx.documents, module, layoutName],
  );
  const byName = useMemo(() => (doc ? fieldMap(doc) : new Map<string, FieldDef>()), [doc]);
  const formFields = useMemo(
    () => sections.flatMap((s) => s.fields).filter((n) => byName.has(n)),
    [sections, byName],
  );
  // The version being edited: the prop, or the server's after the user chose to reload theirs.
  // Keyed by id and version, so a parent that re-creates the same record each render does not
  // reset what the user typed.
  const [record, setRecord] = useState(recordProp);
  const recordKey = recordProp ? `${String(recordProp.id)}:${String(recordProp.version)}` : '';
  useEffect(() => {
    setRecord(recordProp);
  }, [recordKey]);
  const [conflict, setConflict] = useState<{ current: RecordValues; payload: RecordValues } | null>(
    null,
  );
  const isNew = !record?.id;

  const initialKey = JSON.stringify(initialValues ?? null);
  const defaults = useMemo(() => {
    const initial = JSON.parse(initialKey) as RecordValues | null;
    const values: FormValues = {};
    for (const name of formFields) {
      const field = byName.get(name) as FieldDef;
      let value = record?.[name] ?? initial?.[name];
      if (value === undefined && isNew)
        value = name === 'currency_code' ? doc?.defaultCurrency : field.default;
      values[name] = toFormValue(field, value);
    }
    return values;
  }, [formFields, byName, record, initialKey, isNew, doc]);

  const apiValues = (values: FormValues): RecordValues => {
    const out: RecordValues = { ...record };
    for (const name of formFields)
      out[name] = toApiValue(byName.get(name) as FieldDef, values[name]);
    return out;
  };

  const [summary, setSummary] = useState<Problem[]>([]);
  const resolver: Resolver<FormValues> = async (values) => {
    if (!doc) return { values, errors: {} };
    const api = apiValues(values);
    const state = applyLayoutRules(layout, api, ctx.timeZone);
    const visible = formFields.filter(
      (n) => !state.hidden.has(n) && isWritable(byName.get(n) as FieldDef),
    );
    const problems = validateValues(doc, api, {
      locale: ctx.locale,
      timeZone: ctx.timeZone,
      fields: visible,
      required: state.required,
    });
    const errors: FieldErrors<FormValues> = {};
    for (const p of problems)
      if (visible.includes(p.path)) errors[p.path] = { type: 'validate', message: p.message };
    const recordLevel = problems.filter((p) => !visible.includes(p.path));
    setSummary(recordLevel);
    return Object.keys(errors).length > 0 || recordLevel.length > 0
      ? { values: {}, errors }
      : { values, errors: {} };
  };

  const form = useForm<FormValues>({ defaultValues: defaults, resolver, mode: 'onTouched' });
  const { control, handleSubmit, formState, setError, watch, reset } = form;
  const [saving, setSaving] = useState(false);
  const formRef = useRef<HTMLFormElement>(null);

  useEffect(() => {
    reset(defaults);
  }, [defaults, reset]);
  useEffect(() => {
    onDirtyChange?.(formState.isDirty);
  }, [formState.isDirty, onDirtyChange]);

  const live = apiValues(watch());
  const ruleState = applyLayoutRules(layout, live, ctx.timeZone);
  const currency =
    (live.currency_code as string | null | undefined) ?? doc?.defaultCurrency ?? null;

  if (!doc) return null;

  const submit = handleSubmit(async (values) => {
    const api = apiValues(values);
    const payload: RecordValues = {};
    for (const name of formFields) {
      const field = byName.get(name) as FieldDef;
      if (!isWritable(field) || ruleState.hidden.has(name)) continue;
      if (!isNew && !formState.dirtyFields[name]) continue;
      if (isNew && api[name] === null) continue;
      payload[name] = api[name];
    }
    await save(payload);
  });

  /** Sends the changes; `version` overrides the edited one (saving over someone else's change). */
  const save = async (payload: RecordValues, version?: number) => {
    setSaving(true);
    setSummary([]);
    setConflict(null);
    try {
      const saved = isNew
        ? await ctx.client.create(module, payload)
        : await ctx.client.update(module, String(record?.id), {
            ...payload,
            version: version ?? Number(record?.version),
          });
      reset(form.getValues());
      onSaved?.(saved);
    } catch (error) {
      if (!(error instanceof ClientError)) throw error;
      if (error.code === 'VERSION_CONFLICT' && record?.id) {
        const current = await ctx.client.get(module, String(record.id)).catch(() => undefined);
        if (current) {
          setConflict({ current, payload });
          return;
        }
      }
      const rest: Problem[] = [];
      for (const d of error.details) {
        const name = d.path.replace(/^\//, '').split(/[./[]/)[0] ?? '';
        if (formFields.includes(name) && !ruleState.hidden.has(name))
          setError(
            name,
            { type: 'server', message: d.message },
            { shouldFocus: rest.length === 0 },
          );
        else rest.push(d);
      }
      if (error.details.length === 0 || rest.length > 0)
        setSummary(rest.length > 0 ? rest : [{ path: '', message: error.message }]);
    } finally {
      setSaving(false);
    }
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void submit();
    }
  };

  const fieldErrors = Object.entries(formState.errors).filter(([, e]) => e?.message);
  const problemCount = fieldErrors.length + summary.length;
  const same = (name: string, a: unknown, b: unknown) => {
    const field = byName.get(name) as FieldDef;
    return (
      JSON.stringify(toApiValue(field, toFormValue(field, a))) ===
      JSON.stringify(toApiValue(field, toFormValue(field, b)))
    );
  };
  const theirChanges = conflict
    ? formFields.filter((n) => !same(n, record?.[n], conflict.current[n]))
    : [];

  return (
    <I18nProvider locale={ctx.locale}>
      <form ref={formRef} className="at-form" onSubmit={submit} onKeyDown={onKeyDown} noValidate>
        {conflict && (
          <div className="at-form-summary at-conflict" role="alert">
            <p>{message(ctx.locale, 'conflict')}</p>
            <ul>
              {theirChanges.map((name) => (
                <li key={name}>
                  {labelText(byName.get(name)?.label, ctx.locale, name)}:{' '}
                  <FieldValue
                    field={byName.get(name) as FieldDef}
                    value={conflict.current[name]}
                    ctx={ctx}
                    currency={currency}
                  />
                </li>
              ))}
            </ul>
            <div className="at-form-actions">
              <button
                type="button"
                className="at-button"
                onClick={() => {
                  setRecord(conflict.current);
                  setConflict(null);
                }}
              >
                {message(ctx.locale, 'conflictReload')}
              </button>
              <button
                type="button"
                className="at-button at-button-danger"
                onClick={() => void save(conflict.payload, Number(conflict.current.version))}
              >
                {message(ctx.locale, 'conflictOverwrite')}
              </button>
            </div>
          </div>
        )}
        {problemCount > 0 && (
          <div className="at-form-summary" role="alert">
            <p>{message(ctx.locale, 'formErrors', { count: problemCount })}</p>
            <ul>
              {fieldErrors.map(([name, e]) => (
                <li key={name}>
                  <a href={`#${baseId}-${name}`}>
                    {labelText(byName.get(name)?.label, ctx.locale, name)}
                  </a>
                  : {String(e?.message)}
                </li>
              ))}
              {summary.map((p) => (
                <li key={`${p.path}:${p.message}`}>{p.message}</li>
              ))}
            </ul>
          </div>
        )}
        {sections.map((section, i) => {
          const names = section.fields.filter((n) => byName.has(n) && !ruleState.hidden.has(n));
          if (names.length === 0) return null;
          return (
            <fieldset key={`${i}-${section.fields.join()}`} className="at-section">
              {section.label && (
                <legend className="at-section-title">
                  {labelText(section.label, ctx.locale, '')}
                </legend>
              )}
              <div
                className="at-grid"
                style={{ '--at-columns': section.columns ?? 1 } as CSSProperties}
              >
                {names.map((name) => {
                  const field = byName.get(name) as FieldDef;
                  const id = `${baseId}-${name}`;
                  const writable = isWritable(field);
                  const Input =
                    (writable
                      ? widgets[name === 'currency_code' ? 'currency_code' : specOf(field).widget]
                      : undefined) ?? ReadOnlyWidget;
                  const required =
                    writable && (field.required === true || ruleState.required.has(name));
                  const error = formState.errors[name]?.message;
                  const help = field.help ? labelText(field.help, ctx.locale, '') : '';
                  const describedBy =
                    [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' ') ||
                    undefined;
                  return (
                    <div
                      key={name}
                      className={`at-field at-field-${field.type}`}
                      data-invalid={error ? '' : undefined}
                    >
                      <label id={`${id}-label`} htmlFor={id} className="at-label">
                        {labelText(field.label, ctx.locale, name)}
                        {required && (
                          <span className="at-required" aria-hidden="true">
                            {' *'}
                          </span>
                        )}
                      </label>
                      <Controller
                        name={name}
                        control={control}
                        render={({ field: f }) => (
                          <Input
                            field={field}
                            id={id}
                            value={f.value}
                            onChange={f.onChange}
                            onBlur={f.onBlur}
                            invalid={Boolean(error)}
                            describedBy={describedBy}
                            required={required}
                            ctx={ctx}
                            record={record}
                            currency={currency}
                          />
                        )}
                      />
                      {help && (
                        <p id={`${id}-help`} className="at-help">
                          {help}
                        </p>
                      )}
                      {error && (
                        <p id={`${id}-error`} className="at-error">
                          {String(error)}
                        </p>
                      )}
                    </div>
                  );
                })}
              </div>
            </fieldset>
          );
        })}
        <div className="at-form-actions">
          <button
            type="submit"
            className="at-button at-button-primary"
            disabled={saving}
            aria-keyshortcuts="Control+Enter"
          >
            {message(ctx.locale, saving ? 'saving' : 'save')}
          </button>
          {onCancel && (
            <button type="button" className="at-button" onClick={onCancel}>
              {message(ctx.locale, 'cancel')}
            </button>
          )}
          <span className="at-muted at-shortcut">{message(ctx.locale, 'saveShortcut')}</span>
        </div>
      </form>
    </I18nProvider>
  );
}
