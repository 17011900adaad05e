import type { WidgetProps } from './types.js';

/** Long text: grows with its content up to a few lines, then scrolls. */
export function TextareaWidget({
  field,
  id,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
  required,
}: WidgetProps) {
  return (
    <textarea
      id={id}
      className="at-input at-textarea"
      rows={3}
      value={String(value ?? '')}
      maxLength={field.maxLength}
      onChange={(e) => onChange(e.target.value)}
      onBlur={onBlur}
      aria-invalid={invalid || undefined}
      aria-describedby={describedBy}
      aria-required={required || undefined}
    />
  );
}
