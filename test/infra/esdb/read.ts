// Streams.Read: stream and $all reads in both directions, and catch-up subscriptions
// (options.subscription set) to a stream or to $all, optionally filtered.
import type * as grpc from '@grpc/grpc-js';
import { ReadReq, type ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { drained } from './backpressure';
import { compileFilter, type AllFilter } from './filter';
import { eventResponse, streamNameOf, streamNotFoundResponse, type UuidFormat } from './messages';
import type { EventLog, StoredEvent } from './store';
import { allCursor, streamCursor, type Subscriptions } from './subscription';

const { StreamOptionCase, CountOptionCase, FilterOptionCase, ReadDirection } = ReadReq.Options;
const RevisionCase = ReadReq.Options.StreamOptions.RevisionOptionCase;
const AllCase = ReadReq.Options.AllOptions.AllOptionCase;

export function readHandler(
  log: EventLog,
  subscriptions: Subscriptions,
): grpc.handleServerStreamingCall<ReadReq, ReadResp> {
  return (call) => {
    const options = call.request.getOptions();
    if (options === undefined) return call.end();
    const uuidFormat: UuidFormat = options.getUuidOption()?.hasStructured() ? 'structured' : 'string';
    const filter =
      options.getFilterOptionCase() === FilterOptionCase.FILTER
        ? compileFilter(options.getFilter()!)
        : undefined;

    if (options.getCountOptionCase() === CountOptionCase.SUBSCRIPTION) {
      if (options.getStreamOptionCase() === StreamOptionCase.STREAM) {
        const stream = options.getStream()!;
        const name = streamNameOf(stream.getStreamIdentifier());
        const from =
          stream.getRevisionOptionCase() === RevisionCase.REVISION
            ? Number(stream.getRevision()) + 1 // history strictly after the given revision
            : stream.getRevisionOptionCase() === RevisionCase.END
              ? 'end'
              : 0;
        return subscriptions.start(call, streamCursor(log, name, from), uuidFormat);
      }
      const all = options.getAll()!;
      const startIndex =
        all.getAllOptionCase() === AllCase.POSITION
          ? log.indexAfter(Number(all.getPosition()!.getCommitPosition())) // strictly after, like the server
          : all.getAllOptionCase() === AllCase.END
            ? log.all.length
            : 0;
      return subscriptions.start(call, allCursor(log, startIndex), uuidFormat, filter);
    }

    const count = Math.min(Number(options.getCount()), Number.MAX_SAFE_INTEGER);
    const forwards = options.getReadDirection() === ReadDirection.FORWARDS;
    const events =
      options.getStreamOptionCase() === StreamOptionCase.STREAM
        ? streamEvents(log, options.getStream()!, forwards, count)
        : allEvents(log, options.getAll()!, forwards, count, filter);
    if (events === 'not_found') {
      call.write(streamNotFoundResponse(streamNameOf(options.getStream()!.getStreamIdentifier())));
      return call.end();
    }
    void writeAll(call, events, uuidFormat);
  };
}

function streamEvents(
  log: EventLog,
  options: ReadReq.Options.StreamOptions,
  forwards: boolean,
  count: number,
): Iterable<StoredEvent> | 'not_found' {
  const events = log.stream(streamNameOf(options.getStreamIdentifier()))?.events;
  if (events === undefined || events.length === 0) return 'not_found';
  const last = events.length - 1;
  const revisionCase = options.getRevisionOptionCase();
  const requested = revisionCase === RevisionCase.REVISION ? Number(options.getRevision()) : undefined;
  if (forwards) {
    const from = requested ?? (revisionCase === RevisionCase.END ? events.length : 0);
    return range(events, from, Math.min(events.length, from + count), 1);
  }
  const from = Math.min(requested ?? last, last);
  return range(events, from, Math.max(-1, from - count), -1);
}

function allEvents(
  log: EventLog,
  options: ReadReq.Options.AllOptions,
  forwards: boolean,
  count: number,
  filter: AllFilter | undefined,
): Iterable<StoredEvent> {
  const allCase = options.getAllOptionCase();
  const position =
    allCase === AllCase.POSITION ? Number(options.getPosition()!.getCommitPosition()) : undefined;
  let from: number;
  if (forwards)
    from =
      position !== undefined ? log.indexAtOrAfter(position) : allCase === AllCase.END ? log.all.length : 0;
  // Backwards from a position yields the events before it (that position is where the next record starts).
  else from = position !== undefined ? log.indexAtOrAfter(position) - 1 : log.all.length - 1;
  return take(range(log.all, from, forwards ? log.all.length : -1, forwards ? 1 : -1), count, filter);
}

function* range(
  events: readonly StoredEvent[],
  from: number,
  until: number,
  step: 1 | -1,
): Iterable<StoredEvent> {
  for (let i = from; step === 1 ? i < until : i > until; i += step) yield events[i]!;
}

function* take(
  events: Iterable<StoredEvent>,
  count: number,
  filter: AllFilter | undefined,
): Iterable<StoredEvent> {
  let left = count;
  if (left <= 0) return;
  for (const event of events) {
    if (filter !== undefined && !filter.matches(event)) continue;
    yield event;
    if (--left <= 0) return;
  }
}

async function writeAll(
  call: grpc.ServerWritableStream<ReadReq, ReadResp>,
  events: Iterable<StoredEvent>,
  uuidFormat: UuidFormat,
): Promise<void> {
  let cancelled = false;
  call.on('cancelled', () => {
    cancelled = true;
  });
  for (const event of events) {
    if (cancelled) return;
    if (!call.write(eventResponse(event, uuidFormat))) await drained(call);
  }
  if (!cancelled) call.end();
}
