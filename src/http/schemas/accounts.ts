import { ACCOUNT_SORT_FIELDS } from '../../ports/read-models';
import { QUOTA_RESET_TIME_PATTERN } from '../../application/session-id';
import { z } from '../openapi-zod';
import {
  accountStatusCode,
  accountTypeCode,
  actor,
  capabilityCode,
  entityId,
  isoTime,
  pageOf,
  pageQuery,
  rejectedItem,
  siteTypeCode,
  textQuery,
} from './common';

const sessionId = z
  .string()
  .min(1)
  .max(2048)
  .openapi({
    description:
      'Write-only secret (session_id). Grammar `[proxyURL@][site-]sessionid`: a us-/hk-/jp-/sg- prefix names the site ' +
      '(no prefix: cn), a proxy URL before "@" becomes the proxy. Stored sealed (AES-256-GCM); answers show only sessionIdMasked.',
    example: 'hk-8f2c1e0d9b7a6c5e4d3f2a1b0c9d8e7f',
  });

const quotaResetTime = z.string().regex(QUOTA_RESET_TIME_PATTERN, 'use HH:mm or HH:mm±HH:mm').openapi({
  description:
    'Daily quota reset (额度重置时间), HH:mm with an optional ±HH:mm offset. Default 00:00 at UTC+8 for domestic accounts, 00:00 UTC for international ones.',
  example: '00:00+08:00',
});

const quota = z.number().int().min(0).max(1_000_000).nullable();

const settings = {
  jimengAccountType: accountTypeCode.optional().openapi({
    description:
      'Account type (0 domestic 国内账号, 1 international 国外账号). Default: 1 when the site (siteType or session prefix) is not cn, else 0.',
  }),
  siteType: siteTypeCode.optional().openapi({
    description:
      'Site (0 cn, 1 us, 2 hk, 3 jp, 4 sg). Default: the session prefix; without one, cn for domestic and hk for international accounts (hk heads the hk → jp → sg fallback).',
  }),
  quotaResetTime: quotaResetTime.optional(),
  priority: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .optional()
    .openapi({ description: 'Higher is preferred (default 0).' }),
  weight: z
    .number()
    .min(0)
    .max(1000)
    .optional()
    .openapi({ description: 'Random weight within a priority tier (default 1).' }),
  concurrencyCap: z
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'Parallel jobs (default 2).' }),
  rpmCap: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .openapi({ description: 'Job starts per minute (default 10).' }),
  dailyImageQuota: quota
    .optional()
    .openapi({ description: 'Images per quota day; null = unlimited (default).' }),
  dailyVideoQuota: quota
    .optional()
    .openapi({ description: 'Videos per quota day; null = unlimited (default).' }),
  proxy: z
    .string()
    .regex(/^(https?|socks[45]):\/\/\S+$/i, 'use an http(s)://, socks4:// or socks5:// URL')
    .max(2048)
    .nullable()
    .optional()
    .openapi({ description: 'Egress proxy of the account (write-only, stored sealed); null removes it.' }),
};

export const newAccountSchema = z
  .strictObject({
    jimengAccount: z
      .string()
      .min(1)
      .max(256)
      .openapi({ description: 'Account name (即梦账号)', example: 'artist01@example.com' }),
    sessionId,
    ...settings,
  })
  .openapi('NewAccount');

export const createAccountsBody = z
  .strictObject({
    createBy: actor.openapi({ description: 'Who creates the accounts (create_by).' }),
    accounts: z.array(newAccountSchema).min(1).max(200),
  })
  .openapi('CreateAccountsRequest', {
    example: {
      createBy: 'ops.li',
      accounts: [
        { jimengAccount: 'cn-artist-01', sessionId: '0123456789abcdef0123456789abcdef' },
        {
          jimengAccount: 'intl-artist-07',
          sessionId: 'hk-fedcba9876543210fedcba9876543210',
          priority: 5,
          dailyImageQuota: 200,
        },
      ],
    },
  });

export const accountPatchSchema = z
  .strictObject({
    id: z.string().min(1).max(64).openapi({ example: '7254867412436993' }),
    jimengAccount: z.string().min(1).max(256).optional(),
    sessionId: sessionId.optional(),
    accountStatus: accountStatusCode.optional(),
    ...settings,
  })
  .openapi('AccountPatch');

export const updateAccountsBody = z
  .strictObject({
    updateBy: actor.openapi({ description: 'Who changes the accounts (update_by).' }),
    accounts: z.array(accountPatchSchema).min(1).max(200),
  })
  .openapi('UpdateAccountsRequest', {
    example: { updateBy: 'ops.li', accounts: [{ id: '7254867412436993', priority: 10, accountStatus: 1 }] },
  });

export const createdAccountItem = z.discriminatedUnion('result', [
  z.strictObject({
    index: z.number().int(),
    jimengAccount: z.string(),
    result: z.literal('accepted'),
    accountId: z.string(),
    siteType: siteTypeCode,
    jimengAccountType: accountTypeCode,
    sessionIdMasked: z.string(),
  }),
  z.strictObject({ index: z.number().int(), jimengAccount: z.string(), ...rejectedItem }),
]);

export const updatedAccountItem = z.discriminatedUnion('result', [
  z.strictObject({
    index: z.number().int(),
    result: z.literal('accepted'),
    accountId: z.string(),
    changed: z.array(z.string()).openapi({ description: 'Fields that changed; empty when nothing did.' }),
  }),
  z.strictObject({ index: z.number().int(), accountId: z.string(), ...rejectedItem }),
]);

const batchSummary = { accepted: z.number().int(), rejected: z.number().int() };

export const createAccountsResult = z
  .strictObject({ ...batchSummary, items: z.array(createdAccountItem) })
  .openapi('CreateAccountsResult');
export const updateAccountsResult = z
  .strictObject({ ...batchSummary, items: z.array(updatedAccountItem) })
  .openapi('UpdateAccountsResult');

const lastError = z
  .strictObject({
    errorClass: z.string(),
    upstreamCode: z.string().optional(),
    message: z.string(),
    at: isoTime,
  })
  .nullable();

export const accountSchema = z
  .strictObject({
    id: z.string(),
    jimengAccount: z.string(),
    jimengAccountType: accountTypeCode,
    sessionIdMasked: z.string().openapi({ example: 'fe****10' }),
    siteType: siteTypeCode,
    accountStatus: accountStatusCode,
    imageGenerationStatus: capabilityCode,
    videoGenerationStatus: capabilityCode,
    imageUnavailableUntil: isoTime.nullable(),
    videoUnavailableUntil: isoTime.nullable(),
    imageCount: z.number().int(),
    videoCount: z.number().int(),
    imageUsedToday: z.number().int(),
    videoUsedToday: z.number().int(),
    dailyImageQuota: z.number().int().nullable(),
    dailyVideoQuota: z.number().int().nullable(),
    quotaResetTime: z.string().openapi({ example: '00:00' }),
    nextQuotaResetAt: isoTime,
    priority: z.number().int(),
    weight: z.number(),
    concurrencyCap: z.number().int(),
    rpmCap: z.number().int(),
    lastError,
    createBy: z.string(),
    updateBy: z.string(),
    createdAt: isoTime,
    updatedAt: isoTime,
  })
  .openapi('Account');

export const accountPage = pageOf(accountSchema).openapi('AccountPage');

export const accountListQuery = z.strictObject({
  createBy: textQuery('ops.li').openapi({ description: 'Accounts created by (create_by).' }),
  accountStatus: z
    .enum(['0', '1', '2'])
    .transform(Number)
    .optional()
    .openapi({ type: 'integer', enum: [0, 1, 2], description: 'accountStatus code' }),
  siteType: z
    .enum(['0', '1', '2', '3', '4'])
    .transform(Number)
    .optional()
    .openapi({ type: 'integer', enum: [0, 1, 2, 3, 4], description: 'siteType code' }),
  sortBy: z.enum(ACCOUNT_SORT_FIELDS).optional().openapi({ description: 'Default createdAt.' }),
  ...pageQuery,
});

export const accountIdParams = z.strictObject({ id: entityId });

export const deletedAccount = z
  .strictObject({ accountId: z.string(), deleted: z.literal(true) })
  .openapi('DeletedAccount');
