import type { GenerationKind } from '../../events';
import { RECORD_SORT_FIELDS } from '../../ports/read-models';
import { z } from '../openapi-zod';
import {
  actor,
  callbackUrl as callbackUrlSchema,
  entityId,
  generationStatusCode,
  httpUrl,
  isoTime,
  pageOf,
  pageQuery,
  rejectedItem,
  slotKey,
  textQuery,
} from './common';

export const MAX_STORYBOARDS = 200;
export const MAX_PROMPT = 4000;

const prompt = z
  .string()
  .trim()
  .min(1)
  .max(MAX_PROMPT)
  .openapi({ example: '雨夜的霓虹街道，少女撑伞回望，赛博朋克风格' });
const model = z.string().min(1).max(128);
const ratio = z.string().max(16).openapi({ example: '16:9' });
const resolution = z.string().max(16);
const images = z.array(httpUrl).min(1).max(10).openapi({ description: 'Reference images, 1–10 URLs.' });

const imageParams = {
  ratio: ratio.optional().openapi({ description: '1:1, 4:3, 3:4, 16:9, 9:16, 3:2, 2:3, 21:9 (default 1:1)' }),
  resolution: resolution.optional().openapi({ description: '1k, 2k, 4k (default 2k)', example: '2k' }),
  negativePrompt: z.string().max(MAX_PROMPT).optional(),
  sampleStrength: z.number().min(0).max(1).optional().openapi({ description: '0–1' }),
};

const videoParams = {
  firstFrameUrl: httpUrl.optional(),
  lastFrameUrl: httpUrl.optional(),
  images: images.optional(),
  duration: z.number().int().min(1).max(60).optional().openapi({
    description: 'Seconds; allowed values depend on the model (e.g. 5 or 10; veo3 8; sora2 4, 8, 12).',
    example: 5,
  }),
  ratio: ratio.optional().openapi({ description: '1:1, 4:3, 3:4, 16:9, 9:16, 21:9 (default 1:1)' }),
  resolution: resolution.optional().openapi({ description: '720p or 1080p (default 720p)', example: '720p' }),
};

export const videoModes = ['text_to_video', 'image_to_video', 'first_last_frame'] as const;
export const imageModes = ['text_to_image', 'image_to_image'] as const;

export const textToImageStoryboard = z
  .strictObject({ storyboardId: slotKey, prompt, ...imageParams })
  .openapi('TextToImageStoryboard');
export const imageToImageStoryboard = z
  .strictObject({ storyboardId: slotKey, prompt, ...imageParams, images })
  .openapi('ImageToImageStoryboard');
export const videoStoryboard = z
  .strictObject({
    storyboardId: slotKey,
    prompt,
    mode: z
      .enum(videoModes)
      .optional()
      .openapi({
        description:
          'text_to_video (文生视频), image_to_video (图生视频: images or firstFrameUrl), first_last_frame (首尾帧: firstFrameUrl and lastFrameUrl). ' +
          'Default: first_last_frame with both frames, image_to_video with a first frame or images, else text_to_video.',
      }),
    ...videoParams,
  })
  .openapi('VideoStoryboard');

/** Fields every generation batch shares. */
const batchFields = {
  projectId: slotKey.openapi({ description: 'project_id (推理项目ID)', example: 'proj-2025-0116' }),
  projectName: z.string().min(1).max(256).openapi({ example: '都市夜雨' }),
  workId: z.string().min(1).max(128).openapi({ description: 'work_id (作品ID)', example: 'work-88' }),
  createBy: actor,
  model: model.optional().openapi({
    description: 'Model for every storyboard; default jimeng-4.5 (images) or jimeng-video-3.5-pro (videos).',
  }),
  callbackUrl: callbackUrlSchema.optional().openapi({
    description: 'POSTed when each record completes or fails (see webhook generation.completed).',
    example: 'https://cartoon.example.com/hooks/jimeng',
  }),
};

const storyboardList = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(MAX_STORYBOARDS);

/**
 * At run time the storyboards are checked one by one (a bad storyboard rejects only itself), so
 * the request is parsed in two steps: the batch with untyped storyboards, then each storyboard.
 */
export const batchShell = z.strictObject({ ...batchFields, storyboards: storyboardList(z.unknown()) });
export const regenerationShell = (kind: GenerationKind) =>
  z
    .strictObject({
      projectId: slotKey,
      updateBy: actor,
      storyboards: storyboardList(z.unknown()),
    })
    .openapi({ description: `Regenerate ${kind}s` });

const exampleStoryboards = [
  { storyboardId: 'sb-001', prompt: '雨夜的霓虹街道，少女撑伞回望', ratio: '16:9' },
  { storyboardId: 'sb-002', prompt: '清晨的屋顶，一只橘猫伸懒腰', ratio: '16:9', resolution: '2k' },
];
const batchExample = {
  projectId: 'proj-2025-0116',
  projectName: '都市夜雨',
  workId: 'work-88',
  createBy: 'zhang.san',
  callbackUrl: 'https://cartoon.example.com/hooks/jimeng',
};

export const textToImageBody = z
  .strictObject({ ...batchFields, storyboards: storyboardList(textToImageStoryboard) })
  .openapi('TextToImageRequest', {
    example: { ...batchExample, model: 'jimeng-4.5', storyboards: exampleStoryboards },
  });
export const imageToImageBody = z
  .strictObject({ ...batchFields, storyboards: storyboardList(imageToImageStoryboard) })
  .openapi('ImageToImageRequest', {
    example: {
      ...batchExample,
      storyboards: [{ ...exampleStoryboards[0], images: ['https://cdn.example.com/ref/girl.png'] }],
    },
  });
export const videoGenerationBody = z
  .strictObject({ ...batchFields, storyboards: storyboardList(videoStoryboard) })
  .openapi('VideoGenerationRequest', {
    example: {
      ...batchExample,
      model: 'jimeng-video-3.5-pro',
      storyboards: [
        {
          storyboardId: 'sb-001',
          prompt: '镜头缓慢推进，雨滴落下',
          mode: 'text_to_video',
          duration: 5,
          ratio: '16:9',
        },
        {
          storyboardId: 'sb-002',
          prompt: '从首帧过渡到尾帧',
          mode: 'first_last_frame',
          firstFrameUrl: 'https://cdn.example.com/f/first.png',
          lastFrameUrl: 'https://cdn.example.com/f/last.png',
          duration: 10,
        },
      ],
    },
  });

const regenCommon = {
  storyboardId: slotKey,
  model: model.optional(),
  prompt: prompt.optional(),
  callbackUrl: callbackUrlSchema.optional(),
};

export const imageRegenerationItem = z
  .strictObject({
    ...regenCommon,
    mode: z.enum(imageModes).optional(),
    ...imageParams,
    images: images.optional(),
  })
  .openapi('ImageRegenerationStoryboard', {
    description: 'Only the fields given change; the rest keep their values.',
  });
export const videoRegenerationItem = z
  .strictObject({ ...regenCommon, mode: z.enum(videoModes).optional(), ...videoParams })
  .openapi('VideoRegenerationStoryboard', {
    description: 'Only the fields given change; the rest keep their values.',
  });

const regenerationBody = (kind: GenerationKind, item: z.ZodType) =>
  z
    .strictObject({
      projectId: slotKey,
      updateBy: actor.openapi({ description: 'Who regenerates (update_by).' }),
      storyboards: storyboardList(item),
    })
    .openapi(kind === 'image' ? 'ImageRegenerationRequest' : 'VideoRegenerationRequest', {
      example: {
        projectId: 'proj-2025-0116',
        updateBy: 'zhang.san',
        storyboards: [
          { storyboardId: 'sb-001', prompt: '雨夜的霓虹街道，少女撑伞回望，特写', ratio: '9:16' },
        ],
      },
    });
export const imageRegenerationBody = regenerationBody('image', imageRegenerationItem);
export const videoRegenerationBody = regenerationBody('video', videoRegenerationItem);

export const generationItemResult = z
  .discriminatedUnion('result', [
    z.strictObject({
      index: z.number().int(),
      storyboardId: z.string().nullable(),
      result: z.literal('accepted'),
      recordId: z.string(),
      generationStatus: z.literal(0).openapi({ description: '0 pending (待处理)' }),
    }),
    z.strictObject({ index: z.number().int(), storyboardId: z.string().nullable(), ...rejectedItem }),
  ])
  .openapi('GenerationItemResult');

export const generationBatchResult = z
  .strictObject({
    accepted: z.number().int(),
    rejected: z.number().int(),
    items: z
      .array(generationItemResult)
      .openapi({ description: 'One result per storyboard, in request order.' }),
  })
  .openapi('GenerationBatchResult', {
    example: {
      accepted: 1,
      rejected: 1,
      items: [
        {
          index: 0,
          storyboardId: 'sb-001',
          result: 'accepted',
          recordId: '7254867412436993',
          generationStatus: 0,
        },
        {
          index: 1,
          storyboardId: 'sb-002',
          result: 'rejected',
          error: 'STORYBOARD_EXISTS',
          message:
            'storyboard sb-002 already has record 7254867412436994: regenerate it instead (POST /api/v1/images/regenerate with this storyboardId)',
          details: { recordId: '7254867412436994' },
        },
      ],
    },
  });

const run = z
  .number()
  .int()
  .min(1)
  .optional()
  .openapi({ description: 'Run of the record: 1 for the first request, +1 for each regeneration.' });

const switchEntry = z.strictObject({
  run,
  type: z.enum(['site', 'account']),
  attempt: z.number().int(),
  fromAccountId: z.string(),
  toAccountId: z.string(),
  fromSite: z.string(),
  toSite: z.string(),
  reason: z
    .string()
    .openapi({ description: 'Error class that caused the switch (RATE_LIMITED, SITE_MISMATCH, …)' }),
  upstreamCode: z.string().optional(),
  message: z.string().optional(),
  at: isoTime,
});

const attemptEntry = z.strictObject({
  run,
  attempt: z.number().int(),
  accountId: z.string(),
  site: z.string(),
  startedAt: isoTime,
  endedAt: isoTime.optional(),
  outcome: z.enum(['running', 'completed', 'failed', 'abandoned']),
  errorClass: z.string().optional(),
  upstreamCode: z.string().optional(),
  message: z.string().optional(),
  submitted: z.boolean().optional(),
});

function recordFields(kind: GenerationKind) {
  const urls = z.array(z.string()).openapi({ description: `${kind}_urls: results, empty until completed` });
  return {
    id: z.string(),
    mode: z.string(),
    jimengAccountsId: z
      .string()
      .nullable()
      .openapi({ description: 'jimeng_accounts_id: account of the current or last attempt' }),
    projectId: z.string(),
    projectName: z.string(),
    storyboardId: z.string(),
    workId: z.string(),
    model: z.string(),
    prompt: z.string(),
    params: z.record(z.string(), z.unknown()).openapi({
      description:
        'ratio, resolution, negativePrompt, sampleStrength, images, duration, firstFrameUrl, lastFrameUrl',
    }),
    generationStatus: generationStatusCode,
    ...(kind === 'image' ? { imageUrls: urls } : { videoUrls: urls }),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    siteSwitchCount: z
      .number()
      .int()
      .openapi({ description: 'site_switch_count: site and account switches of the current run' }),
    accountSwitchCount: z.number().int(),
    attemptCount: z.number().int(),
    run,
    callbackUrl: z.string().nullable(),
    callbackStatus: z.enum(['none', 'pending', 'delivered', 'failed']),
    retryAt: isoTime.nullable(),
    createBy: z.string(),
    updateBy: z.string(),
    createdAt: isoTime,
    updatedAt: isoTime,
    completedAt: isoTime.nullable(),
  };
}

const capitalized = (kind: GenerationKind) => (kind === 'image' ? 'Image' : 'Video');

export const recordSummarySchema = (kind: GenerationKind) =>
  z.strictObject(recordFields(kind)).openapi(`${capitalized(kind)}Record`);
export const recordDetailSchema = (kind: GenerationKind) =>
  z
    .strictObject({
      ...recordFields(kind),
      switchHistory: z.array(switchEntry),
      attempts: z.array(attemptEntry),
    })
    .openapi(`${capitalized(kind)}RecordDetail`, {
      description: 'The record with its full switch history and attempts.',
    });
export const recordPage = (kind: GenerationKind) =>
  pageOf(recordSummarySchema(kind)).openapi(`${capitalized(kind)}RecordPage`);

export const recordListQuery = z.strictObject({
  createBy: textQuery('zhang.san').openapi({ description: 'create_by' }),
  workId: textQuery('work-88').openapi({ description: 'work_id' }),
  projectId: textQuery('proj-2025-0116'),
  generationStatus: z
    .enum(['0', '1', '2', '3', '4'])
    .transform(Number)
    .optional()
    .openapi({ type: 'integer', enum: [0, 1, 2, 3, 4], description: 'generationStatus code' }),
  sortBy: z.enum(RECORD_SORT_FIELDS).optional().openapi({ description: 'Default createdAt.' }),
  ...pageQuery,
});

export const recordIdParams = z.strictObject({ id: entityId });

export const deletedRecord = z
  .strictObject({ recordId: z.string(), deleted: z.literal(true) })
  .openapi('DeletedRecord');
