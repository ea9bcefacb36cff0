import type { EventMetadata, StoredEvent } from '../../ports/event-store';

/** An es_events row as better-sqlite3 returns it. */
export interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  id: string;
  type: string;
  data: string;
  metadata: string | null;
  created_at: number;
}

export const EVENT_COLUMNS = 'position, stream_id, revision, id, type, data, metadata, created_at';

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    streamId: row.stream_id,
    revision: row.revision,
    position: BigInt(row.position),
    id: row.id,
    type: row.type,
    data: JSON.parse(row.data) as unknown,
    metadata: row.metadata === null ? {} : (JSON.parse(row.metadata) as EventMetadata),
    createdAt: new Date(row.created_at),
  };
}
