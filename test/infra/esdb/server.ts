// An in-memory server that speaks EventStoreDB's gRPC Streams protocol to the real
// @eventstore/db-client, for tests on machines where no EventStoreDB can run.
// Only Streams is registered: the client asks ServerFeatures once, gets UNIMPLEMENTED and then
// uses Streams.Append (never BatchAppend); every read and subscription goes through Streams.Read.
import * as grpc from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { appendHandler } from './append';
import { readHandler } from './read';
import { EventLog } from './store';
import { subscriptions } from './subscription';

export interface EsdbTestServer {
  /** Connection string for the client, e.g. `esdb://127.0.0.1:41234?tls=false`. */
  url: string;
  stop(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 2_000;

export async function startEsdbTestServer(
  options: { host?: string; port?: number } = {},
): Promise<EsdbTestServer> {
  const host = options.host ?? '127.0.0.1';
  const log = new EventLog();
  const live = subscriptions(log);
  const unsupported: grpc.UntypedHandleCall = (
    _call: grpc.ServerUnaryCall<unknown, unknown>,
    callback: grpc.sendUnaryData<unknown>,
  ) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: 'Not supported by the EventStoreDB test server.' });

  const server = new grpc.Server({ 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  server.addService(StreamsService, {
    append: appendHandler(log),
    read: readHandler(log, live),
    delete: unsupported,
    tombstone: unsupported,
    batchAppend: (call: grpc.ServerDuplexStream<unknown, unknown>) =>
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'Use Streams.Append.' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${host}:${options.port ?? 0}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );

  let stopped: Promise<void> | undefined;
  return {
    url: `esdb://${host}:${port}?tls=false`,
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        live.endAll();
        const force = setTimeout(() => server.forceShutdown(), SHUTDOWN_GRACE_MS);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      })),
  };
}
