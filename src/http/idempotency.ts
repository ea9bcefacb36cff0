import { createHash } from 'node:crypto';
import type { Clock } from '../ports/clock';
import type { IdempotencyStore } from '../ports/idempotency-store';
import { HttpError } from './error-codes';

/** An answer as it goes over the wire, so a replay can repeat it byte for byte. */
export interface WireAnswer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function requestHash(method: string, path: string, body: Buffer): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(body).digest('hex');
}

/**
 * Runs `execute` at most once per key: a repeat with the same request gets the stored answer
 * (flagged by `replayed`), with another request 422, while the first still runs 409. Answers of
 * 5xx are not stored, so a retry after a failure runs again.
 */
export async function runIdempotently(
  store: IdempotencyStore,
  clock: Clock,
  key: string,
  hash: string,
  execute: () => Promise<WireAnswer>,
): Promise<WireAnswer & { replayed: boolean }> {
  const begun = await store.begin(key, hash, clock.now());
  if (begun === 'in_progress') {
    throw new HttpError(
      'IDEMPOTENCY_IN_PROGRESS',
      'a request with this Idempotency-Key is still running: retry later',
      undefined,
      {
        'Retry-After': '1',
      },
    );
  }
  if (begun !== 'new') {
    if (begun.requestHash !== hash) {
      throw new HttpError(
        'IDEMPOTENCY_CONFLICT',
        'this Idempotency-Key was already used for a different request: use a new key for a new request',
      );
    }
    return { status: begun.status, body: begun.body, headers: {}, replayed: true };
  }
  let answer: WireAnswer;
  try {
    answer = await execute();
  } catch (error) {
    await store.abandon(key).catch(() => undefined);
    throw error;
  }
  if (answer.status >= 500) await store.abandon(key);
  else
    await store.complete({
      key,
      requestHash: hash,
      status: answer.status,
      body: answer.body,
      createdAt: clock.now(),
    });
  return { ...answer, replayed: false };
}
