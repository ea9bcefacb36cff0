import { WrongExpectedRevisionError } from '../../../src/ports/event-store';
import {
  appendIfAt,
  deterministicEventId,
  generationSlotDecider,
  handleCommand,
  handleCommandAt,
} from '../../../src/commands';
import { InMemoryEventStore } from '../../support/in-memory-event-store';
import { at, requestData, requested, started } from './support/fixtures';

const STREAM = 'image-p1.s1';
const request = { type: 'RequestGeneration' as const, data: requestData() };

describe('handleCommand', () => {
  it('appends to a new stream with no_stream and returns events, revision, position and state', async () => {
    const store = new InMemoryEventStore();
    const result = await handleCommand(store, STREAM, generationSlotDecider, request, {
      metadata: { correlationId: 'req-1', actor: 'alice' },
    });
    expect(result.events).toEqual([requested()]);
    expect(result.nextExpectedRevision).toBe(0);
    expect(result.position).toBe(1n);
    expect(result.state).toMatchObject({ status: 'pending', recordId: 'r1' });
    const [stored] = await store.readStream(STREAM);
    expect(stored?.metadata).toMatchObject({ correlationId: 'req-1', actor: 'alice', schemaVersion: 1 });
  });

  it('appends at the last revision of an existing stream', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request);
    const result = await handleCommand(store, STREAM, generationSlotDecider, {
      type: 'StartAttempt',
      data: {
        recordId: 'r1',
        accountId: 'a1',
        site: 'hk',
        leaseId: 'lease-1',
        leaseDeadline: at(600),
        at: at(1),
      },
    });
    expect(result.nextExpectedRevision).toBe(1);
    expect(result.state).toMatchObject({ status: 'processing', currentAttempt: 1 });
  });

  it('propagates domain errors with their code and appends nothing', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request);
    await expect(
      handleCommand(store, STREAM, generationSlotDecider, {
        ...request,
        data: requestData({ recordId: 'r2' }),
      }),
    ).rejects.toMatchObject({ code: 'STORYBOARD_EXISTS' });
    expect(await store.readStream(STREAM)).toHaveLength(1);
  });

  it('a command that decides nothing appends nothing', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request);
    await handleCommand(store, STREAM, generationSlotDecider, {
      type: 'DeleteRecord',
      data: { recordId: 'r1', updateBy: 'bob', at: at(5) },
    });
    const calls = store.appendCalls;
    const result = await handleCommand(store, STREAM, generationSlotDecider, {
      type: 'DeleteRecord',
      data: { recordId: 'r1', updateBy: 'bob', at: at(6) },
    });
    expect(result).toMatchObject({ events: [], nextExpectedRevision: 1 });
    expect(store.appendCalls).toBe(calls);
  });

  it('on a concurrent append, decides again on the new state', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request);
    // Another worker claims the record between our read and our append.
    store.beforeAppend = () => appendIfAt(store, STREAM, 0, [started(1)]).then(() => undefined);
    await expect(
      handleCommand(store, STREAM, generationSlotDecider, {
        type: 'StartAttempt',
        data: {
          recordId: 'r1',
          accountId: 'a2',
          site: 'hk',
          leaseId: 'l',
          leaseDeadline: at(600),
          at: at(1),
        },
      }),
    ).rejects.toMatchObject({ code: 'STALE_ATTEMPT' });
  });

  it('retries a bounded number of times, then gives up with WrongExpectedRevisionError', async () => {
    // A store where every append loses the race.
    class AlwaysConflicting extends InMemoryEventStore {
      reads = 0;
      override async readStream(id: string) {
        this.reads++;
        return super.readStream(id);
      }
      override async append(): Promise<never> {
        throw new WrongExpectedRevisionError(STREAM, 'no_stream', 0);
      }
    }
    const counting = new AlwaysConflicting();
    await expect(
      handleCommand(counting, STREAM, generationSlotDecider, request, { maxRetries: 2 }),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(counting.reads).toBe(3);
  });

  it('with an event id seed, ids are deterministic (a repeated append is recognised)', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request, { eventIdSeed: 'http:req-1:0' });
    const [stored] = await store.readStream(STREAM);
    expect(stored?.id).toBe(deterministicEventId('http:req-1:0', 0));
    // A retry after a lost answer repeats the same ids: the store treats it as the same write.
    await appendIfAt(store, STREAM, 'no_stream', [requested()], { eventIdSeed: 'http:req-1:0' });
    expect(await store.readStream(STREAM)).toHaveLength(1);
  });

  it('refuses invalid command data before anything is written (VALIDATION_FAILED)', async () => {
    const store = new InMemoryEventStore();
    await expect(
      handleCommand(store, STREAM, generationSlotDecider, {
        ...request,
        data: requestData({ callbackUrl: 'not a url' }),
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await store.readStream(STREAM)).toEqual([]);
  });
});

describe('handleCommandAt / appendIfAt (claim at a job revision)', () => {
  it('appends when the stream is still at the expected revision', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request);
    const result = await handleCommandAt(
      store,
      STREAM,
      generationSlotDecider,
      {
        type: 'StartAttempt',
        data: {
          recordId: 'r1',
          accountId: 'a1',
          site: 'hk',
          leaseId: 'l',
          leaseDeadline: at(600),
          at: at(1),
        },
      },
      0,
    );
    expect(result.nextExpectedRevision).toBe(1);
  });

  it('a stale job (stream moved on) fails with WrongExpectedRevisionError and appends nothing', async () => {
    const store = new InMemoryEventStore();
    await handleCommand(store, STREAM, generationSlotDecider, request);
    await handleCommand(store, STREAM, generationSlotDecider, {
      type: 'RequestRegeneration',
      data: { changes: {}, updateBy: 'bob', at: at(3) },
    });
    await expect(
      handleCommandAt(
        store,
        STREAM,
        generationSlotDecider,
        {
          type: 'StartAttempt',
          data: {
            recordId: 'r1',
            accountId: 'a1',
            site: 'hk',
            leaseId: 'l',
            leaseDeadline: at(600),
            at: at(4),
          },
        },
        0,
      ),
    ).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    await expect(appendIfAt(store, STREAM, 0, [started(1)])).rejects.toBeInstanceOf(
      WrongExpectedRevisionError,
    );
    expect(await store.readStream(STREAM)).toHaveLength(2);
  });
});

describe('deterministicEventId', () => {
  it('is a version-5 shaped UUID, stable per seed and index', () => {
    const id = deterministicEventId('seed', 0);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deterministicEventId('seed', 0)).toBe(id);
    expect(deterministicEventId('seed', 1)).not.toBe(id);
    expect(deterministicEventId('seed2', 0)).not.toBe(id);
  });
});
