import {
  ajvProblems,
  evaluate,
  type FieldDef,
  type Locale,
  labelText,
  type Problem,
  truthy,
  UNTRACKED_SYSTEM_COLUMNS,
  valueSpec,
} from '@atrium/metadata';
import type { ValidateFunction } from 'ajv';
import { AtriumError } from '../errors.js';
import type { CompiledModule } from './compiled-module.js';

export type Values = Record<string, unknown>;

/** Validates a request body with a compiled validator: 400 with every bad field's path. */
export function validateBody(validate: ValidateFunction, body: unknown): Values {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AtriumError('VALIDATION_FAILED', [
      { path: '(body)', message: 'must be a JSON object' },
    ]);
  }
  const values = normalize(body as Values);
  if (!validate(values)) throw new AtriumError('VALIDATION_FAILED', ajvProblems(validate.errors));
  return values;
}

/** Trims text so "  " is as empty as "". */
function normalize(body: Values): Values {
  const out: Values = {};
  for (const [k, v] of Object.entries(body)) out[k] = typeof v === 'string' ? v.trim() : v;
  return out;
}

/**
 * Datetimes as one canonical ISO string (UTC, milliseconds), whether read from a row (a Date)
 * or sent with any offset: formulas and rules then compare like with like, and the diff sees
 * no change where the instant is the same.
 */
export function canonicalTimes(m: CompiledModule, values: Values): Values {
  for (const [k, v] of Object.entries(values)) {
    if (v instanceof Date) values[k] = v.toISOString();
    else if (typeof v === 'string' && isDatetime(m.fields.get(k))) {
      const at = Date.parse(v);
      if (!Number.isNaN(at)) values[k] = new Date(at).toISOString();
    }
  }
  return values;
}

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
      return Math.round(n * 10 ** scale) / 10 ** scale;
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
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[c] = { from, to };
  }
  return changes;
}
