import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { AccountService } from '../application/account-service';
import { AuditService } from '../application/audit-service';
import { GenerationService } from '../application/generation-service';
import { SecretRotationService } from '../application/secret-rotation';
import type { Metrics } from '../observability/metrics';
import type { Clock } from '../ports/clock';
import type { EventStore } from '../ports/event-store';
import type { IdGenerator } from '../ports/id-generator';
import type { IdempotencyStore } from '../ports/idempotency-store';
import type { AccountReadModel, RecordReadModel } from '../ports/read-models';
import type { SecretBox } from '../ports/secret-box';
import { ApiKeyAuthenticator, authorize, type ApiKey } from './auth';
import { envelope, errorEnvelope } from './envelope';
import { HttpError } from './error-codes';
import { IDEMPOTENCY_KEY, requestHash, runIdempotently, type WireAnswer } from './idempotency';
import { bodyErrorTranslator, DEFAULT_MAX_BODY_BYTES, jsonBody, rawBodyOf } from './json-body';
import type { HttpLogger } from './logger';
import { buildOpenApiDocument } from './openapi-document';
import { mountOperations, type ReadinessCheck } from './operations';
import { RateLimiter, type RateLimitOptions } from './rate-limit';
import { expressPath, type ApiRoute, type Principal } from './route';
import { accountRoutes } from './routes/account-routes';
import { auditRoutes } from './routes/audit-routes';
import { generationRoutes } from './routes/generation-routes';
import { secretRotationRoutes } from './routes/secret-rotation-routes';
import type { RouteServices } from './routes/services';
import { parseOrThrow } from './validation';

export interface HttpDependencies {
  eventStore: EventStore;
  readModels: AccountReadModel & RecordReadModel;
  idempotency: IdempotencyStore;
  secretBox: SecretBox;
  ids: IdGenerator;
  clock: Clock;
  logger: HttpLogger;
  /** Parsed API_KEYS (see src/config/api-keys.ts). */
  apiKeys: readonly ApiKey[];
  /** METRICS_PUBLIC / DOCS_PUBLIC; both default to true. */
  access?: { metricsPublic?: boolean; docsPublic?: boolean };
  readiness: readonly ReadinessCheck[];
  metrics: Metrics;
  /** Resolves once the projections include `position` (bounded by its own timeout). */
  waitForProjection?: (position: bigint) => Promise<void>;
  rateLimit?: RateLimitOptions;
  limits?: { maxBodyBytes?: number; batchConcurrency?: number; readinessTimeoutMs?: number };
  version?: string;
  /** False in processes without the api role: they serve only /healthz, /readyz and /metrics. */
  serveApi?: boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;
const POSITION = /^\d{1,30}$/;

interface Locals {
  requestId: string;
  route?: string;
  principal?: Principal;
}

const locals = (response: Response) => response.locals as Locals;

/** Every /api/v1 route, from the services; the express app, the OpenAPI document and the tests share it. */
export function apiRoutes(services: RouteServices): ApiRoute[] {
  return [
    ...accountRoutes(services),
    ...secretRotationRoutes(services),
    ...generationRoutes(services, 'image'),
    ...generationRoutes(services, 'video'),
    ...auditRoutes(services),
  ];
}

export function createRouteServices(deps: HttpDependencies): RouteServices {
  return {
    accounts: new AccountService(deps),
    generations: new GenerationService({ ...deps, records: deps.readModels }),
    audit: new AuditService(deps.eventStore),
    secretRotation: new SecretRotationService(deps),
    readModels: deps.readModels,
    logger: deps.logger,
    // The whole batch at once: the embedded event store commits appends of one turn together.
    batchConcurrency: deps.limits?.batchConcurrency ?? 200,
  };
}

export function createHttpApp(deps: HttpDependencies): express.Express {
  const { clock, logger } = deps;
  const maxBodyBytes = deps.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const metricsPublic = deps.access?.metricsPublic ?? true;
  const docsPublic = deps.access?.docsPublic ?? true;
  const authenticator = new ApiKeyAuthenticator(deps.apiKeys);
  const limiter = deps.rateLimit ? new RateLimiter(deps.rateLimit, clock) : null;
  const routes = deps.serveApi === false ? [] : apiRoutes(createRouteServices(deps));
  let document: unknown;
  const openApiDocument = () =>
    (document ??= buildOpenApiDocument(routes, {
      version: deps.version ?? '0.1.0',
      metricsPublic,
      docsPublic,
    }));

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((request, response, next) => {
    const incoming = request.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    locals(response).requestId = requestId;
    response.set('X-Request-Id', requestId);
    const started = performance.now();
    response.on('finish', () => {
      const route = locals(response).route ?? 'unmatched';
      const seconds = (performance.now() - started) / 1000;
      deps.metrics.observeRequest(request.method, route, response.statusCode, seconds);
      const entry = {
        requestId,
        method: request.method,
        route,
        status: response.statusCode,
        ms: Math.round(seconds * 1000),
        apiKey: locals(response).principal?.name,
      };
      if (response.statusCode >= 500) logger.warn(entry, 'request failed');
      else logger.debug(entry, 'request');
    });
    next();
  });

  const router = express.Router();
  mountOperations(router, {
    clock,
    readiness: deps.readiness,
    readinessTimeoutMs: deps.limits?.readinessTimeoutMs ?? 2000,
    metrics: deps.metrics,
    authenticator,
    metricsPublic,
    docsPublic,
    openApiDocument,
  });

  for (const route of routes) {
    const writes = route.method === 'post' || route.method === 'patch';
    const admit: RequestHandler = (request, response, next) => {
      locals(response).route = route.path;
      const principal = authenticator.authenticate(request.headers.authorization);
      locals(response).principal = principal;
      authorize(principal, route.roles);
      limiter?.take(principal.name);
      next();
    };
    const awaitPosition: RequestHandler = async (request, _response, next) => {
      const header = request.headers['x-min-position'];
      if (header === undefined) return next();
      if (typeof header !== 'string' || !POSITION.test(header)) {
        throw new HttpError(
          'VALIDATION_FAILED',
          'X-Min-Position must be the X-Event-Position of an earlier answer',
          {
            fields: [{ path: 'header.x-min-position', message: 'must be a decimal number' }],
          },
        );
      }
      await deps.waitForProjection?.(BigInt(header));
      next();
    };
    const handle: RequestHandler = async (request, response) => {
      const principal = locals(response).principal!;
      const requestId = locals(response).requestId;
      const execute = async (): Promise<WireAnswer> => {
        try {
          const result = await route.handle({
            params: route.params ? parseOrThrow(route.params, request.params, 'path') : {},
            query: route.query ? parseOrThrow(route.query, request.query, 'query') : {},
            body: route.body ? parseOrThrow(route.body.schema, request.body, '') : undefined,
            principal,
            requestId,
            command: { correlationId: requestId, apiKey: principal.name },
            request,
          });
          const body = envelope(result.status, result.message ?? 'success', result.data, clock);
          return { status: result.status, body: JSON.stringify(body), headers: result.headers ?? {} };
        } catch (error) {
          if (!(error instanceof HttpError)) throw error;
          const body = errorEnvelope(error.status, error.code, error.message, error.details, clock);
          return { status: error.status, body: JSON.stringify(body), headers: error.headers ?? {} };
        }
      };
      const key = request.headers['idempotency-key'];
      let answer: WireAnswer;
      if (writes && key !== undefined) {
        if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
          throw new HttpError('VALIDATION_FAILED', 'Idempotency-Key must be 1–200 visible ASCII characters', {
            fields: [{ path: 'header.idempotency-key', message: 'must be 1–200 visible ASCII characters' }],
          });
        }
        const hash = requestHash(request.method, request.originalUrl, rawBodyOf(request));
        const run = await runIdempotently(deps.idempotency, clock, `${principal.name}:${key}`, hash, execute);
        answer = run.replayed ? { ...run, headers: { 'Idempotent-Replayed': 'true' } } : run;
      } else {
        answer = await execute();
      }
      response.status(answer.status).set(answer.headers).type('application/json').send(answer.body);
    };
    router[route.method](
      expressPath(route.path),
      admit,
      ...(writes ? jsonBody(maxBodyBytes) : []),
      awaitPosition,
      handle,
    );
  }

  app.use(router);
  app.use((request: Request) => {
    throw new HttpError('NOT_FOUND', `no route ${request.method} ${request.path}`);
  });
  app.use(bodyErrorTranslator(maxBodyBytes));
  // A path with broken percent-encoding (/records/%zz) fails in the router's decoding: a client error.
  app.use((error: unknown, _request: Request, _response: Response, next: NextFunction) =>
    next(
      error instanceof URIError
        ? new HttpError('VALIDATION_FAILED', 'the path is not valid percent-encoding')
        : error,
    ),
  );
  // Express recognises error handlers by their four parameters.
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const requestId = locals(response).requestId;
    const known = error instanceof HttpError ? error : null;
    if (!known) logger.error({ err: error, requestId }, 'unhandled error');
    const failure = known ?? new HttpError('INTERNAL', `unexpected failure (request ${requestId})`);
    if (response.headersSent) return;
    response
      .status(failure.status)
      .set(failure.headers ?? {})
      .json(errorEnvelope(failure.status, failure.code, failure.message, failure.details, clock));
  });
  return app;
}
