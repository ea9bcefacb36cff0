import fc from 'fast-check';
import { apiRoutes, createRouteServices } from '../../../../src/http';
import { ERROR_STATUS, type ErrorCode } from '../../../../src/http/error-codes';
import type { ApiRoute } from '../../../../src/http/route';
import { clearSeen } from '../../http/support/conformance';
import { imageBatch, KEYS, startHarness, type Harness } from '../../http/support/http-harness';
import { malformedRequests, type MalformedRequest } from './malformed-requests';

/** Codes every protected route may answer (src/http/openapi-document.ts COMMON_ERRORS). */
const COMMON: ErrorCode[] = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN', 'RATE_LIMITED', 'INTERNAL'];

export interface BadInputReport {
  tried: number;
  byStatus: Record<number, number>;
  byCode: Record<string, number>;
}

/** What is wrong with the answer to a request that must be refused; null when it is fine. */
export function problemWith(
  request: MalformedRequest,
  status: number,
  contentType: string,
  text: string,
): string | null {
  if (status >= 500) return `answered ${status}`;
  if (status < 400) return `accepted with ${status}`;
  if (!contentType.startsWith('application/json')) return `content type ${contentType}`;
  let body: { code?: unknown; message?: unknown; data?: { error?: unknown }; timestamp?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return 'body is not JSON';
  }
  const keys = Object.keys(body).sort().join(',');
  if (keys !== 'code,data,message,timestamp') return `envelope keys ${keys}`;
  if (body.code !== status) return `code ${String(body.code)} is not the status ${status}`;
  if (typeof body.message !== 'string' || typeof body.timestamp !== 'number')
    return 'message/timestamp types';
  const code = body.data?.error;
  if (typeof code !== 'string' || !(code in ERROR_STATUS)) return `undocumented code ${String(code)}`;
  if (ERROR_STATUS[code as ErrorCode] !== status) return `${code} with status ${status}`;
  const route = request.route;
  const allowed = route === null ? ['NOT_FOUND'] : [...COMMON, ...route.errors, 'NOT_FOUND'];
  if (!allowed.includes(code)) return `${code} is not among the route's codes ${allowed.join(',')}`;
  return null;
}

/**
 * Sends `count` malformed requests (fast-check, reproducible by `seed`) at every route of the route
 * table of an app on real SQLite adapters holding a few accounts and records, and checks each answer
 * and that the event store did not move.
 */
export async function runBadInputs(count: number, seed?: number): Promise<BadInputReport> {
  const h: Harness = await startHarness();
  const report: BadInputReport = { tried: 0, byStatus: {}, byCode: {} };
  try {
    await h.call('POST', '/api/v1/accounts', {
      key: KEYS.admin,
      body: { createBy: 'ops', accounts: [{ jimengAccount: 'seed', sessionId: 'seed-session-0123456789' }] },
    });
    await h.call('POST', '/api/v1/images/text-to-image', {
      key: KEYS.service,
      body: imageBatch('p-fuzz', ['sb-1', 'sb-2', 'sb-3']),
    });
    await h.settle();
    const head = await h.eventStore.headPosition();
    const routes: ApiRoute[] = apiRoutes(createRouteServices(h.deps));
    const arbitrary = malformedRequests(routes, { adminKey: KEYS.admin, maxBodyBytes: 1024 * 1024 });

    await fc.assert(
      fc.asyncProperty(arbitrary, async (request) => {
        report.tried++;
        const response = await fetch(`${h.baseUrl}${request.path}`, {
          method: request.method,
          headers: request.headers,
          ...(request.body === undefined ? {} : { body: request.body }),
        });
        const text = await response.text();
        const problem = problemWith(
          request,
          response.status,
          response.headers.get('content-type') ?? '',
          text,
        );
        report.byStatus[response.status] = (report.byStatus[response.status] ?? 0) + 1;
        const code =
          problem === null ? (JSON.parse(text) as { data: { error: string } }).data.error : 'PROBLEM';
        report.byCode[code] = (report.byCode[code] ?? 0) + 1;
        if (problem !== null) {
          throw new Error(
            `${request.method} ${request.path.slice(0, 120)} (${request.broken}): ${problem}: ${text.slice(0, 300)}`,
          );
        }
        const now = await h.eventStore.headPosition();
        if (now !== head)
          throw new Error(`${request.method} ${request.path} (${request.broken}) changed the event store`);
      }),
      { numRuns: count, ...(seed === undefined ? {} : { seed }), endOnFailure: true },
    );
    return report;
  } finally {
    clearSeen();
    await h.close();
  }
}
