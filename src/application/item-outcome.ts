import { isDomainError } from '../commands';

/**
 * The outcome of one item of a batch (a storyboard, an account). Every item of a batch gets one, so
 * a batch is never half-written silently.
 */
export type ItemOutcome<Accepted extends object> = ({ result: 'accepted' } & Accepted) | ItemRejection;

export interface ItemRejection {
  result: 'rejected';
  /** A stable code: VALIDATION_FAILED, STORYBOARD_EXISTS, RECORD_NOT_LIVE, NOT_FOUND, DUPLICATE_IN_BATCH, INTERNAL. */
  error: string;
  /** What to do about it. */
  message: string;
  details?: Record<string, unknown>;
}

export function rejection(error: string, message: string, details?: Record<string, unknown>): ItemRejection {
  return { result: 'rejected', error, message, ...(details === undefined ? {} : { details }) };
}

/** Domain refusals keep their stable code; account codes fold into NOT_FOUND for the API. */
export function rejectionFromError(error: unknown): ItemRejection | null {
  if (isDomainError(error)) {
    const code =
      error.code === 'ACCOUNT_NOT_FOUND' || error.code === 'ACCOUNT_DELETED' ? 'NOT_FOUND' : error.code;
    return rejection(code, error.message, error.details);
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'VALIDATION_FAILED') return rejection('VALIDATION_FAILED', (error as Error).message);
  return null;
}

/** Indexes of items whose key repeats an earlier item's key (the first one wins). */
export function duplicateIndexes(keys: readonly (string | undefined)[]): Set<number> {
  const seen = new Set<string>();
  const duplicates = new Set<number>();
  keys.forEach((key, index) => {
    if (key === undefined) return;
    if (seen.has(key)) duplicates.add(index);
    else seen.add(key);
  });
  return duplicates;
}
