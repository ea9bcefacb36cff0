// Proves the protocol suite can fail: the real client against a TCP server that does not speak
// EventStoreDB's gRPC protocol (it accepts connections and closes them at once) gets an error.
import { createServer, type Server, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

describe('the EventStoreDB client against a server that does not speak the protocol', () => {
  let server: Server;
  let client: EventStoreDBClient;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    client = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${port}?tls=false`);
  });

  afterAll(async () => {
    await client.dispose();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('rejects an append', async () => {
    await expect(
      client.appendToStream(`order-${randomUUID()}`, jsonEvent({ type: 'Placed', data: {} }), {
        deadline: 5_000,
      }),
    ).rejects.toThrow();
  });

  it('fails a read', async () => {
    const read = async (): Promise<void> => {
      for await (const _event of client.readAll({ maxCount: 1, deadline: 5_000 })) {
        // Reaching an event would mean the server answered.
      }
    };

    await expect(read()).rejects.toThrow();
  });
});
