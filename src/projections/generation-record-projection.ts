import {
  parseStreamId,
  type GenerationEvent,
  type GenerationKind,
  type GenerationRequestedData,
  type RegenerationRequestedData,
} from '../events';
import type {
  AttemptEntry,
  GenerationRecordView,
  GenerationStatusCode,
  ProjectionWrite,
  SwitchEntry,
} from '../ports/read-models';
import { countCompletion } from './account-projection';
import { utc, type ProjectedEvent } from './projected-event';

/** Entries of the record's history say which run (1 = the request, +1 per regeneration) they belong to. */
export type RunAttemptEntry = AttemptEntry & { run: number };
export type RunSwitchEntry = SwitchEntry & { run: number };

/**
 * The record document as projected: the port's GenerationRecordView plus the run number, on the
 * record and on each history entry (not yet fields of the port's types).
 */
export type ProjectedRecordView = Omit<GenerationRecordView, 'attempts' | 'switchHistory'> & {
  run: number;
  attempts: RunAttemptEntry[];
  switchHistory: RunSwitchEntry[];
};

const STATUS = { pending: 0, processing: 1, completed: 2, failed: 3, retrying: 4 } as const satisfies Record<
  string,
  GenerationStatusCode
>;

/**
 * Maps one event of an `image-…` / `video-…` stream to writes: always the record's document (keyed
 * by the record id, so a request after a delete starts a new document), and for a completion also the
 * usage counts of the account that made it.
 */
export function projectGenerationEvent({
  stored,
  event,
}: ProjectedEvent<GenerationEvent>): ProjectionWrite[] {
  const slot = parseStreamId(stored.streamId);
  if (slot === null || slot.category !== 'generation') return [];
  const { kind } = slot;
  const recordId = event.data.recordId;
  if (event.type === 'GenerationRequested') {
    return [
      { record: { kind, id: recordId, update: () => requestedView(kind, stored.streamId, event.data) } },
    ];
  }
  const at = utc(event.data.at);
  const change = (apply: (view: ProjectedRecordView) => ProjectedRecordView): ProjectionWrite => ({
    record: {
      kind,
      id: recordId,
      update: (current) =>
        current === null ? null : (apply(asProjected(current)) as unknown as GenerationRecordView),
    },
  });
  const touch = (view: ProjectedRecordView) => ({ ...view, updatedAt: at });

  switch (event.type) {
    case 'RegenerationRequested':
      return [change((view) => regeneratedView(view, event.data))];
    case 'GenerationStarted': {
      const { attempt, accountId, site } = event.data;
      return [
        change((view) => ({
          ...touch(view),
          generationStatus: STATUS.processing,
          jimengAccountsId: accountId,
          attemptCount: view.attemptCount + 1,
          retryAt: null,
          // AccountSwitched is appended with this start and could not name the new site yet.
          switchHistory: view.switchHistory.map((entry, index, all) =>
            index === all.length - 1 &&
            entry.type === 'account' &&
            entry.toSite === '' &&
            entry.run === view.run
              ? { ...entry, toSite: site }
              : entry,
          ),
          attempts: [
            ...view.attempts,
            { run: view.run, attempt, accountId, site, startedAt: at, outcome: 'running' },
          ],
        })),
      ];
    }
    case 'SiteSwitched': {
      const { attempt, accountId, fromSite, toSite, reason, upstreamCode, message } = event.data;
      return [
        change((view) =>
          switched(touch(view), {
            type: 'site',
            attempt,
            fromAccountId: accountId,
            toAccountId: accountId,
            fromSite,
            toSite,
            reason,
            upstreamCode,
            message,
            at,
          }),
        ),
      ];
    }
    case 'AccountSwitched': {
      const { attempt, fromAccountId, toAccountId, reason, upstreamCode, message } = event.data;
      return [
        change((view) => ({
          ...switched(touch(view), {
            type: 'account',
            attempt,
            fromAccountId,
            toAccountId,
            fromSite: findAttempt(view, attempt)?.site ?? '',
            toSite: '',
            reason,
            upstreamCode,
            message,
            at,
          }),
          accountSwitchCount: view.accountSwitchCount + 1,
        })),
      ];
    }
    case 'AttemptFailed': {
      const { attempt, errorClass, upstreamCode, message, submitted, retryAt } = event.data;
      return [
        change((view) => ({
          ...touch(view),
          generationStatus: STATUS.retrying,
          errorCode: errorClass,
          errorMessage: message,
          retryAt: retryAt === undefined ? null : utc(retryAt),
          attempts: endAttempt(view, attempt, {
            endedAt: at,
            outcome: 'failed',
            errorClass,
            ...optional({ upstreamCode }),
            message,
            submitted,
          }),
        })),
      ];
    }
    case 'AttemptAbandoned': {
      const { attempt, reason } = event.data;
      return [
        change((view) => ({
          ...touch(view),
          generationStatus: STATUS.retrying,
          attempts: endAttempt(view, attempt, {
            endedAt: at,
            outcome: 'abandoned',
            errorClass: reason,
            message: `attempt abandoned: ${reason}`,
            // The upstream may have accepted it before the worker went away.
            submitted: true,
          }),
        })),
      ];
    }
    case 'GenerationCompleted': {
      const { attempt, accountId, urls } = event.data;
      return [
        change((view) => ({
          ...touch(view),
          generationStatus: STATUS.completed,
          jimengAccountsId: accountId,
          urls,
          errorCode: null,
          errorMessage: null,
          retryAt: null,
          completedAt: at,
          attempts: endAttempt(view, attempt, { endedAt: at, outcome: 'completed' }),
        })),
        countCompletion(accountId, kind),
      ];
    }
    case 'GenerationFailed': {
      const { attempt, errorCode, message } = event.data;
      return [
        change((view) => ({
          ...touch(view),
          generationStatus: STATUS.failed,
          errorCode,
          errorMessage: message,
          retryAt: null,
          attempts:
            attempt === undefined
              ? view.attempts
              : endAttempt(view, attempt, { endedAt: at, outcome: 'failed', errorClass: errorCode, message }),
        })),
      ];
    }
    case 'RecordDeleted':
      return [change((view) => ({ ...touch(view), isDeleted: true, updateBy: event.data.updateBy }))];
    case 'CallbackDelivered':
      return [change((view) => ({ ...view, callbackStatus: 'delivered' }))];
    case 'CallbackFailed':
      return [change((view) => ({ ...view, callbackStatus: event.data.final ? 'failed' : 'pending' }))];
  }
}

function requestedView(
  kind: GenerationKind,
  streamId: string,
  data: GenerationRequestedData,
): ProjectedRecordView {
  const at = utc(data.at);
  return {
    id: data.recordId,
    kind,
    mode: data.mode,
    streamId,
    jimengAccountsId: null,
    projectId: data.projectId,
    projectName: data.projectName,
    storyboardId: data.storyboardId,
    workId: data.workId,
    model: data.model,
    prompt: data.prompt,
    params: { ...data.params },
    generationStatus: STATUS.pending,
    urls: [],
    errorCode: null,
    errorMessage: null,
    siteSwitchCount: 0,
    accountSwitchCount: 0,
    attemptCount: 0,
    switchHistory: [],
    attempts: [],
    callbackUrl: data.callbackUrl ?? null,
    callbackStatus: data.callbackUrl === undefined ? 'none' : 'pending',
    retryAt: null,
    isDeleted: false,
    createBy: data.createBy,
    updateBy: data.createBy,
    createdAt: at,
    updatedAt: at,
    completedAt: null,
    position: '0',
    run: 1,
  };
}

/**
 * Regeneration overwrites the record (requirement 5.2): results, errors and the run's counters are
 * cleared, the id stays. The history of earlier runs is kept, tagged with their run number; an
 * attempt still running is superseded.
 */
function regeneratedView(view: ProjectedRecordView, data: RegenerationRequestedData): ProjectedRecordView {
  const at = utc(data.at);
  const { model, prompt, mode, params, callbackUrl } = data.changes;
  const url = callbackUrl ?? view.callbackUrl;
  return {
    ...view,
    ...optional({ model, prompt, mode }),
    params: { ...view.params, ...params },
    callbackUrl: url,
    callbackStatus: url === null ? 'none' : 'pending',
    generationStatus: STATUS.pending,
    jimengAccountsId: null,
    urls: [],
    errorCode: null,
    errorMessage: null,
    siteSwitchCount: 0,
    accountSwitchCount: 0,
    attemptCount: 0,
    retryAt: null,
    completedAt: null,
    attempts: view.attempts.map((entry) =>
      entry.outcome === 'running'
        ? { ...entry, outcome: 'abandoned', endedAt: at, message: 'superseded by regeneration' }
        : entry,
    ),
    run: view.run + 1,
    updateBy: data.updateBy,
    updatedAt: at,
  };
}

/**
 * A switch of either kind joins the run's history and counts in siteSwitchCount: the domain counts
 * an account switch as a switch too (site_switch_count), and separately.
 */
function switched(view: ProjectedRecordView, entry: SwitchEntry): ProjectedRecordView {
  const { upstreamCode, message, at, ...rest } = entry;
  return {
    ...view,
    siteSwitchCount: view.siteSwitchCount + 1,
    switchHistory: [
      ...view.switchHistory,
      { run: view.run, ...rest, ...optional({ upstreamCode, message }), at },
    ],
  };
}

function findAttempt(view: ProjectedRecordView, attempt: number): RunAttemptEntry | undefined {
  return view.attempts.find((entry) => entry.attempt === attempt);
}

function endAttempt(
  view: ProjectedRecordView,
  attempt: number,
  end: Partial<AttemptEntry> & Pick<AttemptEntry, 'outcome'>,
): RunAttemptEntry[] {
  return view.attempts.map((entry) => (entry.attempt === attempt ? { ...entry, ...end } : entry));
}

/** Documents written before run numbers existed read as run 1. */
function asProjected(view: GenerationRecordView): ProjectedRecordView {
  const run = (view as Partial<ProjectedRecordView>).run ?? 1;
  return {
    ...view,
    run,
    attempts: view.attempts.map((entry) => ({ run, ...entry })),
    switchHistory: view.switchHistory.map((entry) => ({ run, ...entry })),
  };
}

function optional<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
