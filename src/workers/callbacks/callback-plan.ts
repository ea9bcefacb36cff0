import { generationSlotDecider, isLive, type GenerationRecordState } from '../../commands';
import type { GenerationEvent } from '../../events';

/** A slot stream's event with what the plan needs of its stored form. */
export interface SlotEvent {
  id: string;
  revision: number;
  event: GenerationEvent;
}

export interface CallbackPlan {
  record: GenerationRecordState;
  url: string;
  /** The outcome being announced: its event id is the callback's event id. */
  outcome: SlotEvent & { event: { type: 'GenerationCompleted' | 'GenerationFailed' } };
  /** Delivery attempt about to be made (1-based). */
  attempt: number;
  /** Time of the failed delivery this attempt retries, if any. */
  retryOf?: string;
}

const OUTCOMES = new Set(['GenerationCompleted', 'GenerationFailed']);
const CALLBACK_EVENTS = new Set(['CallbackDelivered', 'CallbackFailed']);

/**
 * Decides whether the relayed event at `triggerRevision` calls for a delivery, from the slot's whole
 * stream. Null when the record moved on (regenerated or deleted since the outcome), has no callback
 * URL, or when this trigger is not the latest step of the outcome's delivery (a duplicate, or a
 * republished old event): only the outcome itself starts a delivery, and only the last
 * CallbackFailed (not final) drives the next try.
 */
export function planCallback(stream: readonly SlotEvent[], triggerRevision: number): CallbackPlan | null {
  let state = generationSlotDecider.initialState();
  let outcome: CallbackPlan['outcome'] | undefined;
  let lastCallback: SlotEvent | undefined;
  for (const item of stream) {
    state = generationSlotDecider.evolve(state, item.event);
    const { type } = item.event;
    if (type === 'GenerationRequested' || type === 'RegenerationRequested' || type === 'RecordDeleted') {
      outcome = undefined;
      lastCallback = undefined;
    } else if (OUTCOMES.has(type)) {
      outcome = item as CallbackPlan['outcome'];
      lastCallback = undefined;
    } else if (CALLBACK_EVENTS.has(type) && outcome !== undefined) {
      lastCallback = item;
    }
  }
  if (!isLive(state) || outcome === undefined || state.callbackUrl === undefined) return null;
  if (outcome.event.data.recordId !== state.recordId) return null;
  const base = { record: state, url: state.callbackUrl, outcome };
  if (triggerRevision === outcome.revision) {
    return lastCallback === undefined ? { ...base, attempt: 1 } : null;
  }
  if (lastCallback === undefined || lastCallback.revision !== triggerRevision) return null;
  const last = lastCallback.event;
  if (last.type !== 'CallbackFailed' || last.data.final) return null;
  return { ...base, attempt: last.data.attempts + 1, retryOf: last.data.at };
}
