import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ERROR_DESCRIPTIONS, ERROR_STATUS, type ErrorCode } from './error-codes';
import { z } from './openapi-zod';
import type { ApiRoute } from './route';
import { CALLBACK_DESCRIPTION, callbackHeaders, callbackPayload } from './schemas/callback';
import { CODE_TABLES, envelopeOf, errorEnvelope, idempotencyKeyHeader } from './schemas/common';

export interface OpenApiOptions {
  version: string;
  metricsPublic: boolean;
  docsPublic: boolean;
}

const COMMON_ERRORS: ErrorCode[] = [
  'VALIDATION_FAILED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'INTERNAL',
];

const INTRO = `
HTTP API of the Jimeng orchestrator for the cartoon backend (小说转动漫) and dashboards.

**Envelope.** Every answer, errors included, is \`{code, message, data, timestamp}\`: \`code\` repeats the HTTP status,
\`timestamp\` is unix milliseconds. Errors carry \`data: {error: '<STABLE_CODE>', details?}\`; branch on \`data.error\`.
Pages are \`{list, total, page, pageSize, totalPages}\` (pageSize 1–100, default 10; sortBy only on indexed fields;
ties ordered by creation time and id, so pages stay stable while records are added).

**Auth.** \`Authorization: Bearer <key>\`. Roles: admin (everything), service (generation, queries, audit),
viewer (queries and audit only).

**Batches.** Generation batches answer 202 with one result per storyboard (accepted with its recordId and status 0, or
rejected with a stable code): a batch is never half-written silently. 1–200 storyboards, prompts up to 4,000
characters, bodies up to 1 MB. Send \`Idempotency-Key\` on every POST and PATCH to make retries safe.

**Consistency.** Writes go to the event store; queries read projections that follow within milliseconds. A write
answers with header \`X-Event-Position\`; send it back as \`X-Min-Position\` on a later request to wait (bounded) until
the projections include that write.

**Codes (numbers on the wire).**
- ${CODE_TABLES.siteType}
- ${CODE_TABLES.jimengAccountType}
- ${CODE_TABLES.accountStatus}
- ${CODE_TABLES.capability}
- ${CODE_TABLES.generationStatus}

**Error codes.**
${(Object.keys(ERROR_STATUS) as ErrorCode[]).map((code) => `- ${code} (${ERROR_STATUS[code]}): ${ERROR_DESCRIPTIONS[code]}`).join('\n')}
- Batch items only: DUPLICATE_IN_BATCH (an earlier item has the same storyboardId / account), plus the codes above.

**Callbacks.** ${CALLBACK_DESCRIPTION} See the \`generationCallback\` webhook.
`.trim();

function errorResponses(codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes)
    byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((code) => `${code}: ${ERROR_DESCRIPTIONS[code]}`).join(' / '),
        content: { 'application/json': { schema: errorEnvelope } },
      },
    ]),
  );
}

const eventPositionHeader = z.object({
  'x-event-position': z
    .string()
    .optional()
    .openapi({ description: 'Read-your-writes token: send it as X-Min-Position.' }),
});

export function buildOpenApiDocument(routes: readonly ApiRoute[], options: OpenApiOptions) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from API_KEYS.',
  });
  registry.register('ErrorEnvelope', errorEnvelope);
  registry.register('CallbackPayload', callbackPayload);

  for (const route of routes) {
    const writes = route.method === 'post' || route.method === 'patch';
    const minPosition = z.object({
      'x-min-position': z
        .string()
        .optional()
        .openapi({ description: 'Wait until projections include this position.' }),
    });
    registry.registerPath({
      method: route.method,
      path: route.path,
      summary: route.summary,
      description:
        `${route.description ?? ''}\n\nRoles: ${['admin', ...route.roles.filter((r) => r !== 'admin')].join(', ')}.`.trim(),
      tags: route.tags,
      security: [{ bearerAuth: [] }],
      request: {
        ...(route.params ? { params: route.params as never } : {}),
        ...(route.query ? { query: route.query as never } : {}),
        headers: (writes ? idempotencyKeyHeader : minPosition) as never,
        ...(route.body
          ? {
              body: {
                required: true,
                content: { 'application/json': { schema: route.body.documented ?? route.body.schema } },
              },
            }
          : {}),
      },
      responses: {
        ...Object.fromEntries(
          Object.entries(route.responses).map(([status, response]) => [
            status,
            {
              description: response.description,
              ...(writes || route.method === 'delete' ? { headers: eventPositionHeader } : {}),
              content: {
                'application/json': {
                  schema: envelopeOf(
                    response.data,
                    Number(status),
                    status === '202' ? 'accepted' : 'success',
                  ),
                },
              },
            },
          ]),
        ),
        ...errorResponses([...COMMON_ERRORS, ...route.errors]),
      },
    });
  }

  const security = (open: boolean) => (open ? [] : [{ bearerAuth: [] }]);
  registry.registerPath({
    method: 'get',
    path: '/healthz',
    summary: 'Liveness: the process answers',
    tags: ['Operations'],
    security: [],
    responses: {
      200: {
        description: 'Alive',
        content: {
          'application/json': { schema: envelopeOf(z.strictObject({ status: z.literal('ok') }), 200) },
        },
      },
    },
  });
  const checks = z.array(
    z.strictObject({
      name: z.string(),
      ok: z.boolean(),
      durationMs: z.number(),
      error: z.string().optional(),
    }),
  );
  registry.registerPath({
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: every adapter answers',
    tags: ['Operations'],
    security: [],
    responses: {
      200: {
        description: 'Ready',
        content: {
          'application/json': {
            schema: envelopeOf(z.strictObject({ status: z.literal('ready'), checks }), 200),
          },
        },
      },
      503: {
        description: 'NOT_READY: details.checks names the failing check',
        content: { 'application/json': { schema: errorEnvelope } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['Operations'],
    security: security(options.metricsPublic),
    responses: {
      200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
      // Documented either way: the same build serves METRICS_PUBLIC=true and =false.
      ...errorResponses(['UNAUTHENTICATED']),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document',
    tags: ['Operations'],
    security: security(options.docsPublic),
    responses: {
      200: {
        description: 'OpenAPI 3.1',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
      ...errorResponses(['UNAUTHENTICATED']),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/docs',
    summary: 'API documentation page (works offline)',
    tags: ['Operations'],
    security: [],
    responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
  });

  registry.registerWebhook({
    method: 'post',
    path: 'generationCallback',
    summary: 'Generation finished (completed or failed)',
    description: CALLBACK_DESCRIPTION,
    tags: ['Callbacks'],
    request: {
      headers: callbackHeaders as never,
      body: { required: true, content: { 'application/json': { schema: callbackPayload } } },
    },
    responses: {
      200: { description: 'Any 2xx acknowledges the delivery; anything else is retried.' },
    },
  });

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Jimeng orchestrator API', version: options.version, description: INTRO },
    servers: [{ url: '/' }],
    tags: [
      { name: 'Accounts (账号管理)', description: 'The account pool (jimeng_accounts). Role admin.' },
      { name: 'Images (图片生成)', description: 'jimeng_image_generation_records' },
      { name: 'Videos (视频生成)', description: 'jimeng_video_generation_records' },
      { name: 'Audit (审计)', description: 'Event history of a storyboard' },
      { name: 'Operations', description: 'Health, readiness, metrics, documentation' },
    ],
  });
}
