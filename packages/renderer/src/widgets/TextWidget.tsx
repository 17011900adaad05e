import type { WidgetProps } from './types.js';

const INPUT_TYPES: Record<string, string> = { email: 'email', phone: 'tel', url: 'url' };
const AUTOCOMPLETE: Record<string, string> = { email: 'email', phone: 'tel', url: 'url' };

/** Text, e-mail, phone and URL: one line of text with the matching keyboard on phones. */
export function TextWidget({
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
    <input
      id={id}
      className="at-input"
      type={INPUT_TYPES[field.type] ?? 'text'}
      autoComplete={AUTOCOMPLETE[field.type] ?? 'off'}
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
