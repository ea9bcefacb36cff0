import fc from 'fast-check';
import {
  generationSlotDecider,
  handleCommand,
  handleCommandAt,
  isDomainError,
  loadStream,
  type GenerationSlotState,
} from '../../../src/commands';
import { generationStreamId, type GenerationEvent } from '../../../src/events';
import { WrongExpectedRevisionError, type StoredEvent } from '../../../src/ports/event-store';
import { clearSeen } from '../http/support/conformance';
import { imageBatch, KEYS, startHarness, type Harness } from '../http/support/http-harness';

/**
 * Random interleavings of the API's request / regenerate / delete and a worker's claim and completion
 * (appended directly, as the worker does) on the same storyboards. After every step: one live record
 * per storyboard in the folded stream and in the read model, and every completion of an attempt that
 * was superseded before it was sent is refused with STALE_ATTEMPT.
 */
const INTERLEAVINGS = Number(process.env['RACE_INTERLEAVINGS'] ?? 1000);
const STORYBOARDS = ['s1', 's2'] as const;
type Storyboard = (typeof STORYBOARDS)[number];

type Op =
  | { type: 'request' | 'regenerate'; sb: Storyboard }
  | { type: 'delete'; sb: Storyboard; pick: number }
  | { type: 'start'; sb: Storyboard }
  | { type: 'complete'; sb: Storyboard; pick: number };

const storyboard = fc.constantFrom(...STORYBOARDS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: storyboard.map((sb) => ({ type: 'request' as const, sb })) },
  { weight: 1, arbitrary: storyboard.map((sb) => ({ type: 'regenerate' as const, sb })) },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('delete' as const), sb: storyboard, pick: fc.nat(5) }),
  },
  { weight: 2, arbitrary: storyboard.map((sb) => ({ type: 'start' as const, sb })) },
  {
    weight: 3,
    arbitrary: fc.record({ type: fc.constant('complete' as const), sb: storyboard, pick: fc.nat(5) }),
  },
);
/** Steps run one after the other; the operations of a step run concurrently. */
const program = fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 5 });

interface Fold {
  live: { recordId: string; status: string; running?: number } | null;
  problems: string[];
  /** `${recordId}:${attempt}` of every attempt that can no longer complete. */
  superseded: Set<string>;
  completed: Map<string, number>;
}

/** An independent fold of a slot stream: checks the one-live-record rule event by event. */
function fold(events: readonly StoredEvent[]): Fold {
  const result: Fold = { live: null, problems: [], superseded: new Set(), completed: new Map() };
  const deleted = new Set<string>();
  const started: string[] = [];
  for (const stored of events) {
    const event = { type: stored.type, data: stored.data } as GenerationEvent;
    const recordId = event.data.recordId;
    const live = result.live;
    const sameLive = live !== null && live.recordId === recordId;
    const supersedeRunning = () => {
      if (live?.running !== undefined) result.superseded.add(`${live.recordId}:${live.running}`);
    };
    switch (event.type) {
      case 'GenerationRequested':
        if (live !== null) result.problems.push(`${recordId} requested while ${live.recordId} is live`);
        if (deleted.has(recordId)) result.problems.push(`${recordId} requested again after its delete`);
        result.live = { recordId, status: 'pending' };
        break;
      case 'RegenerationRequested':
        if (!sameLive) result.problems.push(`regeneration of ${recordId}, which is not live`);
        supersedeRunning();
        result.live = { recordId, status: 'pending' };
        break;
      case 'GenerationStarted':
        if (!sameLive || !['pending', 'retrying'].includes(live.status))
          result.problems.push(`attempt ${event.data.attempt} of ${recordId} started while ${live?.status}`);
        if (started.includes(`${recordId}:${event.data.attempt}`))
          result.problems.push(`attempt ${event.data.attempt} of ${recordId} started twice`);
        started.push(`${recordId}:${event.data.attempt}`);
        result.live = { recordId, status: 'processing', running: event.data.attempt };
        break;
      case 'GenerationCompleted': {
        const key = `${recordId}:${event.data.attempt}`;
        if (!sameLive || live.running !== event.data.attempt)
          result.problems.push(`completion of ${key}, which is not the running attempt`);
        result.completed.set(key, (result.completed.get(key) ?? 0) + 1);
        result.superseded.add(key);
        result.live = { recordId, status: 'completed' };
        break;
      }
      case 'RecordDeleted':
        if (!sameLive) result.problems.push(`delete of ${recordId}, which is not live`);
        supersedeRunning();
        deleted.add(recordId);
        result.live = null;
        break;
      default:
        break;
    }
  }
  return result;
}

describe('races on the same storyboards', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    clearSeen();
    await h.close();
  });

  it(`keeps one live record per storyboard over ${INTERLEAVINGS} random interleavings`, async () => {
    let run = 0;
    const tally = { ops: 0, claims: 0, claimConflicts: 0, completions: 0, staleRefused: 0 };
    const service = { key: KEYS.service };
    const projects: string[] = [];

    await fc.assert(
      fc.asyncProperty(program, async (steps) => {
        run++;
        const projectId = `race-${run}`;
        const streamOf = (sb: Storyboard) => generationStreamId('image', projectId, sb);
        const recordIds: Record<Storyboard, string[]> = { s1: [], s2: [] };
        const attempts: Record<Storyboard, { recordId: string; attempt: number }[]> = { s1: [], s2: [] };
        let position = '0';
        const remember = (answer: { headers: Headers }) => {
          const written = answer.headers.get('x-event-position');
          if (written !== null && BigInt(written) > BigInt(position)) position = written;
        };

        const execute = async (operation: Op, supersededBefore: Set<string>): Promise<void> => {
          tally.ops++;
          const { sb } = operation;
          switch (operation.type) {
            case 'request': {
              const answer = await h.call('POST', '/api/v1/images/text-to-image', {
                ...service,
                body: imageBatch(projectId, [sb]),
              });
              expect(answer.status).toBe(202);
              const item = answer.body.data.items[0];
              if (item.result === 'accepted') recordIds[sb].push(item.recordId);
              else expect(item.error).toBe('STORYBOARD_EXISTS');
              remember(answer);
              return;
            }
            case 'regenerate': {
              const answer = await h.call('POST', '/api/v1/images/regenerate', {
                ...service,
                body: {
                  projectId,
                  updateBy: 'racer',
                  storyboards: [{ storyboardId: sb, prompt: `again ${run}` }],
                },
              });
              expect(answer.status).toBe(202);
              const item = answer.body.data.items[0];
              if (item.result !== 'accepted') expect(item.error).toBe('RECORD_NOT_LIVE');
              remember(answer);
              return;
            }
            case 'delete': {
              const known = recordIds[sb];
              const recordId = known.length === 0 ? 'no-such-record' : known[operation.pick % known.length]!;
              const answer = await h.call('DELETE', `/api/v1/images/records/${recordId}`, {
                ...service,
                headers: { 'x-min-position': position },
              });
              expect([200, 404]).toContain(answer.status);
              remember(answer);
              return;
            }
            case 'start': {
              // The worker's claim: StartAttempt at the revision it read; anything appended since wins.
              const { state, revision } = await loadStream<GenerationEvent, GenerationSlotState>(
                h.eventStore,
                streamOf(sb),
                generationSlotDecider,
              );
              if (state.status !== 'pending' && state.status !== 'retrying') return;
              const attempt = state.currentAttempt + 1;
              try {
                await handleCommandAt(
                  h.eventStore,
                  streamOf(sb),
                  generationSlotDecider,
                  {
                    type: 'StartAttempt',
                    data: {
                      recordId: state.recordId,
                      attempt,
                      accountId: 'acc-1',
                      site: 'cn',
                      leaseId: `lease-${run}-${attempt}`,
                      leaseDeadline: new Date(Date.now() + 60_000).toISOString(),
                      at: new Date().toISOString(),
                    },
                  },
                  revision,
                );
                attempts[sb].push({ recordId: state.recordId, attempt });
                tally.claims++;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
                tally.claimConflicts++;
              }
              return;
            }
            case 'complete': {
              const known = attempts[sb];
              if (known.length === 0) return;
              const { recordId, attempt } = known[operation.pick % known.length]!;
              tally.completions++;
              try {
                await handleCommand(
                  h.eventStore,
                  streamOf(sb),
                  generationSlotDecider,
                  {
                    type: 'CompleteGeneration',
                    data: {
                      recordId,
                      attempt,
                      urls: ['https://cdn.example/1.png'],
                      durationMs: 1,
                      at: new Date().toISOString(),
                    },
                  },
                  { eventIdSeed: `${recordId}:${attempt}:outcome` },
                );
                expect(supersededBefore.has(`${recordId}:${attempt}`)).toBe(false);
              } catch (error) {
                if (!isDomainError(error, 'STALE_ATTEMPT')) throw error;
                tally.staleRefused++;
              }
              return;
            }
          }
        };

        for (const step of steps) {
          const before = new Map<Storyboard, Set<string>>();
          for (const sb of STORYBOARDS)
            before.set(sb, fold(await h.eventStore.readStream(streamOf(sb))).superseded);
          await Promise.all(step.map((operation) => execute(operation, before.get(operation.sb)!)));

          for (const sb of STORYBOARDS) {
            const folded = fold(await h.eventStore.readStream(streamOf(sb)));
            expect(folded.problems).toEqual([]);
            expect([...folded.completed.values()].every((count) => count === 1)).toBe(true);
          }
          // The read model may lag, but never shows two live records of one storyboard.
          const page = await h.readModels.listRecords({
            kind: 'image',
            projectId,
            page: 1,
            pageSize: 100,
            sortBy: 'createdAt',
            sortOrder: 'asc',
          });
          for (const sb of STORYBOARDS) {
            expect(page.list.filter((r) => r.storyboardId === sb && !r.isDeleted).length).toBeLessThanOrEqual(
              1,
            );
          }
        }

        projects.push(projectId);
      }),
      { numRuns: INTERLEAVINGS, endOnFailure: true },
    );

    // Once projected, the read model shows exactly the live record of each folded stream.
    await h.settle();
    for (const projectId of projects) {
      const settled = await h.readModels.listRecords({
        kind: 'image',
        projectId,
        page: 1,
        pageSize: 100,
        sortBy: 'createdAt',
        sortOrder: 'asc',
      });
      for (const sb of STORYBOARDS) {
        const live = fold(await h.eventStore.readStream(generationStreamId('image', projectId, sb))).live;
        const shown = settled.list.filter((r) => r.storyboardId === sb && !r.isDeleted);
        expect(shown.map((r) => r.id)).toEqual(live === null ? [] : [live.recordId]);
      }
    }
    console.log(`interleavings: ${INTERLEAVINGS}`, JSON.stringify(tally));
    expect(tally.staleRefused).toBeGreaterThan(0);
    expect(tally.completions).toBeGreaterThan(tally.staleRefused);
  }, 120_000);
});
