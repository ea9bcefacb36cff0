import type { NewGeneration, Regeneration } from '../../application/generation-service';
import { rejection, type ItemOutcome } from '../../application/item-outcome';
import type { GenerationKind, GenerationMode, GenerationParams } from '../../events';
import { ERROR_STATUS, HttpError } from '../error-codes';
import { defineRoute, type ApiRoute } from '../route';
import { deleteQuery } from '../schemas/common';
import {
  batchShell,
  deletedRecord,
  generationBatchResult,
  imageRegenerationBody,
  imageRegenerationItem,
  imageToImageBody,
  imageToImageStoryboard,
  recordDetailSchema,
  recordIdParams,
  recordListQuery,
  recordPage,
  regenerationShell,
  textToImageBody,
  textToImageStoryboard,
  videoGenerationBody,
  videoRegenerationBody,
  videoRegenerationItem,
  videoStoryboard,
} from '../schemas/generations';
import { describeProblems, fieldProblems } from '../validation';
import { recordDetailResponse, recordSummaryResponse } from '../views';
import { positionHeader, runKeyedBatch } from './batch';
import type { RouteServices } from './services';
import { WRITE_ERRORS } from './write-errors';
import type { ZodType } from 'zod';

type Shell = { storyboards: unknown[] };

const CONSISTENCY_NOTE =
  'Answers 202 once every storyboard is recorded (pending) or refused; generation runs in the background. ' +
  'Queries follow within milliseconds (eventually consistent): send the X-Event-Position of this answer as X-Min-Position on a later request to wait for it.';

function storyboardIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { storyboardId?: unknown }).storyboardId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * Checks each storyboard on its own (a bad one rejects only itself), refuses repeated
 * storyboardIds, then runs `work` for the valid ones.
 */
async function storyboardBatch<Item>(
  services: RouteServices,
  body: Shell,
  itemSchema: ZodType<Item>,
  work: (item: Item) => Promise<ItemOutcome<{ recordId: string; generationStatus: 0; position?: bigint }>>,
) {
  const answer = await runKeyedBatch(body.storyboards, services.batchConcurrency, services.logger, {
    key: storyboardIdOf,
    duplicate: (storyboardId) => `storyboardId ${storyboardId} appears earlier in this batch: send it once`,
    work: async (raw, index) => {
      const parsed = itemSchema.safeParse(raw);
      if (!parsed.success) {
        const fields = fieldProblems(parsed.error, `storyboards.${index}`);
        return rejection('VALIDATION_FAILED', describeProblems(fields), { fields });
      }
      return work(parsed.data);
    },
    label: (raw) => ({ storyboardId: storyboardIdOf(raw) ?? null }),
  });
  return { status: 202, message: 'accepted', data: answer.data, headers: positionHeader(answer.position) };
}

function videoMode(item: {
  mode?: GenerationMode;
  firstFrameUrl?: string;
  lastFrameUrl?: string;
  images?: string[];
}) {
  if (item.mode !== undefined) return item.mode;
  if (item.firstFrameUrl !== undefined && item.lastFrameUrl !== undefined) return 'first_last_frame';
  if (item.firstFrameUrl !== undefined || item.images !== undefined) return 'image_to_video';
  return 'text_to_video';
}

/** Splits a storyboard into the record's own fields and its generation params. */
function split<
  T extends {
    storyboardId: string;
    prompt?: string;
    mode?: GenerationMode;
    model?: string;
    callbackUrl?: string;
  },
>(item: T) {
  const { storyboardId, prompt, mode, model, callbackUrl, ...params } = item;
  return { storyboardId, prompt, mode, model, callbackUrl, params: params as GenerationParams };
}

export function generationRoutes(services: RouteServices, kind: GenerationKind): ApiRoute[] {
  const base = `/api/v1/${kind}s`;
  const tags = [kind === 'image' ? 'Images (图片生成)' : 'Videos (视频生成)'];
  const noun = kind === 'image' ? 'image' : 'video';

  const submit = (
    body: Omit<NewGeneration, 'kind' | 'mode' | 'storyboardId' | 'prompt' | 'params'> & Shell,
    mode: (item: never) => GenerationMode,
    itemSchema: ZodType,
  ) => {
    const { storyboards: _s, model, callbackUrl, ...batch } = body;
    return (context: { command: Parameters<RouteServices['generations']['request']>[1] }) =>
      storyboardBatch(services, body, itemSchema as ZodType<never>, (item) => {
        const parts = split(item as { storyboardId: string; prompt: string });
        return services.generations.request(
          {
            ...batch,
            kind,
            mode: mode(item),
            storyboardId: parts.storyboardId,
            prompt: parts.prompt!,
            params: parts.params,
            ...(model === undefined ? {} : { model }),
            ...(callbackUrl === undefined ? {} : { callbackUrl }),
          },
          context.command,
        );
      });
  };

  const creation: ApiRoute[] =
    kind === 'image'
      ? [
          defineRoute({
            method: 'post',
            path: `${base}/text-to-image`,
            summary: 'Text to image for a batch of storyboards (分镜文生图)',
            description: CONSISTENCY_NOTE,
            tags,
            roles: ['service'],
            body: { schema: batchShell, documented: textToImageBody },
            responses: { 202: { description: 'One result per storyboard', data: generationBatchResult } },
            errors: [...WRITE_ERRORS],
            handle: ({ body, command }) =>
              submit(body, () => 'text_to_image', textToImageStoryboard)({ command }),
          }),
          defineRoute({
            method: 'post',
            path: `${base}/image-to-image`,
            summary: 'Image to image for a batch of storyboards (分镜图生图)',
            description: `Each storyboard carries 1–10 reference image URLs. ${CONSISTENCY_NOTE}`,
            tags,
            roles: ['service'],
            body: { schema: batchShell, documented: imageToImageBody },
            responses: { 202: { description: 'One result per storyboard', data: generationBatchResult } },
            errors: [...WRITE_ERRORS],
            handle: ({ body, command }) =>
              submit(body, () => 'image_to_image', imageToImageStoryboard)({ command }),
          }),
        ]
      : [
          defineRoute({
            method: 'post',
            path: `${base}/generations`,
            summary: 'Generate videos for a batch of storyboards (分镜生视频: 文生视频 / 图生视频 / 首尾帧)',
            description: CONSISTENCY_NOTE,
            tags,
            roles: ['service'],
            body: { schema: batchShell, documented: videoGenerationBody },
            responses: { 202: { description: 'One result per storyboard', data: generationBatchResult } },
            errors: [...WRITE_ERRORS],
            handle: ({ body, command }) =>
              submit(
                body,
                (item: Parameters<typeof videoMode>[0]) => videoMode(item),
                videoStoryboard,
              )({ command }),
          }),
        ];

  return [
    ...creation,
    defineRoute({
      method: 'post',
      path: `${base}/regenerate`,
      summary: `Regenerate ${noun}s by storyboard id (重新生成)`,
      description:
        `Overwrites each storyboard's live record: same record id, results cleared, status 0 pending, given parameters changed. ` +
        `A storyboard without a live record is refused with RECORD_NOT_LIVE. ${CONSISTENCY_NOTE}`,
      tags,
      roles: ['service'],
      body: {
        schema: regenerationShell(kind),
        documented: kind === 'image' ? imageRegenerationBody : videoRegenerationBody,
      },
      responses: { 202: { description: 'One result per storyboard', data: generationBatchResult } },
      errors: [...WRITE_ERRORS],
      handle: async ({ body, command }) =>
        storyboardBatch(
          services,
          body,
          (kind === 'image' ? imageRegenerationItem : videoRegenerationItem) as unknown as ZodType<never>,
          (item: { storyboardId: string }) => {
            const parts = split(item);
            const changes: Regeneration['changes'] = {
              ...(parts.model === undefined ? {} : { model: parts.model }),
              ...(parts.prompt === undefined ? {} : { prompt: parts.prompt }),
              ...(parts.mode === undefined ? {} : { mode: parts.mode }),
              ...(parts.callbackUrl === undefined ? {} : { callbackUrl: parts.callbackUrl }),
              ...(Object.keys(parts.params).length === 0 ? {} : { params: parts.params }),
            };
            return services.generations.regenerate(
              {
                kind,
                projectId: body.projectId,
                storyboardId: parts.storyboardId,
                updateBy: body.updateBy,
                changes,
              },
              command,
            );
          },
        ),
    }),
    defineRoute({
      method: 'get',
      path: `${base}/records`,
      summary: `List ${noun} records, by creator and work (根据创建人、作品ID分页查询)`,
      description: 'Deleted records are left out. Eventually consistent with the writes (milliseconds).',
      tags,
      roles: ['service', 'viewer'],
      query: recordListQuery,
      responses: { 200: { description: 'A page of records', data: recordPage(kind) } },
      errors: [],
      async handle({ query }) {
        const page = await services.readModels.listRecords({
          kind,
          ...(query.createBy === undefined ? {} : { createBy: query.createBy }),
          ...(query.workId === undefined ? {} : { workId: query.workId }),
          ...(query.projectId === undefined ? {} : { projectId: query.projectId }),
          ...(query.generationStatus === undefined ? {} : { generationStatus: query.generationStatus as 0 }),
          page: query.page ?? 1,
          pageSize: query.pageSize ?? 10,
          sortBy: query.sortBy ?? 'createdAt',
          sortOrder: query.sortOrder ?? 'desc',
        });
        return { status: 200, data: { ...page, list: page.list.map(recordSummaryResponse) } };
      },
    }),
    defineRoute({
      method: 'get',
      path: `${base}/records/{id}`,
      summary: `Get one ${noun} record with its switch history`,
      tags,
      roles: ['service', 'viewer'],
      params: recordIdParams,
      responses: { 200: { description: 'The record', data: recordDetailSchema(kind) } },
      errors: ['NOT_FOUND'],
      async handle({ params }) {
        const record = await services.readModels.getRecord(kind, params.id);
        if (record === null || record.isDeleted)
          throw new HttpError('NOT_FOUND', `no ${noun} record ${params.id}`);
        return { status: 200, data: recordDetailResponse(record) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: `${base}/records/{id}`,
      summary: `Delete a ${noun} record logically (逻辑删除生成记录)`,
      description:
        'Frees the storyboard for a new request; the history stays in the audit stream. Deleting twice succeeds. ' +
        'A record created a moment ago may not be visible yet: send X-Min-Position to wait for it.',
      tags,
      roles: ['service'],
      params: recordIdParams,
      query: deleteQuery,
      responses: { 200: { description: 'Deleted', data: deletedRecord } },
      errors: ['NOT_FOUND', 'RECORD_NOT_LIVE'],
      async handle({ params, query, principal, command }) {
        const outcome = await services.generations.delete(
          kind,
          params.id,
          query.updateBy ?? principal.name,
          command,
        );
        if (outcome.result === 'rejected') {
          const code =
            outcome.error in ERROR_STATUS ? (outcome.error as keyof typeof ERROR_STATUS) : 'NOT_FOUND';
          throw new HttpError(code, outcome.message, outcome.details);
        }
        return {
          status: 200,
          data: { recordId: params.id, deleted: true },
          headers: positionHeader(outcome.position),
        };
      },
    }),
  ];
}
