/**
 * Stable error codes of the API and the HTTP status that means each one. Clients branch on the
 * code (in `data.error`), never on the message.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RECORD_NOT_LIVE: 404,
  STORYBOARD_EXISTS: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  IDEMPOTENCY_CONFLICT: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  NOT_READY: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

/** Codes that appear only inside batch item results (the batch itself answers 202). */
export const ITEM_ERROR_CODES = [
  'VALIDATION_FAILED',
  'DUPLICATE_IN_BATCH',
  'STORYBOARD_EXISTS',
  'RECORD_NOT_LIVE',
  'NOT_FOUND',
  'INTERNAL',
] as const;

export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'The request does not match the schema; details.fields name each path and what to fix.',
  UNAUTHENTICATED: 'Missing or unknown API key: send Authorization: Bearer <key>.',
  FORBIDDEN: "The API key's role may not call this route.",
  NOT_FOUND: 'No such route, account or record (or it is deleted).',
  RECORD_NOT_LIVE: 'The storyboard has no live record (missing or deleted).',
  STORYBOARD_EXISTS: 'The storyboard already has a live record: regenerate it instead.',
  IDEMPOTENCY_IN_PROGRESS: 'A request with this Idempotency-Key is still running: retry later.',
  PAYLOAD_TOO_LARGE: 'The body exceeds 1 MB: split the batch.',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as Content-Type: application/json.',
  IDEMPOTENCY_CONFLICT: 'This Idempotency-Key was used with another request body: use a new key.',
  RATE_LIMITED: 'Too many requests for this API key: wait Retry-After seconds.',
  INTERNAL: 'Unexpected failure; the request id in X-Request-Id helps find it in the logs.',
  NOT_READY: 'A dependency is not ready; details name the failing check.',
};

export class HttpError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = ERROR_STATUS[code];
  }
}
