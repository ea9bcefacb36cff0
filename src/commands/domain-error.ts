export const DOMAIN_ERROR_CODES = [
  /** A live record already holds this (kind, project, storyboard) slot: regenerate instead. */
  'STORYBOARD_EXISTS',
  /** The record is missing or deleted. */
  'RECORD_NOT_LIVE',
  /** The command belongs to an attempt (or job) that a regeneration, a delete or another worker superseded. */
  'STALE_ATTEMPT',
  'ACCOUNT_NOT_FOUND',
  'ACCOUNT_EXISTS',
  'ACCOUNT_DELETED',
  'VALIDATION_FAILED',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/** A refused command. The code is stable: the HTTP layer and the worker branch on it. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function isDomainError(error: unknown, code?: DomainErrorCode): error is DomainError {
  return error instanceof DomainError && (code === undefined || error.code === code);
}
