/** Generation events as the product writes them (decided by the slot decider), for loading read models. */
import { generationSlotDecider, type GenerationSlotState } from '../../src/commands';
import { generationStreamId, type GenerationEvent } from '../../src/events';

export interface RecordOwner {
  projectId: string;
  workId: string;
  createBy: string;
}

/**
 * The events of one record: requested and, when `completed`, started on an account and completed
 * with four image URLs, `at` being the request time.
 */
export function recordLifecycle(
  recordId: string,
  storyboardId: string,
  owner: RecordOwner,
  at: number,
  completed: boolean,
): { streamId: string; events: GenerationEvent[] } {
  const iso = (ms: number) => new Date(ms).toISOString();
  let state: GenerationSlotState = generationSlotDecider.initialState();
  const events: GenerationEvent[] = [];
  const run = (command: Parameters<typeof generationSlotDecider.decide>[0]) => {
    const decided = generationSlotDecider.decide(command, state);
    for (const event of decided) state = generationSlotDecider.evolve(state, event);
    events.push(...decided);
  };
  run({
    type: 'RequestGeneration',
    data: {
      recordId,
      kind: 'image',
      mode: 'text_to_image',
      projectId: owner.projectId,
      projectName: 'bench',
      storyboardId,
      workId: owner.workId,
      createBy: owner.createBy,
      model: 'jimeng-4.5',
      prompt: `a rainy neon street, storyboard ${storyboardId}`,
      params: { ratio: '16:9', resolution: '2k' },
      at: iso(at),
    },
  });
  if (completed) {
    run({
      type: 'StartAttempt',
      data: {
        recordId,
        attempt: 1,
        accountId: '100000000000000001',
        site: 'cn',
        leaseId: `lease-${recordId}`,
        leaseDeadline: iso(at + 30_000),
        at: iso(at + 5),
      },
    });
    run({
      type: 'CompleteGeneration',
      data: {
        recordId,
        attempt: 1,
        urls: [1, 2, 3, 4].map((n) => `https://files.example.test/${recordId}-${n}.png`),
        durationMs: 45_000,
        at: iso(at + 45_005),
      },
    });
  }
  return { streamId: generationStreamId('image', owner.projectId, storyboardId), events };
}
