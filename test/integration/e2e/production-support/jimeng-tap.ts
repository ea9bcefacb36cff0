import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through in front of the Jimeng simulator, one per worker process, so the test can tell
 * which worker sent which generation: the simulator only sees sessions, not callers.
 */
export interface JimengTap {
  readonly url: string;
  /** Generation requests sent through this tap. */
  readonly generations: number;
  /** Generation requests whose answer has not reached the caller yet. */
  readonly inFlight: number;
  close(): Promise<void>;
}

const GENERATION_PATH = /^\/v1\/(images|videos)\//;

export async function startJimengTap(targetUrl: string): Promise<JimengTap> {
  const target = new URL(targetUrl);
  let generations = 0;
  let inFlight = 0;

  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const counted = GENERATION_PATH.test(incoming.url ?? '');
    if (counted) {
      generations += 1;
      inFlight += 1;
      // 'close' fires once, whether the answer was sent or the caller went away (a killed worker).
      outgoing.once('close', () => (inFlight -= 1));
    }
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  };

  const server = createServer(forward);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get generations() {
      return generations;
    },
    get inFlight() {
      return inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
