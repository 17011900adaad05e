import type { WidgetProps } from './types.js';

/** A boolean as a checkbox; its label is the field's label. */
export function CheckboxWidget({ id, value, onChange, onBlur, describedBy }: WidgetProps) {
  return (
    <input
      id={id}
      className="at-checkbox"
      type="checkbox"
      checked={value === true}
      onChange={(e) => onChange(e.target.checked)}
      onBlur={onBlur}
      aria-describedby={describedBy}
    />
  );
}
