import type { GenerationEvent } from '../../../../src/events';
import { planCallback, retryDelayMs, type SlotEvent } from '../../../../src/workers/callbacks';
import { at, completed, requested, started } from '../../projections/support/events';

const URL = 'https://b.example/hook';
const stream = (...events: GenerationEvent[]): SlotEvent[] =>
  events.map((event, revision) => ({ id: `e${revision}`, revision, event }));
const callbackFailed = (attempts: number, final = false): GenerationEvent => ({
  type: 'CallbackFailed',
  data: { recordId: 'r1', url: URL, error: 'HTTP 500', attempts, final, at: at(100 + attempts) },
});
const delivered: GenerationEvent = {
  type: 'CallbackDelivered',
  data: { recordId: 'r1', url: URL, httpStatus: 200, attempts: 1, at: at(99) },
};
const regenerated: GenerationEvent = {
  type: 'RegenerationRequested',
  data: { recordId: 'r1', changes: {}, updateBy: 'bob', at: at(98) },
};
const deleted: GenerationEvent = {
  type: 'RecordDeleted',
  data: { recordId: 'r1', updateBy: 'bob', at: at(98) },
};

describe('planCallback', () => {
  const done = [requested({ callbackUrl: URL }), started(1), completed(1)];

  it('the outcome starts delivery attempt 1 of its own event', () => {
    expect(planCallback(stream(...done), 2)).toMatchObject({
      attempt: 1,
      url: URL,
      outcome: { id: 'e2', revision: 2 },
    });
  });

  it('the last CallbackFailed (not final) drives the next attempt', () => {
    expect(planCallback(stream(...done, callbackFailed(1), callbackFailed(2)), 4)).toMatchObject({
      attempt: 3,
      retryOf: at(102),
    });
  });

  it.each<[string, GenerationEvent[], number]>([
    ['no callback URL', [requested(), started(1), completed(1)], 2],
    ['already delivered (a republished outcome)', [...done, delivered], 2],
    ['a retry already under way (a duplicate outcome)', [...done, callbackFailed(1)], 2],
    ['an older failure than the last', [...done, callbackFailed(1), callbackFailed(2)], 3],
    ['a final failure', [...done, callbackFailed(8, true)], 3],
    ['regenerated since the outcome', [...done, regenerated], 2],
    ['deleted since the outcome', [...done, deleted], 2],
    ['not an outcome', done, 1],
  ])('nothing to do when %s', (_name, events, trigger) => {
    expect(planCallback(stream(...events), trigger)).toBeNull();
  });
});

describe('retry delay', () => {
  it('grows exponentially from the base up to the cap, with full jitter', () => {
    const settings = { baseDelayMs: 1000, maxDelayMs: 60_000 };
    expect([1, 2, 3, 4, 8, 20].map((n) => retryDelayMs(n, settings, () => 0.999999))).toEqual([
      0, 999, 1999, 3999, 59_999, 59_999,
    ]);
    expect(retryDelayMs(5, settings, () => 0)).toBe(0);
  });
});
