// Catch-up subscriptions of the EventStoreDB test server: one cursor that walks the history and then
// follows live appends, honouring the gRPC stream's back-pressure.
import { randomUUID } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { drained } from './backpressure';
import type { AllFilter } from './filter';
import {
  caughtUpResponse,
  checkpointResponse,
  confirmationResponse,
  eventResponse,
  type UuidFormat,
} from './messages';
import type { EventLog, StoredEvent } from './store';

/** Yields the next event after the cursor, or undefined when the cursor is at the end for now. */
export interface EventCursor {
  next(): StoredEvent | undefined;
  /** Whether an append to this stream can move the cursor. */
  follows(streamName: string): boolean;
}

export function allCursor(log: EventLog, startIndex: number): EventCursor {
  let index = startIndex;
  return {
    next: () => (index < log.all.length ? log.all[index++] : undefined),
    follows: () => true,
  };
}

export function streamCursor(log: EventLog, streamName: string, startRevision: number | 'end'): EventCursor {
  let revision = startRevision === 'end' ? (log.stream(streamName)?.events.length ?? 0) : startRevision;
  return {
    next: () => {
      const events = log.stream(streamName)?.events;
      return events !== undefined && revision < events.length ? events[revision++] : undefined;
    },
    follows: (name) => name === streamName,
  };
}

export interface Subscriptions {
  start(
    call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    cursor: EventCursor,
    uuidFormat: UuidFormat,
    filter?: AllFilter,
  ): void;
  /** Ends every live subscription, so that a graceful shutdown does not wait for them. */
  endAll(): void;
}

export function subscriptions(log: EventLog): Subscriptions {
  const active = new Set<() => void>();
  return {
    start(call, cursor, uuidFormat, filter) {
      let closed = false;
      let pumping = false;
      let caughtUp = false;
      let scannedSinceCheckpoint = 0;
      let lastScanned: StoredEvent | undefined;

      const close = (): void => {
        if (closed) return;
        closed = true;
        stopFollowing();
        active.delete(end);
      };
      const end = (): void => {
        if (closed) return;
        close();
        call.end();
      };
      const stopFollowing = log.onAppended((streamName) => {
        if (cursor.follows(streamName)) void pump();
      });
      active.add(end);
      call.on('cancelled', close);
      call.on('close', close);
      call.on('error', close);

      // Writes one message; waits when the client reads slower than the server produces.
      const send = async (message: ReadResp): Promise<void> => {
        if (!call.write(message)) await drained(call);
      };

      const checkpoint = async (): Promise<void> => {
        scannedSinceCheckpoint = 0;
        const position =
          lastScanned?.position ?? (log.all.length > 0 ? log.all[log.all.length - 1]!.position : 0);
        await send(checkpointResponse(position));
      };

      // An append that arrives while the pump awaits after its scan sets `again`, so no event is left behind.
      let again = false;
      const pump = async (): Promise<void> => {
        if (closed) return;
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            for (;;) {
              const event = closed ? undefined : cursor.next();
              if (event === undefined) break;
              lastScanned = event;
              if (filter === undefined || filter.matches(event)) await send(eventResponse(event, uuidFormat));
              if (filter !== undefined && ++scannedSinceCheckpoint >= filter.checkpointInterval)
                await checkpoint();
            }
            if (!caughtUp && !closed) {
              caughtUp = true;
              if (filter !== undefined) await checkpoint();
              await send(caughtUpResponse());
            }
          } while (again && !closed);
        } finally {
          pumping = false;
        }
      };

      call.write(confirmationResponse(randomUUID()));
      void pump();
    },
    endAll() {
      for (const end of [...active]) end();
    },
  };
}
