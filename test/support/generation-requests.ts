import type { GenerationRequestedData } from '../../src/events';

/** One text-to-image storyboard of record r1 (project p1, storyboard s1); override what matters. */
export const imageRequestData = (
  at: string,
  overrides: Partial<GenerationRequestedData> = {},
): GenerationRequestedData => ({
  recordId: 'r1',
  kind: 'image',
  mode: 'text_to_image',
  projectId: 'p1',
  projectName: 'Project',
  storyboardId: 's1',
  workId: 'w1',
  createBy: 'alice',
  model: 'jimeng-4.0',
  prompt: 'a cat on a roof',
  params: { ratio: '16:9' },
  at,
  ...overrides,
});
