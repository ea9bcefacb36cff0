import * as grpc from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';

export interface EsdbTestServer {
  url: string;
  stop(): Promise<void>;
}

// Skeleton: replaced by the full in-memory implementation.
export async function startEsdbTestServer(
  options: { host?: string; port?: number } = {},
): Promise<EsdbTestServer> {
  const host = options.host ?? '127.0.0.1';
  const server = new grpc.Server();
  server.addService(StreamsService, {});
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    url: `esdb://${host}:${port}?tls=false`,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
