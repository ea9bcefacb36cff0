import { generationStreamId, type GenerationKind } from '../events';
import type { EventStore } from '../ports/event-store';

export interface AuditEntry {
  type: string;
  revision: number;
  /** ISO time the store recorded the event. */
  time: string;
  actor: string | null;
  correlationId: string | null;
  schemaVersion: number;
  /** As stored: secrets inside are sealed, never plaintext. */
  data: unknown;
}

export interface AuditPage {
  streamId: string;
  list: AuditEntry[];
  fromRevision: number;
  limit: number;
  /** Where the next page starts, or null at the end of the stream. */
  nextFromRevision: number | null;
}

/** The storyboard slot's whole history, oldest first: every record, attempt, switch and delete. */
export class AuditService {
  constructor(private readonly eventStore: EventStore) {}

  async storyboardEvents(
    kind: GenerationKind,
    projectId: string,
    storyboardId: string,
    fromRevision: number,
    limit: number,
  ): Promise<AuditPage> {
    const streamId = generationStreamId(kind, projectId, storyboardId);
    // One extra event tells whether another page follows.
    const events = await this.eventStore.readStream(streamId, {
      direction: 'forwards',
      fromRevision,
      maxCount: limit + 1,
    });
    const page = events.slice(0, limit);
    return {
      streamId,
      list: page.map((event) => ({
        type: event.type,
        revision: event.revision,
        time: event.createdAt.toISOString(),
        actor: typeof event.metadata.actor === 'string' ? event.metadata.actor : null,
        correlationId: typeof event.metadata.correlationId === 'string' ? event.metadata.correlationId : null,
        schemaVersion: event.metadata.schemaVersion ?? 1,
        data: event.data,
      })),
      fromRevision,
      limit,
      nextFromRevision: events.length > limit ? events[limit]!.revision : null,
    };
  }
}
