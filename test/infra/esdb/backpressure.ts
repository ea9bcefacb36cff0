// Waiting for a gRPC server stream to accept more messages, without leaking listeners.
import type * as grpc from '@grpc/grpc-js';

/** Resolves when the stream drains or the call ends (cancelled by the client or closed). */
export function drained(call: grpc.ServerWritableStream<unknown, unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      call.off('close', done);
      call.off('cancelled', done);
      resolve();
    };
    call.on('drain', done);
    call.on('close', done);
    call.on('cancelled', done);
  });
}
