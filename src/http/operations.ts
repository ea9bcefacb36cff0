import type { Router } from 'express';
import type { Clock } from '../ports/clock';
import type { Metrics } from '../observability/metrics';
import type { ApiKeyAuthenticator } from './auth';
import { DOCS_PAGE } from './docs-page';
import { envelope } from './envelope';
import { HttpError } from './error-codes';

export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency answers; rejects (with a reason) when it does not. */
  check(): Promise<void>;
}

export interface OperationsOptions {
  clock: Clock;
  readiness: readonly ReadinessCheck[];
  readinessTimeoutMs: number;
  metrics: Metrics;
  authenticator: ApiKeyAuthenticator;
  metricsPublic: boolean;
  docsPublic: boolean;
  openApiDocument: () => unknown;
}

async function runCheck(check: ReadinessCheck, timeoutMs: number) {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { name: check.name, ok: true, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      name: check.name,
      ok: false,
      durationMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz, /readyz, /metrics, /openapi.json, /docs: outside /api/v1. */
export function mountOperations(router: Router, options: OperationsOptions): void {
  const { clock } = options;
  const guard = (open: boolean, authorization: string | undefined) => {
    if (!open) options.authenticator.authenticate(authorization);
  };

  router.get('/healthz', (_request, response) => {
    response.locals['route'] = '/healthz';
    response.json(envelope(200, 'success', { status: 'ok' }, clock));
  });

  router.get('/readyz', async (_request, response) => {
    response.locals['route'] = '/readyz';
    const checks = await Promise.all(
      options.readiness.map((check) => runCheck(check, options.readinessTimeoutMs)),
    );
    const failing = checks.filter((check) => !check.ok);
    if (failing.length > 0) {
      throw new HttpError(
        'NOT_READY',
        `not ready: ${failing.map((check) => `${check.name} (${check.error})`).join('; ')}`,
        { checks },
      );
    }
    response.json(envelope(200, 'success', { status: 'ready', checks }, clock));
  });

  router.get('/metrics', async (request, response) => {
    response.locals['route'] = '/metrics';
    guard(options.metricsPublic, request.headers.authorization);
    const text = await options.metrics.registry.metrics();
    response.type(options.metrics.registry.contentType).send(text);
  });

  router.get('/openapi.json', (request, response) => {
    response.locals['route'] = '/openapi.json';
    guard(options.docsPublic, request.headers.authorization);
    response.json(options.openApiDocument());
  });

  // The page holds no API data: it fetches /openapi.json, asking for a key when that is protected.
  router.get('/docs', (_request, response) => {
    response.locals['route'] = '/docs';
    response
      .type('html')
      .set(
        'Content-Security-Policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .send(DOCS_PAGE);
  });
}
