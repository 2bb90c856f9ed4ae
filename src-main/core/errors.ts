// Errors the core raises on purpose. Their code travels across the API as data
// ({ok: false, error: {code, message, details}}) and maps to CLI exit codes (input → 1, else 2).

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'CANCELLED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

export class PlateLabError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PlateLabError';
  }
}

/** Bad input from the user: a wrong path, an unreadable file, a malformed CSV. Name the file. */
export function inputError(message: string, details?: unknown): PlateLabError {
  return new PlateLabError('INVALID_INPUT', message, details);
}

export function notFound(message: string, details?: unknown): PlateLabError {
  return new PlateLabError('NOT_FOUND', message, details);
}

export function cancelledError(message = 'cancelled'): PlateLabError {
  return new PlateLabError('CANCELLED', message);
}

/** Throws a CANCELLED error when the signal has fired; call between units of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}

export function isInputError(err: unknown): boolean {
  return (
    err instanceof PlateLabError &&
    (err.code === 'INVALID_INPUT' || err.code === 'NOT_FOUND' || err.code === 'VALIDATION')
  );
}
