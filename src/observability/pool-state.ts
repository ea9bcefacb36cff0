import type { AccountView, GenerationKind } from '../ports/read-models';

export const POOL_STATES = ['available', 'cooling', 'unavailable', 'inactive', 'banned'] as const;
export type PoolState = (typeof POOL_STATES)[number];

/**
 * Where an account stands for one kind of work: banned / inactive accounts are out whatever their
 * capability; cooling means rate-limited (or out of credits) until a known time that has not passed.
 */
export function poolState(account: AccountView, kind: GenerationKind, now: Date): PoolState {
  if (account.accountStatus === 2) return 'banned';
  if (account.accountStatus === 1) return 'inactive';
  const status = kind === 'image' ? account.imageGenerationStatus : account.videoGenerationStatus;
  const until = kind === 'image' ? account.imageUnavailableUntil : account.videoUnavailableUntil;
  const waiting = until !== null && Date.parse(until) > now.getTime();
  if (status === 1) return 'available';
  if (status === 2) return waiting ? 'cooling' : 'available';
  return waiting ? 'cooling' : 'unavailable';
}
