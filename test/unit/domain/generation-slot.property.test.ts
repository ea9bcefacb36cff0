import fc from 'fast-check';
import { DomainError, generationSlotDecider, type GenerationCommand } from '../../../src/commands';
import type { GenerationEvent } from '../../../src/events';
import { at, requestData } from './support/fixtures';

const recordIds = fc.constantFrom('r1', 'r2', 'r3', 'r4');
const attempts = fc.integer({ min: 1, max: 6 });
const accounts = fc.constantFrom('a1', 'a2', 'a3');
const sites = fc.constantFrom('hk' as const, 'jp' as const, 'sg' as const);

const command: fc.Arbitrary<GenerationCommand> = fc.oneof(
  recordIds.map((recordId): GenerationCommand => ({
    type: 'RequestGeneration',
    data: requestData({ recordId }),
  })),
  fc.option(recordIds, { nil: undefined }).map((recordId): GenerationCommand => ({
    type: 'RequestRegeneration',
    data: {
      ...(recordId === undefined ? {} : { recordId }),
      changes: { prompt: 'again' },
      updateBy: 'u',
      at: at(9),
    },
  })),
  fc.option(recordIds, { nil: undefined }).map((recordId): GenerationCommand => ({
    type: 'DeleteRecord',
    data: { ...(recordId === undefined ? {} : { recordId }), updateBy: 'u', at: at(9) },
  })),
  fc
    .tuple(recordIds, accounts, sites, fc.option(attempts, { nil: undefined }))
    .map(([recordId, accountId, site, attempt]): GenerationCommand => ({
      type: 'StartAttempt',
      data: {
        recordId,
        ...(attempt === undefined ? {} : { attempt }),
        accountId,
        site,
        leaseId: 'l',
        leaseDeadline: at(600),
        at: at(9),
      },
    })),
  fc.tuple(recordIds, attempts).map(([recordId, attempt]): GenerationCommand => ({
    type: 'CompleteGeneration',
    data: { recordId, attempt, urls: ['https://cdn.example/x.png'], durationMs: 5, at: at(9) },
  })),
  fc
    .tuple(
      recordIds,
      attempts,
      fc.constantFrom('SITE_MISMATCH' as const, 'TIMEOUT' as const, 'RATE_LIMITED' as const),
    )
    .map(([recordId, attempt, errorClass]): GenerationCommand => ({
      type: 'FailAttempt',
      data: { recordId, attempt, errorClass, message: 'x', submitted: false, at: at(9) },
    })),
  fc.tuple(recordIds, attempts).map(([recordId, attempt]): GenerationCommand => ({
    type: 'AbandonAttempt',
    data: { recordId, attempt, reason: 'lease_expired', at: at(9) },
  })),
  fc
    .tuple(recordIds, fc.option(attempts, { nil: undefined }))
    .map(([recordId, attempt]): GenerationCommand => ({
      type: 'FailGeneration',
      data: {
        recordId,
        ...(attempt === undefined ? {} : { attempt }),
        errorCode: 'NO_ACCOUNT_AVAILABLE',
        message: 'x',
        at: at(9),
      },
    })),
);

/** Checks the slot rules on the event log alone, independently of the decider's state. */
class SlotAuditor {
  private live: string | undefined;
  private readonly deleted = new Set<string>();
  private running: number | undefined;
  private lastAttempt = 0;

  apply(event: GenerationEvent): void {
    const { recordId } = event.data;
    if (event.type === 'GenerationRequested') {
      expect(this.live).toBeUndefined(); // never two live records
      expect(this.deleted.has(recordId)).toBe(false); // a new request starts a new record id
      this.live = recordId;
      this.running = undefined;
      this.lastAttempt = 0;
      return;
    }
    expect(recordId).toBe(this.live); // nothing happens to a record that is not live
    switch (event.type) {
      case 'RegenerationRequested':
        this.running = undefined; // supersedes a running attempt
        break;
      case 'GenerationStarted':
        expect(this.running).toBeUndefined();
        expect(event.data.attempt).toBeGreaterThan(this.lastAttempt);
        this.running = this.lastAttempt = event.data.attempt;
        break;
      case 'GenerationCompleted':
      case 'AttemptFailed':
      case 'AttemptAbandoned':
        expect(event.data.attempt).toBe(this.running); // only the current attempt reports
        this.running = undefined;
        break;
      case 'GenerationFailed':
        if (event.data.attempt !== undefined && this.running !== undefined)
          expect(event.data.attempt).toBe(this.running);
        this.running = undefined;
        break;
      case 'RecordDeleted':
        this.deleted.add(recordId);
        this.live = undefined;
        this.running = undefined;
        break;
      default:
        break;
    }
  }
}

describe('generation slot invariants (property-based)', () => {
  it('never two live records; stale attempts never report; deleted ids never come back', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 60 }), (commands) => {
        let state = generationSlotDecider.initialState();
        const auditor = new SlotAuditor();
        for (const c of commands) {
          let events: GenerationEvent[];
          try {
            events = generationSlotDecider.decide(c, state);
          } catch (error) {
            expect(error).toBeInstanceOf(DomainError);
            continue;
          }
          for (const event of events) {
            auditor.apply(event);
            state = generationSlotDecider.evolve(state, event);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
