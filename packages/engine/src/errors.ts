import type { Problem } from '@atrium/metadata';

/** Every refusal the engine makes, with its HTTP status. One catalog, stable codes. */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'Some values are not valid' },
  INVALID_FILTER: { status: 400, message: 'The filter cannot be used' },
  INVALID_QUERY: { status: 400, message: 'The query parameters are not valid' },
  INVALID_METADATA: { status: 400, message: 'The metadata documents are not valid' },
  UNAUTHORIZED: { status: 401, message: 'Sign in first' },
  FORBIDDEN: { status: 403, message: 'You may not do this' },
  UNKNOWN_MODULE: { status: 404, message: 'No such module' },
  NOT_FOUND: { status: 404, message: 'No such record' },
  VERSION_CONFLICT: { status: 409, message: 'The record was changed by someone else; reload it' },
  DUPLICATE_VALUE: { status: 409, message: 'A value must be unique and is already used' },
  DESTRUCTIVE_CHANGE: {
    status: 409,
    message: 'The change drops or narrows data; confirm it explicitly',
  },
  METADATA_CHANGED: { status: 409, message: 'The metadata changed meanwhile; plan again' },
  APPLY_FAILED: { status: 422, message: 'The change could not be applied; nothing was changed' },
  REFERENCED: {
    status: 409,
    message: 'Other records refer to this one and restrict its deletion; remove those links first',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The database cannot be reached right now; try again shortly',
  },
  DATA_CONFLICT: {
    status: 409,
    message: 'The change does not fit the records already stored; say how to resolve it',
  },
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** A refusal: becomes `{ error: { code, message, details } }` with the catalog's status. */
export class AtriumError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly details: Problem[] = [],
    message?: string,
  ) {
    super(message ?? ERRORS[code].message);
    this.name = 'AtriumError';
    this.status = ERRORS[code].status;
  }

  toJSON(): { error: { code: ErrorCode; message: string; details: Problem[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
