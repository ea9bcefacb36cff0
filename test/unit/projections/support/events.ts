import type {
  AccountEvent,
  DomainEvent,
  GenerationEvent,
  GenerationRequestedData,
} from '../../../../src/events';
import type { StoredEvent } from '../../../../src/ports/event-store';
import type { AccountView, GenerationRecordView, ProjectionWrite } from '../../../../src/ports/read-models';
import { projectEvent } from '../../../../src/projections';
import { imageRequestData } from '../../../support/generation-requests';

export const T0 = '2030-03-01T00:00:00.000Z';
/** ISO time `seconds` after T0. */
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export const ACCOUNT_STREAM = 'account-a1';
export const IMAGE_STREAM = 'image-p1.s1';

export const registered = (
  overrides: Partial<Extract<AccountEvent, { type: 'AccountRegistered' }>['data']> = {},
): AccountEvent => ({
  type: 'AccountRegistered',
  data: {
    accountId: 'a1',
    jimengAccount: 'artist@example.com',
    accountType: 1,
    sealedSessionId: 'v1.k1.iv.tag.ct',
    sessionHint: 'ab****yz',
    siteType: 'hk',
    sealedProxy: null,
    priority: 0,
    weight: 1,
    concurrencyCap: 2,
    rpmCap: 10,
    dailyImageQuota: 100,
    dailyVideoQuota: null,
    quotaResetTime: { timeOfDay: '00:00', utcOffsetMinutes: 480 },
    createBy: 'admin',
    at: T0,
    ...overrides,
  },
});

export const requestData = (overrides: Partial<GenerationRequestedData> = {}): GenerationRequestedData =>
  imageRequestData(T0, overrides);

export const requested = (overrides: Partial<GenerationRequestedData> = {}): GenerationEvent => ({
  type: 'GenerationRequested',
  data: requestData(overrides),
});

type Site = 'cn' | 'us' | 'hk' | 'jp' | 'sg';

export const started = (
  attempt: number,
  accountId = 'a1',
  site: Site = 'hk',
  recordId = 'r1',
): GenerationEvent => ({
  type: 'GenerationStarted',
  data: {
    recordId,
    attempt,
    accountId,
    site,
    leaseId: `l${attempt}`,
    leaseDeadline: at(900),
    at: at(attempt * 10),
  },
});

export const failed = (
  attempt: number,
  errorClass: 'SITE_MISMATCH' | 'RATE_LIMITED',
  accountId = 'a1',
  site: Site = 'hk',
): GenerationEvent => ({
  type: 'AttemptFailed',
  data: {
    recordId: 'r1',
    attempt,
    accountId,
    site,
    errorClass,
    upstreamCode: '1180',
    message: `${errorClass} on ${site}`,
    submitted: false,
    ...(errorClass === 'RATE_LIMITED' ? { retryAt: at(attempt * 10 + 60) } : {}),
    at: at(attempt * 10 + 5),
  },
});

export const completed = (
  attempt: number,
  accountId = 'a1',
  site: Site = 'hk',
  recordId = 'r1',
): GenerationEvent => ({
  type: 'GenerationCompleted',
  data: {
    recordId,
    attempt,
    accountId,
    site,
    urls: [`https://cdn.example/${recordId}-${attempt}.png`],
    durationMs: 4000,
    at: at(attempt * 10 + 8),
  },
});

/** Stored events of the given (streamId, event) pairs, at consecutive positions from 1. */
export function storedEvents(
  items: Array<[string, DomainEvent]>,
  firstPosition = 1,
): Array<{ stored: StoredEvent; event: DomainEvent }> {
  const revisions = new Map<string, number>();
  return items.map(([streamId, event], index) => {
    const revision = (revisions.get(streamId) ?? -1) + 1;
    revisions.set(streamId, revision);
    const stored: StoredEvent = {
      streamId,
      revision,
      position: BigInt(firstPosition + index),
      id: `e${firstPosition + index}`,
      type: event.type,
      data: event.data,
      metadata: {},
      createdAt: new Date(T0),
    };
    return { stored, event };
  });
}

export interface Documents {
  accounts: Map<string, AccountView>;
  records: Map<string, GenerationRecordView>;
}

/** Applies writes the way ReadModelStore.apply does (per-document position guard), in memory. */
export function applyWrites(docs: Documents, position: bigint, writes: ProjectionWrite[]): void {
  for (const write of writes) {
    if (write.account) {
      const current = docs.accounts.get(write.account.id) ?? null;
      if (current !== null && position <= BigInt(current.position)) continue;
      const next = write.account.update(current);
      if (next) docs.accounts.set(write.account.id, { ...next, position: position.toString() });
    }
    if (write.record) {
      const key = `${write.record.kind}:${write.record.id}`;
      const current = docs.records.get(key) ?? null;
      if (current !== null && position <= BigInt(current.position)) continue;
      const next = write.record.update(current);
      if (next) docs.records.set(key, { ...next, position: position.toString() });
    }
  }
}

/** Given these events (stream, event), the documents the projection makes of them. */
export function project(items: Array<[string, DomainEvent]>): Documents {
  const docs: Documents = { accounts: new Map(), records: new Map() };
  for (const projected of storedEvents(items))
    applyWrites(docs, projected.stored.position, projectEvent(projected));
  return docs;
}
