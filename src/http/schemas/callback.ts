import { z } from '../openapi-zod';
import { generationStatusCode, isoTime } from './common';

/** Retry policy of callback deliveries, documented here and shared with the callback worker. */
export const CALLBACK_RETRY_POLICY = {
  attempts: 8,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  jitter: 'full',
} as const;

export const CALLBACK_HEADERS = {
  eventId: 'X-Jimeng-Event-Id',
  timestamp: 'X-Jimeng-Timestamp',
  signature: 'X-Jimeng-Signature',
  attempt: 'X-Jimeng-Delivery-Attempt',
} as const;

export const callbackPayload = z
  .strictObject({
    event: z.enum(['generation.completed', 'generation.failed']),
    recordId: z.string(),
    kind: z.enum(['image', 'video']),
    projectId: z.string(),
    projectName: z.string(),
    storyboardId: z.string(),
    workId: z.string(),
    generationStatus: generationStatusCode.openapi({
      description: '2 completed (已完成) or 3 failed (失败)',
    }),
    imageUrls: z.array(z.string()).optional().openapi({ description: 'Image records only' }),
    videoUrls: z.array(z.string()).optional().openapi({ description: 'Video records only' }),
    errorCode: z.string().nullable(),
    errorMessage: z.string().nullable(),
    siteSwitchCount: z.number().int(),
    attempts: z.number().int(),
    occurredAt: isoTime,
  })
  .openapi('CallbackPayload', {
    example: {
      event: 'generation.completed',
      recordId: '7254867412436993',
      kind: 'image',
      projectId: 'proj-2025-0116',
      projectName: '都市夜雨',
      storyboardId: 'sb-001',
      workId: 'work-88',
      generationStatus: 2,
      imageUrls: ['https://p3-dreamina.example/img/1.png'],
      errorCode: null,
      errorMessage: null,
      siteSwitchCount: 1,
      attempts: 2,
      occurredAt: '2025-01-16T08:01:12.000Z',
    },
  });

export const callbackHeaders = z.object({
  [CALLBACK_HEADERS.eventId.toLowerCase()]: z.string().openapi({
    description: 'Unique per event (the same on every retry of it): deduplicate on it.',
  }),
  [CALLBACK_HEADERS.timestamp.toLowerCase()]: z
    .string()
    .openapi({ description: 'Unix time in ms when signed.' }),
  [CALLBACK_HEADERS.signature.toLowerCase()]: z.string().openapi({
    description:
      'sha256=<hex HMAC-SHA256(CALLBACK_SECRET, `${timestamp}.${body}`)> over the raw body. Verify in constant time and reject old timestamps.',
    example: 'sha256=5d41402abc4b2a76b9719d911017c592…',
  }),
  [CALLBACK_HEADERS.attempt.toLowerCase()]: z
    .string()
    .openapi({ description: '1 for the first delivery, up to 8.' }),
});

export const CALLBACK_DESCRIPTION =
  'When a record with a callbackUrl completes or fails, the service POSTs this JSON to the URL. ' +
  'Any 2xx answer acknowledges it; anything else (3xx redirects included: they are not followed), a timeout or a network error counts as a failure ' +
  `and is retried with exponential backoff and full jitter: delay = random(0, min(${CALLBACK_RETRY_POLICY.maxDelayMs / 1000} s, ` +
  `${CALLBACK_RETRY_POLICY.baseDelayMs / 1000} s × 2^(attempt-1))), at most ${CALLBACK_RETRY_POLICY.attempts} attempts. ` +
  'Deliveries may repeat (at least once): deduplicate on X-Jimeng-Event-Id.';
