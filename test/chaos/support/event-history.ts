import type { EventStore, StoredEvent } from '../../../src/ports/event-store';

/**
 * Every event of the streams starting with one of `streamPrefixes`, appended after `from` up to the
 * store's head at the time of the call, grouped by stream in stream order.
 */
export async function readHistory(
  events: EventStore,
  from: bigint | 'start',
  streamPrefixes: string[],
): Promise<Map<string, StoredEvent[]>> {
  const streams = new Map<string, StoredEvent[]>();
  const head = await events.headPosition();
  if (head === null || (from !== 'start' && head <= from)) return streams;
  // Unfiltered, so the event at the head arrives whatever its stream, and the read can end there.
  const subscription = events.subscribeToAll({ from });
  try {
    for await (const event of subscription) {
      if (wanted(event)) add(event);
      if (event.position >= head) break;
    }
  } finally {
    await subscription.close();
  }
  return streams;

  function wanted(event: StoredEvent): boolean {
    return streamPrefixes.some((prefix) => event.streamId.startsWith(prefix));
  }
  function add(event: StoredEvent): void {
    const stream = streams.get(event.streamId) ?? [];
    stream.push(event);
    streams.set(event.streamId, stream);
  }
}
