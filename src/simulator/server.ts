// The simulator over HTTP: the jimeng-api paths and shapes, the control API, and the result files.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { answers } from './answers';
import type { SimulatorConfigPatch } from './behaviour';
import { SAMPLE_MP4, SAMPLE_PNG } from './media';
import type { Endpoint, GenerationInput } from './requests';
import { Simulator } from './simulator';
import type { Answer, SimulatorControl } from './simulator';

export interface StartSimulatorOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  config?: SimulatorConfigPatch;
  /** Clock for credit days and rate windows (tests). */
  now?: () => number;
}

export interface RunningSimulator {
  url: string;
  port: number;
  control: SimulatorControl;
  stop(): Promise<void>;
}

const MODELS = [
  'jimeng',
  'jimeng-video-3.5-pro',
  'jimeng-video-3.0',
  'jimeng-video-3.0-pro',
  'jimeng-video-2.0',
];

const isMultipart = (req: Request) =>
  String(req.headers['content-type'] ?? '').startsWith('multipart/form-data');

async function readGeneration(req: Request, endpoint: Endpoint): Promise<GenerationInput> {
  const authorization = req.headers.authorization;
  if (!isMultipart(req)) {
    const fields =
      typeof req.body === 'object' && req.body !== null ? (req.body as Record<string, unknown>) : {};
    return { endpoint, fields, multipart: false, fileCount: 0, authorization };
  }
  const raw = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array();
  const form = await new globalThis.Response(raw, {
    headers: { 'content-type': String(req.headers['content-type']) },
  }).formData();
  const fields: Record<string, unknown> = {};
  let fileCount = 0;
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') fields[name] = value;
    else if (endpoint === 'videos' || name === 'images') fileCount += 1;
  }
  return { endpoint, fields, multipart: true, fileCount, authorization };
}

function controlError(res: Response, error: unknown): void {
  if (error instanceof z.ZodError) {
    res.status(400).json({ error: 'invalid body', issues: error.issues });
    return;
  }
  throw error;
}

export function createSimulatorApp(simulator: Simulator): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.raw({ type: 'multipart/form-data', limit: '110mb' }));
  // jimeng-api parses bodies leniently: anything that is not multipart is read as JSON.
  app.use(
    express.json({
      limit: '110mb',
      type: (req) => !String(req.headers['content-type'] ?? '').startsWith('multipart/'),
    }),
  );

  const send = (res: Response, answer: Answer) => {
    if (!res.headersSent && !res.writableEnded) res.status(200).json(answer);
  };
  const origin = (req: Request) => `${req.protocol}://${req.get('host')}`;

  for (const [path, endpoint] of [
    ['/v1/images/generations', 'images'],
    ['/v1/images/compositions', 'compositions'],
    ['/v1/videos/generations', 'videos'],
  ] as const) {
    app.post(path, async (req, res) => {
      send(res, await simulator.generate(await readGeneration(req, endpoint), origin(req)));
    });
  }
  app.post('/token/check', async (req, res) => send(res, await simulator.tokenCheck(req.body)));
  app.post('/token/points', async (req, res) =>
    send(res, await simulator.tokenPoints(req.headers.authorization)),
  );
  app.post('/token/receive', async (req, res) =>
    send(res, await simulator.tokenReceive(req.headers.authorization)),
  );
  app.get('/ping', (_req, res) => {
    res.type('text/plain').send('pong');
  });
  app.get('/v1/models', (_req, res) => {
    res.json({ data: MODELS.map((id) => ({ id, object: 'model', owned_by: 'jimeng-free-api' })) });
  });
  app.get('/', (_req, res) => {
    res.json({
      service: 'jimeng-api simulator',
      endpoints: [
        'POST /v1/images/generations',
        'POST /v1/images/compositions',
        'POST /v1/videos/generations',
        'POST /token/check',
        'POST /token/points',
        'POST /token/receive',
        'GET /v1/models',
        'GET /ping',
      ],
    });
  });
  app.get('/files/:name', (req, res) => {
    const match = /^[\w-]+\.(png|mp4)$/.exec(req.params.name);
    if (!match) {
      res.status(404).end();
      return;
    }
    const [type, bytes] = match[1] === 'png' ? ['image/png', SAMPLE_PNG] : ['video/mp4', SAMPLE_MP4];
    res.type(type).setHeader('cache-control', 'public, max-age=86400').send(bytes);
  });

  const control = express.Router();
  control.put('/sessions/:id', async (req, res) => {
    try {
      res.json(await simulator.putSession(req.params.id, req.body));
    } catch (error) {
      controlError(res, error);
    }
  });
  control.get('/sessions/:id', async (req, res) => {
    res.json(await simulator.getSession(req.params.id));
  });
  control.delete('/sessions/:id', async (req, res) => {
    await simulator.deleteSession(req.params.id);
    res.status(204).end();
  });
  control.put('/config', async (req, res) => {
    try {
      res.json(await simulator.putConfig(req.body));
    } catch (error) {
      controlError(res, error);
    }
  });
  control.get('/config', async (_req, res) => {
    res.json(await simulator.getConfig());
  });
  control.get('/stats', async (_req, res) => {
    res.json(await simulator.stats());
  });
  control.post('/reset', async (_req, res) => {
    await simulator.reset();
    res.status(204).end();
  });
  control.post('/new-day', async (_req, res) => {
    await simulator.newDay();
    res.status(204).end();
  });
  app.use('/__sim', control);
  app.use('/__sim', (_req, res) => {
    res.status(404).json({ error: 'unknown control path' });
  });

  // Unknown routes and unreadable bodies answer like the real server: HTTP 200, negative code.
  app.use((req, res) => {
    send(
      res,
      answers.systemError(`[请求有误]: 正确请求为 POST /v1/..., 请求为 ${req.method} -> ${req.path}`),
    );
  });
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    if (req.path.startsWith('/__sim')) {
      res.status(400).json({ error: error.message });
      return;
    }
    send(res, answers.systemError(error.message));
  });
  return app;
}

/** Starts the simulator in this process; `stop` ends pending answers and closes every connection. */
export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = new Simulator({ config: options.config, now: options.now });
  const server = createServer(createSimulatorApp(simulator));
  // Answers are held for the whole simulated generation: no request timeout on our side.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    control: simulator,
    stop: async () => {
      simulator.dispose();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
