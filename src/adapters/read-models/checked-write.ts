import type { AccountView, GenerationKind, GenerationRecordView } from '../../ports/read-models';

/** A projector bug that would write one document under another's key is stopped here. */
export function checkedAccount(id: string, next: AccountView, position: bigint): AccountView {
  if (next.id !== id) throw new Error(`account update for ${id} returned account ${next.id}`);
  return { ...next, position: position.toString() };
}

export function checkedRecord(
  kind: GenerationKind,
  id: string,
  next: GenerationRecordView,
  position: bigint,
): GenerationRecordView {
  if (next.id !== id || next.kind !== kind) {
    throw new Error(`record update for ${kind} ${id} returned ${next.kind} ${next.id}`);
  }
  return { ...next, position: position.toString() };
}

/** The idempotence guard: a document ignores events at or before the last one it applied. */
export function isAfter(position: bigint, current: { position: string } | null): boolean {
  return current === null || position > BigInt(current.position);
}
