import { type FieldDef, type Message, valueSpec } from '@atrium/metadata';
import { ioMsg } from './io-messages.js';
import { recordMsg } from './messages.js';

/** A value read from a cell's text, or the message saying why it cannot be. */
export type CellValue = { value: unknown } | { problem: Message };

const YES = new Set(['true', 'yes', 'y', '1', '是', '对']);
const NO = new Set(['false', 'no', 'n', '0', '否', '错']);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const DATE = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/;
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads a cell's text (trimmed, not empty) as a value of the field's type, as a person writes it
 * in a sheet: `1,234.5`; true/false, yes/no, 是/否; dates as YYYY-MM-DD (or / .); date-times in
 * ISO 8601, in UTC when they name no offset; picklists by value or by label in either language;
 * multi-picklists and tags separated by `;`. Lookups and users are found by the caller (they need
 * the database): this answers their text as is. Whether the value is allowed is the write path's
 * to say (range, length, pattern), exactly as for the API.
 */
export function cellValue(f: FieldDef, text: string): CellValue {
  const type = f.type === 'formula' ? (f.returns ?? 'text') : f.type;
  const kind = valueSpec({ ...f, type }).valueKind;
  switch (type) {
    case 'picklist':
      return option(f, text);
    case 'multipicklist': {
      const values: unknown[] = [];
      for (const part of splitList(text)) {
        const o = option(f, part);
        if ('problem' in o) return o;
        values.push(o.value);
      }
      return { value: values };
    }
    case 'tags':
      return { value: splitList(text) };
    case 'boolean': {
      const t = text.toLowerCase();
      if (YES.has(t)) return { value: true };
      if (NO.has(t)) return { value: false };
      return { problem: ioMsg('notABoolean', { value: text }) };
    }
    case 'date': {
      const d = DATE.exec(text);
      const iso = d && `${d[1]}-${d[2]?.padStart(2, '0')}-${d[3]?.padStart(2, '0')}`;
      if (!iso || new Date(`${iso}T00:00:00Z`).toISOString().slice(0, 10) !== iso)
        return { problem: ioMsg('notADate', { value: text }) };
      return { value: iso };
    }
    case 'datetime': {
      const d = DATE_TIME.exec(text);
      const at = d && Date.parse(`${d[1]}T${d[2] ?? '00:00'}${d[3] ?? 'Z'}`);
      if (!d || at === null || Number.isNaN(at))
        return { problem: ioMsg('notADateTime', { value: text }) };
      return { value: new Date(at).toISOString() };
    }
    default:
      if (kind === 'integer' || kind === 'number') return number(text, kind === 'integer');
      return { value: text };
  }
}

function number(text: string, whole: boolean): CellValue {
  const plain = GROUPED.test(text) ? text.replace(/,/g, '') : text;
  if (!NUMBER.test(plain)) return { problem: ioMsg('notANumber', { value: text }) };
  const n = Number(plain);
  if (!Number.isFinite(n)) return { problem: ioMsg('notANumber', { value: text }) };
  if (whole && !Number.isInteger(n)) return { problem: ioMsg('notAWholeNumber', { value: text }) };
  // More digits than a double holds would be rounded behind the caller's back (as in JSON bodies).
  const digits = plain
    .replace(/^[+-]/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '');
  if (digits.length > 15) return { problem: recordMsg('inexactNumber') };
  return { value: n };
}

/** A picklist option by its value, else by its value or label in any language, case aside. */
function option(f: FieldDef, text: string): CellValue {
  const options = f.options ?? [];
  const exact = options.find((o) => o.value === text);
  if (exact) return { value: exact.value };
  const t = text.toLowerCase();
  const found = options.find(
    (o) =>
      o.value.toLowerCase() === t ||
      Object.values(o.label ?? {}).some((l) => typeof l === 'string' && l.toLowerCase() === t),
  );
  if (found) return { value: found.value };
  return {
    problem: ioMsg('notAnOption', { value: text, options: options.map((o) => o.value) }),
  };
}

/** `a; b;c` → ['a', 'b', 'c'] (a full-width ； too); empty parts dropped. */
export function splitList(text: string): string[] {
  return text
    .split(/[;；]/)
    .map((s) => s.trim())
    .filter(Boolean);
}
