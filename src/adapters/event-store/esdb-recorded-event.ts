import type { AllStreamResolvedEvent, EventType, Position, ResolvedEvent } from '@eventstore/db-client';
import type { EventMetadata, StoredEvent } from '../../ports/event-store';

type AnyResolvedEvent = ResolvedEvent<EventType> | AllStreamResolvedEvent;
type Recorded = NonNullable<AnyResolvedEvent['event']>;

/** Streams and event types starting with '$' belong to the server ($stats, $settings, links...). */
export function isSystemEvent(recorded: Recorded): boolean {
  return recorded.streamId.startsWith('$') || recorded.type.startsWith('$');
}

/**
 * The event's place in $all. EventStoreDB 22.6+ also fills it for stream reads (for events not
 * written in explicit transactions, which this adapter never writes).
 */
export function positionOf(resolved: AnyResolvedEvent): Position | undefined {
  const position = resolved.event?.position;
  if (position) return position;
  return resolved.commitPosition === undefined
    ? undefined
    : { commit: resolved.commitPosition, prepare: resolved.commitPosition };
}

export function toStoredEvent(resolved: AnyResolvedEvent): StoredEvent | undefined {
  const recorded = resolved.event;
  if (!recorded) return undefined;
  return {
    streamId: recorded.streamId,
    revision: Number(recorded.revision),
    position: positionOf(resolved)?.commit ?? -1n,
    id: recorded.id,
    type: recorded.type,
    data: recorded.data,
    metadata: metadataOf(recorded.metadata),
    createdAt: recorded.created,
  };
}

function metadataOf(raw: unknown): EventMetadata {
  // Written as JSON custom metadata; anything else (another writer's binary metadata) is not ours.
  return typeof raw === 'object' && raw !== null && !ArrayBuffer.isView(raw) && !Array.isArray(raw)
    ? (raw as EventMetadata)
    : {};
}
