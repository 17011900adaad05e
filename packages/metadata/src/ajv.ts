import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { logicBoundsProblem } from './logic/logic-bounds.js';
import { patternProblem, safePattern } from './safe-pattern.js';

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
      const problem = logicBoundsProblem(expression);
      if (problem === undefined) return true;
      (jsonLogic as { errors?: unknown[] }).errors = [
        { keyword: 'jsonLogic', message: problem, params: {} },
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

/** One problem with a document or a value: where it is and what is wrong. */
export interface Problem {
  path: string;
  message: string;
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
      const message =
        e.keyword === 'required'
          ? 'is required'
          : e.keyword === 'additionalProperties'
            ? 'is not a known field'
            : e.keyword === 'decimalScale'
              ? 'has too many decimal places'
              : e.keyword === 'format' && e.params.format === 'regex'
                ? 'is not a pattern that can be checked in linear time (backreferences and lookarounds are not supported)'
                : e.keyword === 'enum'
                  ? `must be one of ${JSON.stringify((e.params.allowedValues as unknown[]).filter((v) => v !== null))}`
                  : (e.message ?? 'is invalid');
      return { path: pointerToPath(pointer, prefix) || prefix || '(root)', message };
    });
}
