import { parseStreamId } from '../../events';
import type { StoredEvent } from '../../ports/event-store';
import { TOPICS, type OutgoingMessage } from '../../ports/message-bus';
import { encodeJob, JOB_TRIGGER_EVENT_TYPES, type JobMessage } from '../jobs/job-message';
import { encodeRelayedEvent } from './relayed-event';

/** Every event goes to `jimeng.events`; an event after which a slot waits for a worker also to `jimeng.jobs`. */
export function relayMessages(event: StoredEvent): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [
    {
      topic: TOPICS.events,
      key: event.streamId,
      value: encodeRelayedEvent(event),
      headers: { 'event-type': event.type, 'event-id': event.id },
    },
  ];
  const job = jobOf(event);
  if (job !== null) {
    messages.push({
      topic: TOPICS.jobs,
      key: event.streamId,
      value: encodeJob(job),
      headers: { 'event-type': event.type, 'event-id': event.id },
    });
  }
  return messages;
}

/** The job a trigger event asks for, or null (not a trigger, or not a generation slot's event). */
export function jobOf(event: StoredEvent): JobMessage | null {
  if (!JOB_TRIGGER_EVENT_TYPES.has(event.type)) return null;
  const slot = parseStreamId(event.streamId);
  const data = event.data as { recordId?: unknown; retryAt?: unknown } | null;
  if (slot?.category !== 'generation' || typeof data?.recordId !== 'string') return null;
  const correlationId = event.metadata?.correlationId;
  return {
    streamId: event.streamId,
    recordId: data.recordId,
    kind: slot.kind,
    revision: event.revision,
    ...(event.type === 'AttemptFailed' && typeof data.retryAt === 'string'
      ? { notBefore: data.retryAt }
      : {}),
    causationId: event.id,
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
  };
}
