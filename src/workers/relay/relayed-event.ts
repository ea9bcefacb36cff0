import { z } from 'zod';
import type { StoredEvent } from '../../ports/event-store';

/**
 * An event as the relay publishes it on topic `jimeng.events` (key = stream id): the stored event
 * with its position as a decimal string (bigint has no JSON form) and its time as ISO text.
 */
export const relayedEventSchema = z.object({
  id: z.string(),
  streamId: z.string(),
  revision: z.number().int().min(0),
  position: z.string().regex(/^\d+$/),
  type: z.string(),
  data: z.unknown(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export type RelayedEvent = z.infer<typeof relayedEventSchema>;

export function encodeRelayedEvent(event: StoredEvent): string {
  const relayed: RelayedEvent = {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: event.position.toString(),
    type: event.type,
    data: event.data,
    metadata: event.metadata ?? {},
    createdAt: event.createdAt.toISOString(),
  };
  return JSON.stringify(relayed);
}

export function decodeRelayedEvent(value: string): RelayedEvent {
  return relayedEventSchema.parse(JSON.parse(value));
}

/** The relayed event back in the store's shape (e.g. for parseStoredEvent). */
export function toStoredEvent(relayed: RelayedEvent): StoredEvent {
  return {
    ...relayed,
    position: BigInt(relayed.position),
    createdAt: new Date(relayed.createdAt),
  };
}
