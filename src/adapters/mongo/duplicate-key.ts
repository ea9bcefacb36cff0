import { MongoServerError } from 'mongodb';

/** A unique-index violation: someone else inserted the same key first. */
export function isDuplicateKeyError(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
