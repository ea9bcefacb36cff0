import type { GenerationRecordState } from '../../commands';
import type { EventMetadata } from '../../ports/event-store';
import type { Lease } from '../../ports/account-leases';
import type { Site } from '../../events';

/** An attempt this process claimed: GenerationStarted is in the slot's stream, the lease is held. */
export interface ClaimedAttempt {
  streamId: string;
  /** The record as of the claim (the started attempt counted in its run). */
  record: GenerationRecordState;
  attempt: number;
  accountId: string;
  site: Site;
  lease: Lease;
  /** Correlation of the job, carried into the outcome events. */
  metadata: EventMetadata;
}

/** Why a running attempt's call was cut short. */
export const ABORT_REASONS = {
  shutdown: 'shutdown',
  leaseLost: 'lease_lost',
} as const;
