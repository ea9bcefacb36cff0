import type { ApiClient } from './api-client';
import type { Kind } from './records';

export type StoryboardMode =
  'text_to_image' | 'image_to_image' | 'text_to_video' | 'image_to_video' | 'first_last_frame';

export const MODES: readonly StoryboardMode[] = [
  'text_to_image',
  'image_to_image',
  'text_to_video',
  'image_to_video',
  'first_last_frame',
];

export const kindOf = (mode: StoryboardMode): Kind => (mode.endsWith('image') ? 'image' : 'video');

export interface PlannedStoryboard {
  kind: Kind;
  mode: StoryboardMode;
  storyboardId: string;
  prompt: string;
}

export interface BatchFields {
  projectId: string;
  projectName: string;
  workId: string;
  createBy: string;
}

/**
 * `count` storyboards cycling through every mode; those whose index `isContent` picks carry
 * `contentWord` in their prompt.
 */
export function planStoryboards(
  count: number,
  options: {
    prefix?: string;
    modes?: readonly StoryboardMode[];
    contentWord?: string;
    isContent?: (index: number) => boolean;
  } = {},
): PlannedStoryboard[] {
  const modes = options.modes ?? MODES;
  return Array.from({ length: count }, (_, index) => {
    const mode = modes[index % modes.length]!;
    const content = options.contentWord !== undefined && (options.isContent?.(index) ?? false);
    return {
      kind: kindOf(mode),
      mode,
      storyboardId: `${options.prefix ?? 'sb'}-${String(index).padStart(4, '0')}`,
      prompt: content
        ? `scene ${index}: a ${options.contentWord} scene in the rain`
        : `scene ${index}: neon street in the rain, a girl looks back`,
    };
  });
}

const REF = 'https://cdn.example.com/ref';

function storyboardBody(planned: PlannedStoryboard): Record<string, unknown> {
  const { storyboardId, prompt } = planned;
  switch (planned.mode) {
    case 'text_to_image':
      return { storyboardId, prompt, ratio: '16:9', resolution: '1k' };
    case 'image_to_image':
      return { storyboardId, prompt, images: [`${REF}/${storyboardId}.png`], resolution: '1k' };
    case 'text_to_video':
      return { storyboardId, prompt, mode: 'text_to_video', duration: 5 };
    case 'image_to_video':
      return { storyboardId, prompt, mode: 'image_to_video', firstFrameUrl: `${REF}/${storyboardId}-a.png` };
    case 'first_last_frame':
      return {
        storyboardId,
        prompt,
        mode: 'first_last_frame',
        firstFrameUrl: `${REF}/${storyboardId}-a.png`,
        lastFrameUrl: `${REF}/${storyboardId}-b.png`,
        duration: 5,
      };
  }
}

const routeOf = (mode: StoryboardMode) =>
  mode === 'text_to_image'
    ? '/api/v1/images/text-to-image'
    : mode === 'image_to_image'
      ? '/api/v1/images/image-to-image'
      : '/api/v1/videos/generations';

interface BatchResult {
  accepted: number;
  rejected: number;
  items: {
    storyboardId: string | null;
    result: string;
    recordId?: string;
    error?: string;
    message?: string;
  }[];
}

/**
 * Submits the storyboards through the API, one request per route and ≤ `batchSize` storyboards;
 * throws unless every storyboard is accepted. Returns record id by storyboard id.
 */
export async function submitStoryboards(
  api: ApiClient,
  batch: BatchFields,
  storyboards: readonly PlannedStoryboard[],
  batchSize = 50,
): Promise<Map<string, string>> {
  const byRoute = new Map<string, PlannedStoryboard[]>();
  for (const planned of storyboards) {
    const route = routeOf(planned.mode);
    byRoute.set(route, [...(byRoute.get(route) ?? []), planned]);
  }
  const recordIds = new Map<string, string>();
  const requests: Promise<void>[] = [];
  for (const [route, planned] of byRoute) {
    for (let start = 0; start < planned.length; start += batchSize) {
      const chunk = planned.slice(start, start + batchSize);
      requests.push(
        api
          .ok<BatchResult>('POST', route, { ...batch, storyboards: chunk.map(storyboardBody) })
          .then((result) => {
            const refused = result.items.filter((item) => item.result !== 'accepted');
            if (refused.length > 0) throw new Error(`storyboards refused: ${JSON.stringify(refused)}`);
            for (const item of result.items) recordIds.set(item.storyboardId!, item.recordId!);
          }),
      );
    }
  }
  await Promise.all(requests);
  return recordIds;
}

export interface NewAccount {
  jimengAccount: string;
  sessionId: string;
  [field: string]: unknown;
}

/** Registers accounts (admin); throws unless all are accepted. Returns account id by name. */
export async function registerAccounts(
  admin: ApiClient,
  createBy: string,
  accounts: readonly NewAccount[],
): Promise<Map<string, string>> {
  const result = await admin.ok<{
    items: { jimengAccount: string; result: string; accountId?: string; message?: string }[];
  }>('POST', '/api/v1/accounts', { createBy, accounts });
  const refused = result.items.filter((item) => item.result !== 'accepted');
  if (refused.length > 0) throw new Error(`accounts refused: ${JSON.stringify(refused)}`);
  return new Map(result.items.map((item) => [item.jimengAccount, item.accountId!]));
}
