import {
  evaluate,
  FIELD_TYPES,
  type FieldDef,
  fieldValue,
  type Locale,
  labelText,
  type Problem,
  truthy,
  UNTRACKED_SYSTEM_COLUMNS,
  valueMsg,
  valueSpec,
} from '@atrium/metadata';
import type { ValidateFunction } from 'ajv';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from './compiled-module.js';
import { msg, valueProblems } from './messages.js';

export type Values = Record<string, unknown>;

/**
 * Validates a record body with a compiled validator: 400 with every bad field's path, messages
 * in the caller's language. `defaults` are merged under the body before validating, so a
 * required field is judged by the value that would be stored, whoever supplied it.
 */
export function validateBody(
  validate: ValidateFunction,
  body: unknown,
  locale: Locale,
  defaults: Values = {},
): Values {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AtriumError('VALIDATION_FAILED', [
      { path: '(body)', message: msg(locale, 'jsonObject') },
    ]);
  }
  const values = { ...defaults, ...normalize(body as Values) };
  const problems = nulProblems(values, locale);
  if (!validate(values)) problems.push(...valueProblems(validate.errors));
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
  return values;
}

/**
 * Refuses (400, at each field's path) a record whose merged values leave a required field empty.
 * An update validates only the fields it sends; this judges the record as it would be stored, so
 * a field made required while records were empty must be filled by the next edit of each, even
 * one that does not touch it. Layouts may hide a field, but the module's `required` still holds.
 */
export function checkRequired(m: CompiledModule, values: Values, locale: Locale): void {
  const problems: Problem[] = [];
  for (const f of m.doc.fields) {
    if (f.required && !FIELD_TYPES[f.type].computed && isEmpty(values[f.name]))
      problems.push({ path: f.name, message: valueMsg.text(locale, 'required') });
  }
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  return Array.isArray(v) && v.length === 0;
}

/** Trims text so "  " is as empty as "". */
function normalize(body: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(body)) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/** Postgres text cannot hold NUL: refuse it at the value's path rather than fail on insert. */
function nulProblems(values: Values, locale: Locale): Problem[] {
  const problems: Problem[] = [];
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === 'string' && v.includes('\u0000'))
      problems.push({ path: k, message: valueMsg.text(locale, 'nul') });
    else if (Array.isArray(v))
      v.forEach((item, i) => {
        if (typeof item === 'string' && item.includes('\u0000'))
          problems.push({ path: `${k}[${i}]`, message: valueMsg.text(locale, 'nul') });
      });
  }
  return problems;
}

/**
 * Datetimes as one canonical ISO string (UTC, milliseconds), whether read from a row (a Date)
 * or sent with any offset: formulas and rules then compare like with like, and the diff sees
 * no change where the instant is the same.
 */
export function canonicalTimes(m: CompiledModule, values: Values): Values {
  let datetimes = datetimeFields.get(m);
  if (!datetimes) {
    datetimes = new Set([...m.fields].filter(([, f]) => isDatetime(f)).map(([name]) => name));
    datetimeFields.set(m, datetimes);
  }
  for (const [k, v] of Object.entries(values)) {
    if (v instanceof Date) values[k] = v.toISOString();
    else if (typeof v === 'string' && datetimes.has(k)) {
      const at = Date.parse(v);
      if (!Number.isNaN(at)) values[k] = new Date(at).toISOString();
    }
  }
  return values;
}

/** The datetime fields of each compiled module (compiled once per revision, never changed). */
const datetimeFields = new WeakMap<CompiledModule, Set<string>>();

function isDatetime(f: FieldDef | undefined): boolean {
  return f !== undefined && valueSpec(f).valueKind === 'datetime';
}

/** Computes formula fields into `values`, in dependency order. */
export function computeFormulas(m: CompiledModule, values: Values): void {
  for (const f of m.formulas) values[f.name] = formulaValue(f, evaluateSafely(f, values));
}

function evaluateSafely(f: FieldDef, values: Values): unknown {
  try {
    return evaluate(f.expression ?? null, values);
  } catch {
    return null;
  }
}

/** Coerces a formula result to the column it is stored in; what cannot be stored is null. */
function formulaValue(f: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (valueSpec(f).valueKind) {
    case 'integer':
    case 'number': {
      const n = Number(value);
      if (!Number.isFinite(n)) return null;
      const scale = f.returns === 'integer' ? 0 : (f.scale ?? 2);
      const rounded = Math.round(n * 10 ** scale) / 10 ** scale;
      return fitsColumn(f, rounded) ? rounded : null;
    }
    case 'boolean':
      return truthy(value);
    case 'date':
    case 'datetime': {
      const at = value instanceof Date ? value : new Date(String(value));
      if (Number.isNaN(at.getTime())) return null;
      return f.returns === 'date' ? at.toISOString().slice(0, 10) : at.toISOString();
    }
    default:
      return String(value);
  }
}

/** Value schemas of formula fields, derived once per field definition (documents are immutable). */
const formulaSchemas = new WeakMap<FieldDef, Record<string, unknown>>();

/** A computed number the column cannot hold is stored as null, not refused by Postgres. */
function fitsColumn(f: FieldDef, n: number): boolean {
  let schema = formulaSchemas.get(f);
  if (!schema) {
    schema = fieldValue(f).schema;
    formulaSchemas.set(f, schema);
  }
  const num = (k: string) => schema[k] as number | undefined;
  if (num('maximum') !== undefined && n > (num('maximum') as number)) return false;
  if (num('exclusiveMaximum') !== undefined && n >= (num('exclusiveMaximum') as number))
    return false;
  if (num('minimum') !== undefined && n < (num('minimum') as number)) return false;
  if (num('exclusiveMinimum') !== undefined && n <= (num('exclusiveMinimum') as number))
    return false;
  return true;
}

/**
 * Runs the module's validation rules (true = invalid) and refuses with every broken rule.
 * Relative dates in a rule (`date_in`) are read on the caller's calendar (`timeZone`).
 */
export function checkRules(
  m: CompiledModule,
  values: Values,
  locale: Locale,
  timeZone?: string,
): void {
  const problems: Problem[] = [];
  for (const rule of m.rules) {
    let broken: boolean;
    try {
      broken = truthy(evaluate(rule.when, values, timeZone ? { timeZone } : {}));
    } catch {
      broken = false;
    }
    if (broken)
      problems.push({
        path: rule.field ?? '(record)',
        message: labelText(rule.message, locale, rule.name),
      });
  }
  if (problems.length > 0) throw new AtriumError('VALIDATION_FAILED', problems);
}

/** Field-level diff of two rows over the module's columns (system bookkeeping left out). */
export function diffRows(
  m: CompiledModule,
  before: Values,
  after: Values,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const c of m.columns) {
    if (UNTRACKED_SYSTEM_COLUMNS.has(c)) continue;
    const from = before[c] ?? null;
    const to = after[c] ?? null;
    // Equal primitives need no serializing (most columns of most writes); JSON decides the rest.
    if (from === to) continue;
    if (typeof from === 'object' || typeof to === 'object') {
      if (JSON.stringify(from) === JSON.stringify(to)) continue;
    }
    changes[c] = { from, to };
  }
  return changes;
}
