import { GenerationService, type NewGeneration } from '../../../src/application/generation-service';
import { generationStreamId } from '../../../src/events';
import type { EventStore } from '../../../src/ports/event-store';
import type { GenerationRecordView } from '../../../src/ports/read-models';
import { InMemoryEventStore } from '../../support/in-memory-event-store';

const context = { correlationId: 'req-1', apiKey: 'cartoon' };
let counter = 0;
const ids = { nextId: () => String(1000 + ++counter) };
const clock = { now: () => new Date('2025-01-16T08:00:00.000Z') };

function request(overrides: Partial<NewGeneration> = {}): NewGeneration {
  return {
    kind: 'image',
    mode: 'text_to_image',
    projectId: 'p-1',
    projectName: 'Night Rain',
    storyboardId: 'sb-1',
    workId: 'w-1',
    createBy: 'zhang.san',
    prompt: 'a rainy street',
    params: {},
    ...overrides,
  };
}

function service(store: EventStore, records: GenerationRecordView[] = []) {
  return new GenerationService({
    eventStore: store,
    ids,
    clock,
    records: { getRecord: async (kind, id) => records.find((r) => r.kind === kind && r.id === id) ?? null },
  });
}

describe('GenerationService.request', () => {
  it('appends GenerationRequested with the default model and the request metadata', async () => {
    const store = new InMemoryEventStore();

    const outcome = await service(store).request(request(), context);

    expect(outcome).toMatchObject({ result: 'accepted', generationStatus: 0 });
    const [event] = await store.readStream(generationStreamId('image', 'p-1', 'sb-1'));
    expect(event).toMatchObject({
      type: 'GenerationRequested',
      data: { model: 'jimeng-4.5', createBy: 'zhang.san', at: '2025-01-16T08:00:00.000Z' },
      metadata: { correlationId: 'req-1', actor: 'zhang.san', apiKey: 'cartoon' },
    });
  });

  it('lets exactly one of two concurrent requests for one storyboard win', async () => {
    const store = new InMemoryEventStore();
    const generations = service(store);

    const outcomes = await Promise.all([
      generations.request(request(), context),
      generations.request(request(), context),
    ]);

    expect(outcomes.map((o) => o.result).sort()).toEqual(['accepted', 'rejected']);
    expect(outcomes.find((o) => o.result === 'rejected')).toMatchObject({ error: 'STORYBOARD_EXISTS' });
    expect(await store.readStream(generationStreamId('image', 'p-1', 'sb-1'))).toHaveLength(1);
  });

  it('starts a new record on a storyboard whose record was deleted', async () => {
    const store = new InMemoryEventStore();
    const generations = service(store);
    const first = await generations.request(request(), context);
    const recordId = (first as { recordId: string }).recordId;
    const view = {
      kind: 'image',
      id: recordId,
      streamId: generationStreamId('image', 'p-1', 'sb-1'),
    } as GenerationRecordView;
    await service(store, [view]).delete('image', recordId, 'li.si', context);

    const second = await generations.request(request(), context);

    expect(second).toMatchObject({ result: 'accepted' });
    expect((second as { recordId: string }).recordId).not.toBe(recordId);
  });

  it('refuses parameters the model cannot take, naming the field, without appending', async () => {
    const store = new InMemoryEventStore();

    const outcome = await service(store).request(
      request({ kind: 'video', mode: 'text_to_video', model: 'jimeng-video-veo3', params: { duration: 5 } }),
      context,
    );

    expect(outcome).toMatchObject({
      result: 'rejected',
      error: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'duration' }] },
    });
    expect(await store.readStream(generationStreamId('video', 'p-1', 'sb-1'))).toHaveLength(0);
  });
});

describe('GenerationService.regenerate', () => {
  it('validates the merged parameters: a new model must accept the kept duration', async () => {
    const store = new InMemoryEventStore();
    const generations = service(store);
    await generations.request(
      request({ kind: 'video', mode: 'text_to_video', model: 'jimeng-video-3.0', params: { duration: 10 } }),
      context,
    );

    const outcome = await generations.regenerate(
      {
        kind: 'video',
        projectId: 'p-1',
        storyboardId: 'sb-1',
        updateBy: 'li.si',
        changes: { model: 'jimeng-video-veo3' },
      },
      context,
    );

    expect(outcome).toMatchObject({
      result: 'rejected',
      error: 'VALIDATION_FAILED',
      message: expect.stringContaining('duration'),
    });
  });
});
