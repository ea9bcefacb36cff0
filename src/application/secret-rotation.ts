import {
  accountDecider,
  handleCommandAt,
  loadStream,
  type AccountState,
  type RegisteredAccountState,
} from '../commands';
import { accountStreamId, type AccountChanges, type AccountEvent } from '../events';
import type { Clock } from '../ports/clock';
import { WrongExpectedRevisionError, type EventStore } from '../ports/event-store';
import type { AccountReadModel } from '../ports/read-models';
import type { SecretBox } from '../ports/secret-box';
import { mapBounded } from './bounded-parallel';
import { eventMetadata, type CommandContext } from './command-context';

/** A SecretBox that can tell text sealed with a retired key (AesGcmSecretBox can). */
export interface ResealableSecretBox extends SecretBox {
  needsReseal(sealed: string): boolean;
}

export function canTellRetiredKeys(box: SecretBox): box is ResealableSecretBox {
  return typeof (box as Partial<ResealableSecretBox>).needsReseal === 'function';
}

export interface SecretRotationDependencies {
  eventStore: EventStore;
  secretBox: SecretBox;
  readModels: Pick<AccountReadModel, 'listPool'>;
  clock: Clock;
  /** Resolves once the projections include `position`, so accounts registered a moment ago are walked too. */
  waitForProjection?: (position: bigint) => Promise<void>;
  logger?: { error(object: object, message?: string): void };
}

export interface ResealFailure {
  accountId: string;
  /** Why (a missing key, text that fails authentication); never the secret itself. */
  message: string;
}

export interface ResealReport {
  /** Accounts whose session (or proxy) is now sealed with the primary key by a new AccountUpdated. */
  resealed: number;
  /** Accounts already sealed with the primary key: nothing appended. */
  alreadyCurrent: number;
  /** Accounts that could not be re-sealed (their old key is no longer configured, say). */
  failed: number;
  failures: ResealFailure[];
  /** Highest event position written, for read-your-writes. */
  position?: bigint;
}

type AccountOutcome =
  | { result: 'resealed'; position: bigint | undefined }
  | { result: 'alreadyCurrent' }
  | { result: 'skipped' }
  | { result: 'failed'; message: string };

const CONCURRENCY = 8;
/** Concurrent writes to one account (an admin's update, the worker's status changes) make us read again. */
const MAX_TRIES = 5;

/**
 * Key rotation of the sealed session ids and proxies: every account not deleted whose secrets were
 * sealed with a key other than the primary gets an AccountUpdated carrying them re-sealed with the
 * primary key. Each account is decided on its own stream at the revision read, so a concurrent
 * change of the session is never overwritten with the old value.
 */
export class SecretRotationService {
  private readonly needsReseal: (sealed: string) => boolean;

  constructor(private readonly deps: SecretRotationDependencies) {
    const box = deps.secretBox;
    // A box that cannot tell its keys apart re-seals everything: safe, only wasteful.
    this.needsReseal = canTellRetiredKeys(box) ? (sealed) => box.needsReseal(sealed) : () => true;
  }

  async resealAll(updateBy: string, context: CommandContext): Promise<ResealReport> {
    const head = await this.deps.eventStore.headPosition();
    if (head !== null) await this.deps.waitForProjection?.(head);
    const accounts = await this.deps.readModels.listPool();
    const outcomes = await mapBounded(accounts, CONCURRENCY, (account) =>
      this.resealOne(account.id, updateBy, context),
    );
    const report: ResealReport = { resealed: 0, alreadyCurrent: 0, failed: 0, failures: [] };
    outcomes.forEach((outcome, index) => {
      if (outcome.result === 'resealed') {
        report.resealed++;
        if (outcome.position !== undefined && (report.position ?? -1n) < outcome.position)
          report.position = outcome.position;
      } else if (outcome.result === 'alreadyCurrent') report.alreadyCurrent++;
      else if (outcome.result === 'failed') {
        report.failed++;
        report.failures.push({ accountId: accounts[index]!.id, message: outcome.message });
      }
    });
    return report;
  }

  private async resealOne(
    accountId: string,
    updateBy: string,
    context: CommandContext,
  ): Promise<AccountOutcome> {
    const streamId = accountStreamId(accountId);
    for (let tries = 1; ; tries++) {
      const { state, revision } = await loadStream<AccountEvent, AccountState>(
        this.deps.eventStore,
        streamId,
        accountDecider,
      );
      if (!state.exists || state.deleted) return { result: 'skipped' };
      let changes: AccountChanges;
      try {
        changes = this.resealedChanges(state);
      } catch (error) {
        return { result: 'failed', message: error instanceof Error ? error.message : 'cannot open' };
      }
      if (Object.keys(changes).length === 0) return { result: 'alreadyCurrent' };
      try {
        const result = await handleCommandAt(
          this.deps.eventStore,
          streamId,
          accountDecider,
          {
            type: 'UpdateAccount',
            data: { accountId, changes, updateBy, at: this.deps.clock.now().toISOString() },
          },
          revision,
          { metadata: eventMetadata(context, updateBy) },
        );
        return { result: 'resealed', position: result.position };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && tries < MAX_TRIES) continue;
        this.deps.logger?.error({ err: error, accountId }, 'reseal of an account failed');
        return {
          result: 'failed',
          message:
            error instanceof WrongExpectedRevisionError
              ? `the account kept changing (${tries} tries): call reseal again`
              : 'the re-sealed session could not be stored: call reseal again',
        };
      }
    }
  }

  private resealedChanges(state: RegisteredAccountState): AccountChanges {
    const { secretBox } = this.deps;
    const changes: AccountChanges = {};
    if (this.needsReseal(state.sealedSessionId)) {
      changes.sealedSessionId = secretBox.seal(secretBox.open(state.sealedSessionId));
      // The hint travels with the session (the event schema wants both); it does not change.
      changes.sessionHint = state.sessionHint;
    }
    if (
      state.sealedProxy !== null &&
      state.sealedProxy !== undefined &&
      this.needsReseal(state.sealedProxy)
    ) {
      changes.sealedProxy = secretBox.seal(secretBox.open(state.sealedProxy));
    }
    return changes;
  }
}
