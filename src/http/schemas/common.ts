import type { ZodType } from 'zod';
import { SLOT_KEY_PATTERN } from '../../events';
import { ERROR_DESCRIPTIONS, ERROR_STATUS, ITEM_ERROR_CODES } from '../error-codes';
import { z } from '../openapi-zod';

/** The requirement's code tables, in English with its Chinese terms beside them. */
export const CODE_TABLES = {
  siteType: 'Site (站点类型): 0 cn (国内站), 1 us (美国站), 2 hk (香港站), 3 jp (日本站), 4 sg (新加坡站).',
  jimengAccountType: 'Account type (账号类型): 0 domestic (国内账号), 1 international (国外账号).',
  accountStatus: 'Account status (账号状态): 0 active (正常), 1 inactive (停用), 2 banned (封禁).',
  capability:
    'Generation capability (生图/生视频状态): 0 unavailable (不可用), 1 available (可用), 2 rate-limited (速率限制).',
  generationStatus:
    'Generation status (生成状态): 0 pending (待处理), 1 processing (处理中), 2 completed (已完成), 3 failed (失败), 4 retrying (重试中).',
} as const;

export const codeSchema = (max: number, description: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(max)
    .openapi({ description, enum: Array.from({ length: max + 1 }, (_, i) => i) });

export const siteTypeCode = codeSchema(4, CODE_TABLES.siteType);
export const accountTypeCode = codeSchema(1, CODE_TABLES.jimengAccountType);
export const accountStatusCode = codeSchema(2, CODE_TABLES.accountStatus);
export const capabilityCode = codeSchema(2, CODE_TABLES.capability);
export const generationStatusCode = codeSchema(4, CODE_TABLES.generationStatus);

export const slotKey = z
  .string()
  .regex(SLOT_KEY_PATTERN, 'use 1–64 characters of A–Z, a–z, 0–9, "_" or "-"')
  .openapi({ example: 'sb-001' });
export const actor = z.string().min(1).max(128).openapi({ example: 'zhang.san' });
export const entityId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1–64 characters of A–Z, a–z, 0–9, "_" or "-"')
  .openapi({ example: '7254867412436993' });
export const httpUrl = z
  .url({ protocol: /^https?$/, error: 'use an http(s) URL' })
  .max(2048)
  .openapi({ example: 'https://cdn.example.com/ref/cat.png' });
/** A callback URL: http(s) and no user name or password (they would sit in events and logs in plaintext). */
export const callbackUrl = httpUrl.refine(
  (value) => {
    try {
      const url = new URL(value);
      return url.username === '' && url.password === '';
    } catch {
      return true;
    }
  },
  { error: 'credentials in the URL are not allowed: they would be stored with the record' },
);
export const isoTime = z.string().openapi({ format: 'date-time', example: '2025-01-16T08:00:00.000Z' });

// ---- query values: plain strings only, so no input reaches a database as an operator ----

export const textQuery = (example: string) => z.string().min(1).max(128).optional().openapi({ example });

export function intQuery(min: number, max: number, description: string) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .openapi({ type: 'integer', minimum: min, maximum: max, description });
}

export const pageQuery = {
  page: intQuery(1, 1_000_000, 'Page number, from 1 (default 1).'),
  pageSize: intQuery(1, 100, 'Items per page, 1–100 (default 10).'),
  sortOrder: z.enum(['asc', 'desc']).optional().openapi({ description: 'Default desc.' }),
};

// ---- envelope ----

export const timestamp = z
  .number()
  .int()
  .openapi({ description: 'Unix time in milliseconds', example: 1736995200000 });

export function envelopeOf<T extends ZodType>(data: T, status: number, message = 'success') {
  return z.strictObject({
    code: z.literal(status),
    message: z.string().openapi({ example: message }),
    data,
    timestamp,
  });
}

export function pageOf<T extends ZodType>(item: T) {
  return z.strictObject({
    list: z.array(item),
    total: z.number().int().min(0),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    totalPages: z.number().int().min(0),
  });
}

const errorCodes = [...new Set([...Object.keys(ERROR_STATUS)])] as [string, ...string[]];

export const errorEnvelope = z
  .strictObject({
    code: z.number().int().openapi({ description: 'The HTTP status', example: 400 }),
    message: z
      .string()
      .openapi({ example: 'storyboards.0.prompt: Too big: expected string to have <=4000 characters' }),
    data: z.strictObject({
      error: z.enum(errorCodes).openapi({
        description: Object.entries(ERROR_DESCRIPTIONS)
          .map(([code, text]) => `${code} (${ERROR_STATUS[code as keyof typeof ERROR_STATUS]}): ${text}`)
          .join('\n'),
      }),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
    timestamp,
  })
  .openapi('ErrorEnvelope', { description: 'Every error answer: data.error is the stable code.' });

export const itemErrorCode = z.enum(ITEM_ERROR_CODES).openapi({
  description:
    'VALIDATION_FAILED: the item breaks a rule (details.fields); DUPLICATE_IN_BATCH: an earlier item of this batch has the same key; ' +
    'STORYBOARD_EXISTS: a live record exists, regenerate it; RECORD_NOT_LIVE: nothing to regenerate; NOT_FOUND: unknown id; ' +
    'INTERNAL: the item could not be stored, send it again.',
});

export const rejectedItem = {
  result: z.literal('rejected'),
  error: itemErrorCode,
  message: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
};

export const idempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(200)
    .optional()
    .openapi({
      description:
        'Makes a retry safe: the same key with the same body returns the first answer (header Idempotent-Replayed: true); ' +
        'the same key with another body is refused (422 IDEMPOTENCY_CONFLICT); while the first request runs, 409 IDEMPOTENCY_IN_PROGRESS.',
      example: '3f1d6c1e-batch-42',
    }),
});

export const deleteQuery = z.strictObject({
  updateBy: actor
    .optional()
    .openapi({ description: 'Who deletes (update_by); defaults to the API key name.' }),
});
