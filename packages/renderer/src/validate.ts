import { evaluate, type Locale, labelText, type ModuleDoc, truthy } from '@atrium/metadata';
import type { Problem } from './client.js';
import { message } from './messages.js';
import { fieldMap } from './metadata.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 ()./-]{1,38}$/;
const TEXT_MAX: Record<string, number> = {
  text: 255,
  textarea: 32000,
  email: 254,
  phone: 40,
  url: 2048,
};

function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

/** What the user can fix before asking the server. */
export interface ValidateOptions {
  locale: Locale;
  timeZone: string;
  /** The fields the form shows (only those get field messages). */
  fields: string[];
  /** Required by a layout rule right now, on top of the fields' own `required`. */
  required?: Set<string>;
}

/**
 * Checks API-shaped `values` with the same metadata the server enforces (required, lengths,
 * pattern, range, formats) and the module's JSON Logic validation rules, so the user sees the same
 * messages before the request. Returns one problem per field at most, in form order.
 */
export function validateValues(
  module: ModuleDoc,
  values: Record<string, unknown>,
  options: ValidateOptions,
): Problem[] {
  const { locale } = options;
  const byName = fieldMap(module);
  const problems: Problem[] = [];
  for (const name of options.fields) {
    const field = byName.get(name);
    if (!field) continue;
    const value = values[name];
    const label = labelText(field.label, locale, name);
    const add = (text: string) => problems.push({ path: name, message: text });
    if (isEmpty(value)) {
      if (field.required || options.required?.has(name))
        add(message(locale, 'required', { label }));
      continue;
    }
    switch (field.type) {
      case 'text':
      case 'textarea':
      case 'email':
      case 'phone':
      case 'url': {
        const text = String(value);
        const max = field.maxLength ?? TEXT_MAX[field.type] ?? 255;
        if (text.length > max) add(message(locale, 'tooLong', { max }));
        else if (field.minLength !== undefined && text.length < field.minLength)
          add(message(locale, 'tooShort', { min: field.minLength }));
        else if (field.type === 'email' && !EMAIL.test(text)) add(message(locale, 'badEmail'));
        else if (field.type === 'phone' && !PHONE.test(text)) add(message(locale, 'badPhone'));
        else if (field.type === 'url' && !URL.canParse(text)) add(message(locale, 'badUrl'));
        else if (field.pattern && !safeTest(field.pattern, text))
          add(message(locale, 'badPattern'));
        break;
      }
      case 'integer':
      case 'decimal':
      case 'currency':
      case 'percent': {
        if (typeof value !== 'number') add(message(locale, 'notNumber'));
        else if (field.type === 'integer' && !Number.isInteger(value))
          add(message(locale, 'notInteger'));
        else if (field.min !== undefined && value < field.min)
          add(message(locale, 'tooSmall', { min: field.min }));
        else if (field.max !== undefined && value > field.max)
          add(message(locale, 'tooLarge', { max: field.max }));
        break;
      }
    }
  }
  const taken = new Set(problems.map((p) => p.path));
  for (const rule of module.validationRules ?? []) {
    let broken = false;
    try {
      broken = truthy(evaluate(rule.when, values, { timeZone: options.timeZone }));
    } catch {
      broken = false;
    }
    const path = rule.field ?? '';
    if (broken && !taken.has(path)) {
      problems.push({ path, message: labelText(rule.message, locale, rule.name) });
      taken.add(path);
    }
  }
  return problems;
}

function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(text);
  } catch {
    return true; // the server (RE2) is the judge of patterns the browser cannot read
  }
}
