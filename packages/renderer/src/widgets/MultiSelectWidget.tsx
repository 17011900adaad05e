import { labelText } from '@atrium/metadata';
import type { WidgetProps } from './types.js';

/** A multi-select picklist as a group of toggle chips: every option visible, one click each. */
export function MultiSelectWidget({
  field,
  id,
  value,
  onChange,
  onBlur,
  describedBy,
  ctx,
}: WidgetProps) {
  const selected = new Set(Array.isArray(value) ? (value as string[]) : []);
  const toggle = (option: string) => {
    const next = new Set(selected);
    if (next.has(option)) next.delete(option);
    else next.add(option);
    // Keep the options' order, not the click order.
    onChange((field.options ?? []).map((o) => o.value).filter((v) => next.has(v)));
  };
  return (
    <fieldset
      id={id}
      className="at-multi"
      aria-labelledby={`${id}-label`}
      aria-describedby={describedBy}
    >
      {(field.options ?? []).map((o) => (
        <label key={o.value} className="at-toggle">
          <input
            type="checkbox"
            checked={selected.has(o.value)}
            onChange={() => toggle(o.value)}
            onBlur={onBlur}
          />
          {labelText(o.label, ctx.locale, o.value)}
        </label>
      ))}
    </fieldset>
  );
}
