import { type FieldDef, labelText } from '@atrium/metadata';
import { useId } from 'react';
import type { RenderContext } from './client.js';
import { FILTER_PERIODS, type FilterCondition } from './filter-logic.js';
import { type MessageKey, message } from './messages.js';
import { specOf } from './metadata.js';
import { WIDGETS } from './widgets/registry.js';

export interface FilterBuilderProps {
  ctx: RenderContext;
  /** The fields one may filter on, in the order offered. */
  fields: FieldDef[];
  conditions: FilterCondition[];
  onChange(conditions: FilterCondition[]): void;
}

/** The value input of a condition: the field's own widget, a period, or two bounds. */
function ValueInput({
  ctx,
  field,
  condition,
  id,
  set,
}: {
  ctx: RenderContext;
  field: FieldDef;
  condition: FilterCondition;
  id: string;
  set(v: unknown): void;
}) {
  if (condition.op === 'is_empty') return null;
  if (condition.op === 'date_in')
    return (
      <select
        id={id}
        className="at-input"
        aria-label={message(ctx.locale, 'value')}
        value={String(condition.value || 'today')}
        onChange={(e) => set(e.target.value)}
      >
        {FILTER_PERIODS.map((p) => (
          <option key={p} value={p}>
            {message(ctx.locale, `period_${p}` as MessageKey)}
          </option>
        ))}
      </select>
    );
  const scalar: FieldDef =
    field.type === 'multipicklist'
      ? { ...field, type: 'picklist' }
      : field.type === 'tags'
        ? { ...field, type: 'text' }
        : field;
  const Widget = WIDGETS[specOf(scalar).widget] ?? WIDGETS.text;
  if (!Widget) return null;
  const one = (value: unknown, onChange: (v: unknown) => void, suffix = '') => (
    <span className="at-filter-value">
      <label htmlFor={`${id}${suffix}`} id={`${id}${suffix}-label`} className="at-visually-hidden">
        {labelText(field.label, ctx.locale, field.name)} {message(ctx.locale, 'value')}
      </label>
      <Widget
        field={scalar}
        id={`${id}${suffix}`}
        value={value}
        onChange={onChange}
        onBlur={() => {}}
        invalid={false}
        required
        ctx={ctx}
      />
    </span>
  );
  if (condition.op === 'between') {
    const [low, high] = Array.isArray(condition.value) ? condition.value : ['', ''];
    return (
      <>
        {one(low, (v) => set([v, high]), '-low')}
        {one(high, (v) => set([low, v]), '-high')}
      </>
    );
  }
  return one(condition.value, set);
}

/**
 * Conditions as chips one edits in place: a field, an operator the field's type allows (from
 * the registry) and a value in the field's own widget. The table turns them into JSON Logic.
 */
export function FilterBuilder({ ctx, fields, conditions, onChange }: FilterBuilderProps) {
  const baseId = useId();
  const byName = new Map(fields.map((f) => [f.name, f]));
  const update = (i: number, next: Partial<FilterCondition>) =>
    onChange(conditions.map((c, j) => (j === i ? { ...c, ...next } : c)));
  const first = fields[0];
  // Fields behind a lookup (`account.industry`) are offered under the lookup's name.
  const groups = new Map<string, FieldDef[]>();
  for (const f of fields) {
    const dot = f.name.indexOf('.');
    if (dot > 0) groups.set(f.name.slice(0, dot), [...(groups.get(f.name.slice(0, dot)) ?? []), f]);
  }
  return (
    <fieldset className="at-filters" aria-label={message(ctx.locale, 'addFilter')}>
      {conditions.map((c, i) => {
        const field = byName.get(c.field);
        if (!field) return null;
        const id = `${baseId}-${i}`;
        return (
          <div key={id} className="at-filter">
            <select
              className="at-input"
              aria-label={message(ctx.locale, 'field')}
              value={c.field}
              onChange={(e) => {
                const f = byName.get(e.target.value);
                if (f) update(i, { field: f.name, op: specOf(f).operators[0] ?? 'eq', value: '' });
              }}
            >
              {fields
                .filter((f) => !f.name.includes('.'))
                .map((f) => (
                  <option key={f.name} value={f.name}>
                    {labelText(f.label, ctx.locale, f.name)}
                  </option>
                ))}
              {[...groups].map(([lookup, paths]) => (
                <optgroup
                  key={lookup}
                  label={labelText(byName.get(lookup)?.label, ctx.locale, lookup)}
                >
                  {paths.map((f) => (
                    <option key={f.name} value={f.name}>
                      {labelText(f.label, ctx.locale, f.name)}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            <select
              className="at-input"
              aria-label={message(ctx.locale, 'operator')}
              value={c.op}
              onChange={(e) =>
                update(i, {
                  op: e.target.value as FilterCondition['op'],
                  value:
                    e.target.value === 'between' ? ['', ''] : c.op === 'between' ? '' : c.value,
                })
              }
            >
              {specOf(field).operators.map((op) => (
                <option key={op} value={op}>
                  {message(ctx.locale, `op_${op}` as MessageKey)}
                </option>
              ))}
            </select>
            <ValueInput
              ctx={ctx}
              field={field}
              condition={c}
              id={id}
              set={(value) => update(i, { value })}
            />
            <button
              type="button"
              className="at-icon-button"
              aria-label={message(ctx.locale, 'removeFilter')}
              onClick={() => onChange(conditions.filter((_, j) => j !== i))}
            >
              ×
            </button>
          </div>
        );
      })}
      {first && (
        <button
          type="button"
          className="at-button at-button-ghost"
          onClick={() =>
            onChange([
              ...conditions,
              { field: first.name, op: specOf(first).operators[0] ?? 'eq', value: '' },
            ])
          }
        >
          + {message(ctx.locale, 'addFilter')}
        </button>
      )}
    </fieldset>
  );
}
