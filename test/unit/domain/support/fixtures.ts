import type { AccountEvent, GenerationEvent, GenerationRequestedData } from '../../../../src/events';
import type { RegisterAccountData } from '../../../../src/commands';
import { imageRequestData } from '../../../support/generation-requests';

export const T0 = '2025-06-01T00:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const registerData = (overrides: Partial<RegisterAccountData> = {}): RegisterAccountData => ({
  accountId: '100',
  jimengAccount: 'artist@example.com',
  accountType: 1,
  sealedSessionId: 'v1.k1.iv.tag.ct',
  sessionHint: 'ab****yz',
  siteType: 'hk',
  createBy: 'admin',
  at: T0,
  ...overrides,
});

export const accountRegistered = (overrides: Partial<RegisterAccountData> = {}): AccountEvent => ({
  type: 'AccountRegistered',
  data: {
    ...registerData(overrides),
    sealedProxy: null,
    priority: 0,
    weight: 1,
    concurrencyCap: 2,
    rpmCap: 10,
    dailyImageQuota: null,
    dailyVideoQuota: null,
    quotaResetTime: { timeOfDay: '00:00', utcOffsetMinutes: 480 },
    ...overrides,
  },
});

export const requestData = (overrides: Partial<GenerationRequestedData> = {}): GenerationRequestedData =>
  imageRequestData(T0, overrides);

export const requested = (overrides: Partial<GenerationRequestedData> = {}): GenerationEvent => ({
  type: 'GenerationRequested',
  data: requestData(overrides),
});

export const started = (
  attempt: number,
  accountId = 'a1',
  site: 'hk' | 'jp' | 'sg' | 'cn' | 'us' = 'hk',
  time = at(attempt),
): GenerationEvent => ({
  type: 'GenerationStarted',
  data: {
    recordId: 'r1',
    attempt,
    accountId,
    site,
    leaseId: `lease-${attempt}`,
    leaseDeadline: at(600),
    at: time,
  },
});

export const attemptFailed = (
  attempt: number,
  errorClass: 'SITE_MISMATCH' | 'RATE_LIMITED' | 'TIMEOUT' | 'UPSTREAM_FAILED' | 'SESSION_INVALID',
  accountId = 'a1',
  site: 'hk' | 'jp' | 'sg' | 'cn' | 'us' = 'hk',
  submitted = false,
): GenerationEvent => ({
  type: 'AttemptFailed',
  data: {
    recordId: 'r1',
    attempt,
    accountId,
    site,
    errorClass,
    message: 'boom',
    submitted,
    at: at(attempt + 1),
  },
});

export const regenerated = (recordId = 'r1'): GenerationEvent => ({
  type: 'RegenerationRequested',
  data: { recordId, changes: { prompt: 'a dog' }, updateBy: 'bob', at: at(100) },
});

export const deleted = (recordId = 'r1'): GenerationEvent => ({
  type: 'RecordDeleted',
  data: { recordId, updateBy: 'bob', at: at(200) },
});

export const completed = (attempt: number, accountId = 'a1', site: 'hk' | 'jp' = 'hk'): GenerationEvent => ({
  type: 'GenerationCompleted',
  data: {
    recordId: 'r1',
    attempt,
    accountId,
    site,
    urls: ['https://cdn.example/x.png'],
    durationMs: 1000,
    at: at(50),
  },
});
