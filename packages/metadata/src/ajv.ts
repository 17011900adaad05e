import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { logicBoundsAt } from './logic/logic-bounds.js';
import type { Message, Problem } from './messages.js';
import { patternProblem, safePattern } from './safe-pattern.js';
import { valueMsg } from './value-messages.js';

// ajv-formats is CommonJS; under NodeNext its function sits on `.default`.
const addFormats = addFormatsModule.default;

/** Ajv's `code.regExp`: every `pattern` runs on the linear-time engine (see safePattern). */
const linearRegExp = Object.assign((source: string) => safePattern(source), {
  code: 'safePattern',
});

/**
 * The one Ajv set-up used for metadata documents and record values, in Node and the browser:
 * all errors, formats, the `decimalScale` keyword for money and decimals, and `jsonLogic` for
 * the bounds of every expression a document holds. Patterns — admins write them — run on a
 * linear-time engine, and the `regex` format accepts only patterns that engine compiles.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    code: { regExp: linearRegExp },
  });
  addFormats(ajv);
  ajv.addFormat('regex', (source: string) => patternProblem(source) === undefined);
  ajv.addKeyword({
    keyword: 'jsonLogic',
    schemaType: 'boolean',
    errors: true,
    validate: function jsonLogic(this: unknown, _schema: boolean, expression: unknown): boolean {
      const problem = logicBoundsAt(expression);
      if (problem === undefined) return true;
      // The message rides in params, so ajvProblems keeps its key for the caller's language.
      const { path: _, ...message } = problem;
      (jsonLogic as { errors?: unknown[] }).errors = [
        { keyword: 'jsonLogic', message: problem.message, params: { message } },
      ];
      return false;
    },
  });
  ajv.addKeyword({
    keyword: 'decimalScale',
    type: 'number',
    schemaType: 'number',
    errors: false,
    validate: (scale: number, value: number) => decimalPlaces(value) <= scale,
  });
  return ajv;
}

/** Digits after the decimal point of a JS number as it was written in JSON. */
export function decimalPlaces(value: number): number {
  const [mantissa = '', exponent] = String(value).split('e');
  const places = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, places - Number(exponent ?? 0));
}

/** Turns an Ajv instance path (`/fields/2/name`) into the dotted form the API uses (`fields[2].name`). */
export function pointerToPath(pointer: string, prefix = ''): string {
  let out = prefix;
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : out === '' ? part : `.${part}`;
  }
  return out;
}

/** Ajv errors as Problems, with the offending property named for "required" and "additional". */
export function ajvProblems(
  errors:
    | readonly {
        instancePath: string;
        keyword: string;
        message?: string;
        params: Record<string, unknown>;
      }[]
    | null
    | undefined,
  prefix = '',
): Problem[] {
  // An `if`/`then` schema (an action's type choosing its shape) adds a summary error over the
  // precise ones: the precise ones say it all.
  return (errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => {
      const extra =
        e.keyword === 'required'
          ? String(e.params.missingProperty)
          : e.keyword === 'additionalProperties'
            ? String(e.params.additionalProperty)
            : undefined;
      const pointer = extra === undefined ? e.instancePath : `${e.instancePath}/${extra}`;
      const message: Message =
        e.keyword === 'required'
          ? valueMsg('required')
          : e.keyword === 'additionalProperties'
            ? valueMsg('unknownField')
            : e.keyword === 'decimalScale'
              ? valueMsg('tooManyDecimals')
              : e.keyword === 'format' && e.params.format === 'regex'
                ? valueMsg('notLinearPattern')
                : e.keyword === 'enum'
                  ? valueMsg('oneOf', {
                      values: JSON.stringify(
                        (e.params.allowedValues as unknown[]).filter((v) => v !== null),
                      ),
                    })
                  : e.keyword === 'jsonLogic'
                    ? (e.params.message as Message)
                    : e.message === undefined
                      ? valueMsg('invalid')
                      : // Ajv's own wording: the `ajv` area renders it again in the caller's language.
                        { message: e.message, key: `ajv.${e.keyword}`, params: e.params };
      return { path: pointerToPath(pointer, prefix) || prefix || '(root)', ...message };
    });
}
