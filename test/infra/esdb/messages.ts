// Protobuf message builders for the EventStoreDB test server (generated code shipped with the client).
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './store';

export type UuidFormat = 'string' | 'structured';

export function streamIdentifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string {
  return identifier === undefined ? '' : Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

export function parseUuid(uuid: UUID | undefined): string {
  if (uuid === undefined) return '';
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const bytes = Buffer.alloc(16);
    bytes.writeBigInt64BE(BigInt(structured.getMostSignificantBits()), 0);
    bytes.writeBigInt64BE(BigInt(structured.getLeastSignificantBits()), 8);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString();
}

function uuidMessage(id: string, format: UuidFormat): UUID {
  if (format === 'string') return new UUID().setString(id);
  const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
  const structured = new UUID.Structured()
    .setMostSignificantBits(bytes.readBigInt64BE(0).toString())
    .setLeastSignificantBits(bytes.readBigInt64BE(8).toString());
  return new UUID().setStructured(structured);
}

// Recorded events never change, so their messages are built once per event and UUID format and
// shared by every read and subscription that sends them.
const recordedCache = new WeakMap<StoredEvent, Partial<Record<UuidFormat, ReadResp>>>();

export function eventResponse(event: StoredEvent, format: UuidFormat): ReadResp {
  let cached = recordedCache.get(event);
  if (cached === undefined) {
    cached = {};
    recordedCache.set(event, cached);
  }
  const hit = cached[format];
  if (hit !== undefined) return hit;

  const position = event.position.toString();
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(event.id, format))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(position)
    .setPreparePosition(position)
    .setCustomMetadata(event.customMetadata)
    .setData(event.data);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('content-type', event.contentType)
    .set('created', event.created);
  const response = new ReadResp().setEvent(
    new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(position),
  );
  cached[format] = response;
  return response;
}

export function confirmationResponse(subscriptionId: string): ReadResp {
  return new ReadResp().setConfirmation(
    new ReadResp.SubscriptionConfirmation().setSubscriptionId(subscriptionId),
  );
}

export function caughtUpResponse(): ReadResp {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

export function checkpointResponse(position: number): ReadResp {
  const value = position.toString();
  return new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint().setCommitPosition(value).setPreparePosition(value),
  );
}

export function streamNotFoundResponse(name: string): ReadResp {
  return new ReadResp().setStreamNotFound(
    new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name)),
  );
}

export const empty = (): Empty => new Empty();
