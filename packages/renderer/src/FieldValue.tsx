import { type FieldDef, labelText } from '@atrium/metadata';
import type { RenderContext } from './client.js';
import { type FormatOptions, formatValue } from './format-value.js';

export interface FieldValueProps {
  field: FieldDef;
  value: unknown;
  ctx: Pick<RenderContext, 'locale' | 'timeZone' | 'documents'>;
  currency?: string | null;
  userName?: FormatOptions['userName'];
}

/**
 * One value for reading: links for e-mail, phone and URL, picklist options as coloured chips
 * (the option's colour is the only colour metadata brings in), the rest as formatted text.
 */
export function FieldValue({ field, value, ctx, currency, userName }: FieldValueProps) {
  const options: FormatOptions = {
    locale: ctx.locale,
    timeZone: ctx.timeZone,
    currency: currency ?? null,
    documents: ctx.documents,
    ...(userName && { userName }),
  };
  if (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  )
    return <span className="at-empty">—</span>;
  if (field.type === 'picklist' || field.type === 'multipicklist') {
    const values = Array.isArray(value) ? value : [value];
    return (
      <span className="at-chips">
        {values.map((v) => {
          const option = field.options?.find((o) => o.value === v);
          return (
            <span key={String(v)} className="at-chip">
              {option?.color && (
                <span
                  className="at-chip-dot"
                  style={{ background: option.color }}
                  aria-hidden="true"
                />
              )}
              <span className="at-chip-text">
                {labelText(option?.label, ctx.locale, String(v))}
              </span>
            </span>
          );
        })}
      </span>
    );
  }
  const text = formatValue(field, value, options);
  const href =
    field.type === 'email'
      ? `mailto:${value}`
      : field.type === 'phone'
        ? `tel:${value}`
        : field.type === 'url'
          ? String(value)
          : undefined;
  if (href && (field.type !== 'url' || /^https?:/i.test(href)))
    return (
      <a
        className="at-link"
        href={href}
        {...(field.type === 'url' && { target: '_blank', rel: 'noreferrer' })}
      >
        {text}
      </a>
    );
  const numeric = ['integer', 'decimal', 'currency', 'percent'].includes(
    field.type === 'formula' ? (field.returns ?? '') : field.type,
  );
  return <span className={numeric ? 'at-value at-num' : 'at-value'}>{text}</span>;
}
