import type { AccountView, AttemptEntry, GenerationRecordView, SwitchEntry } from '../ports/read-models';

/**
 * What the API shows of the read models. Fields are picked one by one, so bookkeeping that the
 * projector adds (positions, strikes, delete flags) never leaks into answers by accident.
 */
export function accountResponse(view: AccountView) {
  return {
    id: view.id,
    jimengAccount: view.jimengAccount,
    jimengAccountType: view.jimengAccountType,
    sessionIdMasked: view.sessionIdMasked,
    siteType: view.siteType,
    accountStatus: view.accountStatus,
    imageGenerationStatus: view.imageGenerationStatus,
    videoGenerationStatus: view.videoGenerationStatus,
    imageUnavailableUntil: view.imageUnavailableUntil,
    videoUnavailableUntil: view.videoUnavailableUntil,
    imageCount: view.imageCount,
    videoCount: view.videoCount,
    imageUsedToday: view.imageUsedToday,
    videoUsedToday: view.videoUsedToday,
    dailyImageQuota: view.dailyImageQuota,
    dailyVideoQuota: view.dailyVideoQuota,
    quotaResetTime: view.quotaResetTime,
    nextQuotaResetAt: view.nextQuotaResetAt,
    priority: view.priority,
    weight: view.weight,
    concurrencyCap: view.concurrencyCap,
    rpmCap: view.rpmCap,
    lastError: view.lastError,
    createBy: view.createBy,
    updateBy: view.updateBy,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** The projector numbers runs (1 = the request, +1 per regeneration); older documents may lack it. */
const runOf = (value: unknown) => {
  const run = (value as { run?: unknown }).run;
  return typeof run === 'number' ? { run } : {};
};

/** A record of a list page: without switch history and attempts, which the detail route carries. */
export function recordSummaryResponse(view: GenerationRecordView) {
  return {
    id: view.id,
    mode: view.mode,
    jimengAccountsId: view.jimengAccountsId,
    projectId: view.projectId,
    projectName: view.projectName,
    storyboardId: view.storyboardId,
    workId: view.workId,
    model: view.model,
    prompt: view.prompt,
    params: view.params,
    generationStatus: view.generationStatus,
    ...(view.kind === 'image' ? { imageUrls: view.urls } : { videoUrls: view.urls }),
    errorCode: view.errorCode,
    errorMessage: view.errorMessage,
    siteSwitchCount: view.siteSwitchCount,
    accountSwitchCount: view.accountSwitchCount,
    attemptCount: view.attemptCount,
    ...runOf(view),
    callbackUrl: view.callbackUrl,
    callbackStatus: view.callbackStatus,
    retryAt: view.retryAt,
    createBy: view.createBy,
    updateBy: view.updateBy,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
    completedAt: view.completedAt,
  };
}

function switchResponse(entry: SwitchEntry) {
  return {
    ...runOf(entry),
    type: entry.type,
    attempt: entry.attempt,
    fromAccountId: entry.fromAccountId,
    toAccountId: entry.toAccountId,
    fromSite: entry.fromSite,
    toSite: entry.toSite,
    reason: entry.reason,
    ...(entry.upstreamCode === undefined ? {} : { upstreamCode: entry.upstreamCode }),
    ...(entry.message === undefined ? {} : { message: entry.message }),
    at: entry.at,
  };
}

function attemptResponse(entry: AttemptEntry) {
  const optional = <K extends keyof AttemptEntry>(key: K) =>
    entry[key] === undefined ? {} : { [key]: entry[key] };
  return {
    ...runOf(entry),
    attempt: entry.attempt,
    accountId: entry.accountId,
    site: entry.site,
    startedAt: entry.startedAt,
    ...optional('endedAt'),
    outcome: entry.outcome,
    ...optional('errorClass'),
    ...optional('upstreamCode'),
    ...optional('message'),
    ...optional('submitted'),
  };
}

export function recordDetailResponse(view: GenerationRecordView) {
  return {
    ...recordSummaryResponse(view),
    switchHistory: view.switchHistory.map(switchResponse),
    attempts: view.attempts.map(attemptResponse),
  };
}
