/**
 * Remembers the first answer to a POST/PATCH carrying an `Idempotency-Key`, so a retried batch
 * returns that answer instead of being applied twice.
 */
export interface StoredResponse {
  key: string;
  /** Hash of method + path + body: the same key with another body is a conflict. */
  requestHash: string;
  status: number;
  body: string;
  createdAt: Date;
}

export interface IdempotencyStore {
  /** Reserves the key; returns the stored response (or 'in_progress') when the key is known. */
  begin(key: string, requestHash: string, now: Date): Promise<StoredResponse | 'in_progress' | 'new'>;
  complete(response: StoredResponse): Promise<void>;
  /** Releases a reservation whose request failed before answering, so a retry may run. */
  abandon(key: string): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol.for('IdempotencyStore');
