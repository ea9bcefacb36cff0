import fc from 'fast-check';
import {
  accountDecider,
  decideFailover,
  DEFAULT_FAILOVER_CONFIG,
  foldEvents,
  generationSlotDecider,
  isAccountWideFailure,
  jobFromRecord,
  nextAttemptJobFor,
  planNextAttempt,
  poolAccountFromState,
  runDeadline,
  selectAccount,
  selectionContextFor,
  type AttemptError,
  type GenerationCommand,
  type GenerationRecordState,
  type GenerationSlotState,
  type RegisteredAccountState,
} from '../../../src/commands';
import { ERROR_CLASSES, type GenerationEvent, type GenerationKind, type Site } from '../../../src/events';
import { accountRegistered, requested, T0 } from './support/fixtures';

const outcome = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ ok: true as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      errorClass: fc.constantFrom(...ERROR_CLASSES),
      submitted: fc.boolean(),
      retryAfterMs: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
    }),
  },
);
const accountSpec = fc.record({
  international: fc.boolean(),
  site: fc.constantFrom<Site>('us', 'hk', 'jp', 'sg'),
  priority: fc.integer({ min: 0, max: 2 }),
});

describe('failover (property-based)', () => {
  it('every job ends (completed or failed) within its switch budget and deadline', () => {
    fc.assert(
      fc.property(
        fc.array(accountSpec, { minLength: 1, maxLength: 5 }),
        fc.array(outcome, { maxLength: 40 }),
        fc.array(fc.integer({ min: 1_000, max: 15 * 60_000 }), { minLength: 1, maxLength: 10 }),
        fc.constantFrom<GenerationKind>('image', 'video'),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (specs, outcomes, durations, kind, r) => {
          const accounts = new Map<string, RegisteredAccountState>(
            specs.map((s, i) => [
              `a${i}`,
              foldEvents(accountDecider, [
                accountRegistered({
                  accountId: `a${i}`,
                  accountType: s.international ? 1 : 0,
                  siteType: s.international ? s.site : 'cn',
                  priority: s.priority,
                }),
              ]) as RegisteredAccountState,
            ]),
          );
          let slot: GenerationSlotState = foldEvents(generationSlotDecider, [
            requested({ kind, mode: kind === 'image' ? 'text_to_image' : 'text_to_video' }),
          ]);
          const decide = (command: GenerationCommand): GenerationEvent[] => {
            const events = generationSlotDecider.decide(command, slot);
            slot = events.reduce(generationSlotDecider.evolve, slot);
            return events;
          };
          const record = () => slot as GenerationRecordState;
          const deadline = runDeadline(kind, T0, DEFAULT_FAILOVER_CONFIG).getTime();
          let now = Date.parse(T0);
          let starts = 0;
          let next = 0;
          let ended = false;

          for (let step = 0; step < 500 && !ended; step++) {
            const pool = [...accounts.values()].map((a) => poolAccountFromState(a));
            const selection = selectAccount(pool, selectionContextFor(record(), new Date(now)), {
              siteSupportsModel: () => true,
              random: () => r,
            });
            const plan = planNextAttempt(selection, nextAttemptJobFor(record()), new Date(now));
            const at = new Date(now).toISOString();
            if (plan.type === 'wait') {
              expect(plan.until.getTime()).toBeGreaterThan(now);
              expect(plan.until.getTime()).toBeLessThan(deadline);
              now = plan.until.getTime();
              continue;
            }
            if (plan.type === 'fail') {
              decide({
                type: 'FailGeneration',
                data: { recordId: 'r1', errorCode: plan.errorCode, message: plan.message, at },
              });
              ended = true;
              continue;
            }
            expect(now).toBeLessThan(deadline);
            starts++;
            const attempt = record().currentAttempt + 1;
            // The decider refuses an excluded pair: selection must never propose one.
            decide({
              type: 'StartAttempt',
              data: {
                recordId: 'r1',
                attempt,
                accountId: plan.accountId,
                site: plan.site,
                leaseId: 'l',
                leaseDeadline: at,
                at,
              },
            });
            const result = outcomes[next++] ?? { ok: true as const };
            now += durations[starts % durations.length]!;
            const doneAt = new Date(now).toISOString();
            if ('ok' in result) {
              decide({
                type: 'CompleteGeneration',
                data: { recordId: 'r1', attempt, urls: ['https://x.example/1'], durationMs: 1, at: doneAt },
              });
              ended = true;
              continue;
            }
            const error: AttemptError = { ...result, message: 'simulated' };
            const action = decideFailover({
              error,
              job: jobFromRecord(record()),
              attempt: { accountId: plan.accountId, site: plan.site },
              account: accounts.get(plan.accountId)!,
              now: new Date(now),
            });
            for (const event of action.accountEvents) {
              const id = event.data.accountId;
              accounts.set(id, accountDecider.evolve(accounts.get(id)!, event) as RegisteredAccountState);
            }
            if (action.type === 'fail') {
              decide({
                type: 'FailGeneration',
                data: {
                  recordId: 'r1',
                  attempt,
                  errorCode: action.errorCode,
                  message: action.message,
                  at: doneAt,
                },
              });
              ended = true;
            } else {
              // The stream must remember what the failover decided to exclude.
              expect(action.excludeAccount).toBe(isAccountWideFailure(action.errorClass));
              decide({
                type: 'FailAttempt',
                data: {
                  recordId: 'r1',
                  attempt,
                  errorClass: action.errorClass,
                  message: 'simulated',
                  submitted: error.submitted,
                  at: doneAt,
                },
              });
            }
          }
          expect(ended).toBe(true);
          expect(['completed', 'failed']).toContain(record().status);
          expect(starts).toBeLessThanOrEqual(DEFAULT_FAILOVER_CONFIG.switchBudget);
        },
      ),
      { numRuns: 300 },
    );
  });
});
