import {
  MODES_BY_KIND,
  type GenerationEvent,
  type GenerationKind,
  type GenerationMode,
  type GenerationParams,
} from '../../events';
import type { Decider } from '../decider';
import { DomainError } from '../domain-error';
import type { GenerationCommand, StartAttempt } from './generation-commands';
import {
  evolveGenerationSlot,
  initialGenerationSlotState,
  isLive,
  type GenerationRecordState,
  type GenerationSlotState,
} from './generation-slot-state';

/** One slot = one (kind, project, storyboard) stream; at most one live record at a time. */
export function decideGenerationSlot(
  command: GenerationCommand,
  state: GenerationSlotState,
): GenerationEvent[] {
  switch (command.type) {
    case 'RequestGeneration': {
      const data = command.data;
      if (isLive(state)) {
        throw new DomainError(
          'STORYBOARD_EXISTS',
          `storyboard ${data.storyboardId} already has record ${state.recordId}: regenerate it instead`,
          { recordId: state.recordId },
        );
      }
      if (state.deletedRecordIds.includes(data.recordId)) {
        throw new DomainError('VALIDATION_FAILED', `record id ${data.recordId} belonged to a deleted record`);
      }
      assertModeFits(data.kind, data.mode, data.params);
      return [{ type: 'GenerationRequested', data }];
    }
    case 'RequestRegeneration': {
      const record = requireLiveRecord(state, command.data.recordId);
      const { params, mode } = command.data.changes;
      assertModeFits(record.kind, mode ?? record.mode, { ...record.params, ...params });
      return [{ type: 'RegenerationRequested', data: { ...command.data, recordId: record.recordId } }];
    }
    case 'DeleteRecord': {
      const { recordId } = command.data;
      if (recordId !== undefined && state.deletedRecordIds.includes(recordId)) return [];
      const record = requireLiveRecord(state, recordId);
      return [{ type: 'RecordDeleted', data: { ...command.data, recordId: record.recordId } }];
    }
    case 'StartAttempt':
      return startAttempt(command.data, state);
    case 'CompleteGeneration': {
      const record = requireRunningAttempt(state, command.data.recordId, command.data.attempt);
      return [
        {
          type: 'GenerationCompleted',
          data: { ...command.data, accountId: record.accountId!, site: record.site! },
        },
      ];
    }
    case 'FailAttempt': {
      const record = requireRunningAttempt(state, command.data.recordId, command.data.attempt);
      return [
        {
          type: 'AttemptFailed',
          data: { ...command.data, accountId: record.accountId!, site: record.site! },
        },
      ];
    }
    case 'AbandonAttempt': {
      const record = requireRunningAttempt(state, command.data.recordId, command.data.attempt);
      return [
        {
          type: 'AttemptAbandoned',
          data: { ...command.data, accountId: record.accountId!, site: record.site! },
        },
      ];
    }
    case 'FailGeneration': {
      const { recordId, attempt } = command.data;
      const record = requireAttemptOwner(state, recordId);
      const waiting = record.status === 'pending' || record.status === 'retrying';
      const owner = record.status === 'processing' && attempt === record.currentAttempt;
      const lastFailed = record.status === 'retrying' && attempt === record.currentAttempt;
      if (!(owner || (waiting && (attempt === undefined || lastFailed)))) {
        throw stale(record, attempt, 'cannot fail');
      }
      return [{ type: 'GenerationFailed', data: { ...command.data, attempts: record.run.attempts } }];
    }
    case 'RecordCallbackDelivered':
      requireLiveRecord(state, command.data.recordId);
      return [{ type: 'CallbackDelivered', data: command.data }];
    case 'RecordCallbackFailed':
      requireLiveRecord(state, command.data.recordId);
      return [{ type: 'CallbackFailed', data: command.data }];
  }
}

function startAttempt(data: StartAttempt['data'], state: GenerationSlotState): GenerationEvent[] {
  const record = requireAttemptOwner(state, data.recordId);
  const attempt = record.currentAttempt + 1;
  if (record.status !== 'pending' && record.status !== 'retrying') {
    throw stale(record, data.attempt, `is ${record.status}, cannot start an attempt`);
  }
  if (data.attempt !== undefined && data.attempt !== attempt) throw stale(record, data.attempt, 'moved on');
  const { run } = record;
  if (
    run.excludedAccounts.includes(data.accountId) ||
    run.exclusions.some((pair) => pair.accountId === data.accountId && pair.site === data.site)
  ) {
    throw new DomainError(
      'VALIDATION_FAILED',
      `record ${record.recordId} already failed on account ${data.accountId} site ${data.site} in this run`,
      { accountId: data.accountId, site: data.site },
    );
  }
  const { attempt: _expected, ...started } = data;
  const events: GenerationEvent[] = [];
  const failure = run.lastFailure;
  if (failure !== undefined) {
    const reason = {
      reason: failure.reason,
      ...(failure.upstreamCode === undefined ? {} : { upstreamCode: failure.upstreamCode }),
      ...(failure.message === undefined ? {} : { message: failure.message }),
    };
    if (failure.accountId !== data.accountId) {
      events.push({
        type: 'AccountSwitched',
        data: {
          recordId: record.recordId,
          attempt: failure.attempt,
          fromAccountId: failure.accountId,
          toAccountId: data.accountId,
          ...reason,
          at: data.at,
        },
      });
    } else if (failure.site !== data.site) {
      events.push({
        type: 'SiteSwitched',
        data: {
          recordId: record.recordId,
          attempt: failure.attempt,
          accountId: data.accountId,
          fromSite: failure.site,
          toSite: data.site,
          ...reason,
          at: data.at,
        },
      });
    }
  }
  events.push({ type: 'GenerationStarted', data: { ...started, attempt } });
  return events;
}

function requireLiveRecord(state: GenerationSlotState, recordId: string | undefined): GenerationRecordState {
  if (!isLive(state) || (recordId !== undefined && recordId !== state.recordId)) {
    throw new DomainError('RECORD_NOT_LIVE', `record ${recordId ?? '(slot)'} is missing or deleted`, {
      ...(recordId === undefined ? {} : { recordId }),
    });
  }
  return state;
}

/** Work addressed to a record that is no longer live comes from a superseded job: stale. */
function requireAttemptOwner(state: GenerationSlotState, recordId: string): GenerationRecordState {
  if (!isLive(state) || state.recordId !== recordId) {
    throw new DomainError('STALE_ATTEMPT', `record ${recordId} is no longer live`, { recordId });
  }
  return state;
}

function requireRunningAttempt(
  state: GenerationSlotState,
  recordId: string,
  attempt: number,
): GenerationRecordState {
  const record = requireAttemptOwner(state, recordId);
  if (record.status !== 'processing' || record.currentAttempt !== attempt) {
    throw stale(record, attempt, 'is not running that attempt');
  }
  return record;
}

function stale(record: GenerationRecordState, attempt: number | undefined, what: string): DomainError {
  return new DomainError(
    'STALE_ATTEMPT',
    `record ${record.recordId} (attempt ${record.currentAttempt}, ${record.status}) ${what}` +
      (attempt === undefined ? '' : ` for attempt ${attempt}`),
    { recordId: record.recordId, attempt, currentAttempt: record.currentAttempt, status: record.status },
  );
}

/** The mode belongs to the kind, and the inputs the mode needs are there. */
function assertModeFits(kind: GenerationKind, mode: GenerationMode, params: GenerationParams): void {
  if (!MODES_BY_KIND[kind].includes(mode)) {
    throw new DomainError('VALIDATION_FAILED', `mode ${mode} is not a ${kind} mode`, { kind, mode });
  }
  const images = params.images?.length ?? 0;
  const missing =
    (mode === 'image_to_image' && images === 0 && 'images') ||
    (mode === 'image_to_video' &&
      images === 0 &&
      params.firstFrameUrl === undefined &&
      'images or firstFrameUrl') ||
    (mode === 'first_last_frame' &&
      (params.firstFrameUrl === undefined || params.lastFrameUrl === undefined) &&
      'firstFrameUrl and lastFrameUrl');
  if (missing) throw new DomainError('VALIDATION_FAILED', `mode ${mode} needs ${missing}`, { mode });
}

export const generationSlotDecider: Decider<GenerationCommand, GenerationEvent, GenerationSlotState> = {
  decide: decideGenerationSlot,
  evolve: evolveGenerationSlot,
  initialState: initialGenerationSlotState,
};
