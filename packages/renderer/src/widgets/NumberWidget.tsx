import type { WidgetProps } from './types.js';

/**
 * Integer, decimal, currency and percent: typed as text (so "1,200.50" and a half-typed "-" are
 * kept as the user wrote them) with the currency code or % beside the input.
 */
export function NumberWidget({
  field,
  id,
  value,
  onChange,
  onBlur,
  invalid,
  describedBy,
  required,
  currency,
}: WidgetProps) {
  const affix = field.type === 'currency' ? (currency ?? '') : field.type === 'percent' ? '%' : '';
  return (
    <div className="at-affixed">
      <input
        id={id}
        className="at-input at-number"
        type="text"
        inputMode={field.type === 'integer' ? 'numeric' : 'decimal'}
        value={String(value ?? '')}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy}
        aria-required={required || undefined}
      />
      {affix && (
        <span className="at-affix" aria-hidden="true">
          {affix}
        </span>
      )}
    </div>
  );
}
