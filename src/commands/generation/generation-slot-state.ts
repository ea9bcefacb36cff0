import type {
  ErrorClass,
  GenerationErrorCode,
  GenerationEvent,
  GenerationKind,
  GenerationMode,
  GenerationParams,
  GenerationStatus,
  Site,
} from '../../events';

export interface SitePair {
  accountId: string;
  site: Site;
}

export interface LastFailure extends SitePair {
  attempt: number;
  /** Error class, or the abandon reason. */
  reason: string;
  upstreamCode?: string;
  message?: string;
}

/** What the current run (since the request or the last regeneration) has been through. */
export interface RunState {
  startedAt: string;
  attempts: number;
  /** (account, site) pairs this run failed on: never picked again in this run. */
  exclusions: SitePair[];
  /** Accounts this run failed on in a way that no other site of theirs can fix. */
  excludedAccounts: string[];
  timeoutsAfterSubmission: number;
  failuresByClass: Partial<Record<ErrorClass, number>>;
  abandoned: number;
  lastFailure?: LastFailure;
  retryAt?: string;
}

export interface GenerationRecordState {
  status: GenerationStatus;
  recordId: string;
  kind: GenerationKind;
  mode: GenerationMode;
  projectId: string;
  projectName: string;
  storyboardId: string;
  workId: string;
  createBy: string;
  createdAt: string;
  updateBy?: string;
  updatedAt: string;
  model: string;
  prompt: string;
  params: GenerationParams;
  callbackUrl?: string;
  /** Every attempt ever made for this record (attempt numbers never repeat). */
  currentAttempt: number;
  run: RunState;
  accountId?: string;
  site?: Site;
  leaseId?: string;
  leaseDeadline?: string;
  /** Site and account switches of the current run (the requirement's site_switch_count). */
  siteSwitchCount: number;
  accountSwitchCount: number;
  urls: string[];
  durationMs?: number;
  errorCode?: GenerationErrorCode;
  errorMessage?: string;
  deletedRecordIds: string[];
}

export type EmptySlotState = { status: 'empty'; deletedRecordIds: string[] };
export type GenerationSlotState = EmptySlotState | GenerationRecordState;

export const initialGenerationSlotState = (): GenerationSlotState => ({
  status: 'empty',
  deletedRecordIds: [],
});

export function isLive(state: GenerationSlotState): state is GenerationRecordState {
  return state.status !== 'empty';
}

/**
 * Failures that another site of the same account cannot fix. SESSION_INVALID is only recorded
 * after the account's own site was tried (elsewhere the failover records SITE_MISMATCH).
 */
const ACCOUNT_WIDE: ReadonlySet<ErrorClass> = new Set([
  'SESSION_INVALID',
  'ACCOUNT_BANNED',
  'INSUFFICIENT_CREDITS',
  'UPSTREAM_FAILED',
  'RATE_LIMITED',
]);
export const isAccountWideFailure = (errorClass: ErrorClass): boolean => ACCOUNT_WIDE.has(errorClass);

const newRun = (at: string): RunState => ({
  startedAt: at,
  attempts: 0,
  exclusions: [],
  excludedAccounts: [],
  timeoutsAfterSubmission: 0,
  failuresByClass: {},
  abandoned: 0,
});

export function evolveGenerationSlot(
  state: GenerationSlotState,
  event: GenerationEvent,
): GenerationSlotState {
  if (event.type === 'GenerationRequested') {
    const { at, callbackUrl, ...data } = event.data;
    return {
      ...data,
      ...(callbackUrl === undefined ? {} : { callbackUrl }),
      status: 'pending',
      createdAt: at,
      updatedAt: at,
      currentAttempt: 0,
      run: newRun(at),
      siteSwitchCount: 0,
      accountSwitchCount: 0,
      urls: [],
      deletedRecordIds: state.deletedRecordIds,
    };
  }
  if (!isLive(state) || state.recordId !== event.data.recordId) return state;
  const at = event.data.at;
  switch (event.type) {
    case 'RegenerationRequested': {
      const { params, ...changes } = event.data.changes;
      const {
        accountId: _a,
        site: _s,
        leaseId: _l,
        leaseDeadline: _d,
        durationMs: _m,
        errorCode: _c,
        errorMessage: _e,
        ...kept
      } = state;
      return {
        ...kept,
        ...changes,
        params: { ...state.params, ...params },
        status: 'pending',
        updateBy: event.data.updateBy,
        updatedAt: at,
        run: newRun(at),
        siteSwitchCount: 0,
        accountSwitchCount: 0,
        urls: [],
      };
    }
    case 'SiteSwitched':
      return { ...state, siteSwitchCount: state.siteSwitchCount + 1, updatedAt: at };
    case 'AccountSwitched':
      return {
        ...state,
        siteSwitchCount: state.siteSwitchCount + 1,
        accountSwitchCount: state.accountSwitchCount + 1,
        updatedAt: at,
      };
    case 'GenerationStarted': {
      const { attempt, accountId, site, leaseId, leaseDeadline } = event.data;
      const { retryAt: _r, ...run } = state.run;
      return {
        ...state,
        status: 'processing',
        currentAttempt: attempt,
        run: { ...run, attempts: run.attempts + 1 },
        accountId,
        site,
        leaseId,
        leaseDeadline,
        updatedAt: at,
      };
    }
    case 'AttemptFailed': {
      const { attempt, accountId, site, errorClass, upstreamCode, message, submitted, retryAt } = event.data;
      const run: RunState = {
        ...state.run,
        exclusions: [...state.run.exclusions, { accountId, site }],
        excludedAccounts:
          isAccountWideFailure(errorClass) && !state.run.excludedAccounts.includes(accountId)
            ? [...state.run.excludedAccounts, accountId]
            : state.run.excludedAccounts,
        timeoutsAfterSubmission:
          state.run.timeoutsAfterSubmission + (errorClass === 'TIMEOUT' && submitted ? 1 : 0),
        failuresByClass: {
          ...state.run.failuresByClass,
          [errorClass]: (state.run.failuresByClass[errorClass] ?? 0) + 1,
        },
        lastFailure: { attempt, accountId, site, reason: errorClass, message, ...optional({ upstreamCode }) },
        ...optional({ retryAt }),
      };
      return { ...withoutLease(state), status: 'retrying', run, errorMessage: message, updatedAt: at };
    }
    case 'AttemptAbandoned': {
      const { attempt, accountId, site, reason } = event.data;
      const run: RunState = {
        ...state.run,
        abandoned: state.run.abandoned + 1,
        lastFailure: { attempt, accountId, site, reason },
      };
      return { ...withoutLease(state), status: 'retrying', run, updatedAt: at };
    }
    case 'GenerationCompleted': {
      const { urls, durationMs, accountId, site } = event.data;
      const { errorCode: _c, errorMessage: _e, ...rest } = withoutLease(state);
      return { ...rest, status: 'completed', urls, durationMs, accountId, site, updatedAt: at };
    }
    case 'GenerationFailed':
      return {
        ...withoutLease(state),
        status: 'failed',
        errorCode: event.data.errorCode,
        errorMessage: event.data.message,
        updatedAt: at,
      };
    case 'RecordDeleted':
      return { status: 'empty', deletedRecordIds: [...state.deletedRecordIds, state.recordId] };
    case 'CallbackDelivered':
    case 'CallbackFailed':
      return state;
  }
}

function withoutLease(state: GenerationRecordState): GenerationRecordState {
  const { leaseId: _l, leaseDeadline: _d, ...rest } = state;
  return rest;
}

function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
