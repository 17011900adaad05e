import type { FieldDef } from '@atrium/metadata';

const NUMERIC = new Set(['integer', 'decimal', 'currency', 'percent']);
const ARRAYS = new Set(['multipicklist', 'tags']);

/** A stored value as the form's input holds it (numbers as typed text, lookups as ids). */
export function toFormValue(field: FieldDef, value: unknown): unknown {
  if (ARRAYS.has(field.type)) return Array.isArray(value) ? value : [];
  if (value === null || value === undefined) return field.type === 'boolean' ? false : '';
  if (NUMERIC.has(field.type)) return String(value);
  if ((field.type === 'lookup' || field.type === 'user') && typeof value === 'object')
    return String((value as { id?: unknown }).id ?? '');
  return value;
}

/**
 * What the form's input means as an API value: '' is null, typed numbers are numbers. A number
 * that does not parse stays text so validation names it instead of sending NaN.
 */
export function toApiValue(field: FieldDef, value: unknown): unknown {
  if (ARRAYS.has(field.type)) return Array.isArray(value) && value.length > 0 ? value : null;
  if (value === '' || value === undefined || value === null) return null;
  if (NUMERIC.has(field.type)) {
    const text = String(value).replace(/[,\s]/g, '');
    const n = Number(text);
    return text !== '' && Number.isFinite(n) ? n : String(value);
  }
  if (typeof value === 'string' && field.type !== 'textarea')
    return value.trim() === '' ? null : value;
  return value;
}
