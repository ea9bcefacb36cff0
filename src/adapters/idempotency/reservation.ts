/**
 * A reservation left "in progress" by a process that died before answering would block its key
 * forever; after this long a new request with the key takes it over.
 */
export const DEFAULT_RESERVATION_TTL_MS = 5 * 60_000;

export interface IdempotencyStoreOptions {
  reservationTtlMs?: number;
}
