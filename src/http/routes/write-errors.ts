import type { ErrorCode } from '../error-codes';

/**
 * What every JSON write under an Idempotency-Key may answer besides its own errors: the key's
 * conflicts, and a body too large or not JSON.
 */
export const WRITE_ERRORS: readonly ErrorCode[] = [
  'IDEMPOTENCY_CONFLICT',
  'IDEMPOTENCY_IN_PROGRESS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
];
