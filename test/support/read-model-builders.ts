import type {
  AccountView,
  GenerationKind,
  GenerationRecordView,
  ProjectionWrite,
} from '../../src/ports/read-models';

const CREATED = '2030-01-01T00:00:00.000Z';

/** An active account able to make images and videos, with every field set; override what matters. */
export function anAccount(overrides: Partial<AccountView> = {}): AccountView {
  const id = overrides.id ?? 'account-1';
  return {
    id,
    jimengAccount: `${id}@example.test`,
    jimengAccountType: 0,
    sessionIdMasked: 'abcd****wxyz',
    siteType: 2,
    accountStatus: 0,
    imageGenerationStatus: 1,
    videoGenerationStatus: 1,
    imageUnavailableUntil: null,
    videoUnavailableUntil: null,
    imageStrikes: 0,
    videoStrikes: 0,
    imageCount: 0,
    videoCount: 0,
    imageUsedToday: 0,
    videoUsedToday: 0,
    dailyImageQuota: null,
    dailyVideoQuota: null,
    quotaResetTime: '00:00',
    nextQuotaResetAt: '2030-01-02T00:00:00.000Z',
    priority: 0,
    weight: 1,
    concurrencyCap: 2,
    rpmCap: 10,
    lastError: null,
    isDeleted: false,
    createBy: 'admin',
    updateBy: 'admin',
    createdAt: CREATED,
    updatedAt: CREATED,
    position: '0',
    ...overrides,
  };
}

/** A pending image record of project p-1 with every field set; override what matters. */
export function aRecord(overrides: Partial<GenerationRecordView> = {}): GenerationRecordView {
  const id = overrides.id ?? 'record-1';
  const kind: GenerationKind = overrides.kind ?? 'image';
  const projectId = overrides.projectId ?? 'p-1';
  const storyboardId = overrides.storyboardId ?? `sb-${id}`;
  return {
    id,
    kind,
    mode: kind === 'image' ? 'text2img' : 'text2video',
    streamId: `${kind}-${projectId}.${storyboardId}`,
    jimengAccountsId: null,
    projectId,
    projectName: 'Project One',
    storyboardId,
    workId: 'work-1',
    model: kind === 'image' ? 'jimeng-4.0' : 'jimeng-video-3.0',
    prompt: 'a cat on a roof at dusk',
    params: { ratio: '16:9' },
    generationStatus: 0,
    urls: [],
    errorCode: null,
    errorMessage: null,
    siteSwitchCount: 0,
    accountSwitchCount: 0,
    attemptCount: 0,
    switchHistory: [],
    attempts: [],
    callbackUrl: null,
    callbackStatus: 'none',
    retryAt: null,
    isDeleted: false,
    createBy: 'user-1',
    updateBy: 'user-1',
    createdAt: CREATED,
    updatedAt: CREATED,
    completedAt: null,
    position: '0',
    ...overrides,
  };
}

/** A write that replaces the account with `view` (whatever was there). */
export function putAccount(view: AccountView): ProjectionWrite {
  return { account: { id: view.id, update: () => view } };
}

/** A write that replaces the record with `view` (whatever was there). */
export function putRecord(view: GenerationRecordView): ProjectionWrite {
  return { record: { kind: view.kind, id: view.id, update: () => view } };
}

/** ISO time `minutes` after the builders' creation time: distinct, ordered timestamps. */
export function minutesAfterCreation(minutes: number): string {
  return new Date(Date.parse(CREATED) + minutes * 60_000).toISOString();
}
