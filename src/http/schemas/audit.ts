import { z } from '../openapi-zod';
import { intQuery, isoTime, slotKey } from './common';

export const auditParams = z.strictObject({
  kind: z.enum(['image', 'video']),
  projectId: slotKey,
  storyboardId: slotKey,
});

export const auditQuery = z.strictObject({
  fromRevision: intQuery(0, 1_000_000_000, 'First stream revision to return (default 0).'),
  limit: intQuery(1, 100, 'Events per page, 1–100 (default 50).'),
});

export const auditPage = z
  .strictObject({
    streamId: z.string().openapi({ example: 'image-proj-2025-0116.sb-001' }),
    list: z.array(
      z.strictObject({
        type: z.string().openapi({ example: 'GenerationRequested' }),
        revision: z.number().int(),
        time: isoTime,
        actor: z.string().nullable(),
        correlationId: z.string().nullable(),
        schemaVersion: z.number().int(),
        data: z.unknown().openapi({ description: 'The event as stored; secrets are sealed.' }),
      }),
    ),
    fromRevision: z.number().int(),
    limit: z.number().int(),
    nextFromRevision: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Start of the next page; null at the end.' }),
  })
  .openapi('StoryboardAuditPage');
