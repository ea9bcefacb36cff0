import { itConformsToTheOpenApiDocument } from './support/conformance';
import { imageBatch, KEYS, startHarness, type Harness } from './support/http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

describe('GET /healthz and /readyz', () => {
  it('answers /healthz without a key', async () => {
    const answer = await h.call('GET', '/healthz');

    expect(answer).toMatchObject({
      status: 200,
      body: { code: 200, message: 'success', data: { status: 'ok' } },
    });
  });

  it('answers /readyz with every check when all pass', async () => {
    const answer = await h.call('GET', '/readyz');

    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ status: 'ready', checks: [{ name: 'eventStore', ok: true }] });
  });

  it('answers 503 NOT_READY naming the failing check, also when a check hangs', async () => {
    const unready = await startHarness({
      projector: false,
      overrides: {
        readiness: [
          { name: 'eventStore', check: async () => undefined },
          { name: 'readModels', check: () => Promise.reject(new Error('database is locked')) },
          { name: 'messageBus', check: () => new Promise<void>(() => undefined) },
        ],
        limits: { readinessTimeoutMs: 50 },
      },
    });
    try {
      const answer = await unready.call('GET', '/readyz');

      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ code: 503, data: { error: 'NOT_READY' } });
      expect(answer.body.message).toContain('readModels (database is locked)');
      expect(answer.body.message).toContain('messageBus (no answer within 50 ms)');
      expect(answer.body.data.details.checks.map((c: { ok: boolean }) => c.ok)).toEqual([true, false, false]);
    } finally {
      await unready.close();
    }
  });
});

describe('GET /metrics', () => {
  it('exposes request, record and pool metrics in Prometheus text', async () => {
    await h.call('POST', '/api/v1/images/text-to-image', {
      key: KEYS.service,
      body: imageBatch('p-metrics', ['sb-1', 'sb-2']),
    });
    await h.call('POST', '/api/v1/accounts', {
      key: KEYS.admin,
      body: { createBy: 'ops', accounts: [{ jimengAccount: 'm-1', sessionId: '0123456789abcdef' }] },
    });
    await h.settle();
    h.metrics.countSwitch('image', 'site', 'SITE_MISMATCH');
    h.metrics.countSwitch('image', 'account', 'weird reason!');

    const answer = await h.call('GET', '/metrics');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/plain');
    expect(answer.text).toMatch(
      /jimeng_http_requests_total\{method="POST",route="\/api\/v1\/images\/text-to-image",status="202"\} 1/,
    );
    expect(answer.text).toContain('jimeng_http_request_duration_seconds_bucket');
    expect(answer.text).toMatch(/jimeng_records\{kind="image",status="pending"\} 2/);
    expect(answer.text).toMatch(/jimeng_pool_accounts\{kind="image",state="available"\} 1/);
    expect(answer.text).toMatch(/jimeng_switches_total\{kind="image",type="site",reason="SITE_MISMATCH"\} 1/);
    expect(answer.text).toMatch(/jimeng_switches_total\{kind="image",type="account",reason="other"\} 1/);
  });

  it('labels unknown paths by a fixed route name, never the raw path', async () => {
    await h.call('GET', '/api/v1/secret-looking/path-123');

    const answer = await h.call('GET', '/metrics');

    expect(answer.text).toContain('route="unmatched"');
    expect(answer.text).not.toContain('secret-looking');
  });
});

describe('protected /metrics and /openapi.json', () => {
  it('asks for a key when METRICS_PUBLIC / DOCS_PUBLIC are false; /docs stays a plain page', async () => {
    const closed = await startHarness({
      projector: false,
      overrides: { access: { metricsPublic: false, docsPublic: false } },
    });
    try {
      const metrics = await closed.call('GET', '/metrics');
      const metricsWithKey = await closed.call('GET', '/metrics', { key: KEYS.viewer });
      const doc = await closed.call('GET', '/openapi.json');
      const docWithKey = await closed.call('GET', '/openapi.json', { key: KEYS.viewer });
      const page = await closed.call('GET', '/docs');

      expect(metrics).toMatchObject({ status: 401, body: { data: { error: 'UNAUTHENTICATED' } } });
      expect(metricsWithKey.status).toBe(200);
      expect(doc.status).toBe(401);
      expect(docWithKey.status).toBe(200);
      expect(docWithKey.body.paths['/metrics'].get.security).toEqual([{ bearerAuth: [] }]);
      expect(page.status).toBe(200);
    } finally {
      await closed.close();
    }
  });
});

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document of every route, with bearer security and error answers', async () => {
    const { body: doc } = await h.call('GET', '/openapi.json');

    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/accounts',
        '/api/v1/accounts/{id}',
        '/api/v1/images/text-to-image',
        '/api/v1/images/image-to-image',
        '/api/v1/images/regenerate',
        '/api/v1/images/records',
        '/api/v1/images/records/{id}',
        '/api/v1/videos/generations',
        '/api/v1/videos/regenerate',
        '/api/v1/videos/records',
        '/api/v1/videos/records/{id}',
        '/api/v1/audit/storyboards/{kind}/{projectId}/{storyboardId}/events',
        '/healthz',
        '/readyz',
        '/metrics',
        '/openapi.json',
        '/docs',
      ]),
    );
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    const batch = doc.paths['/api/v1/images/text-to-image'].post;
    expect(Object.keys(batch.responses)).toEqual(
      expect.arrayContaining(['202', '400', '401', '403', '409', '413', '415', '422', '429', '500']),
    );
    expect(batch.parameters.map((p: { name: string }) => p.name)).toContain('idempotency-key');
    expect(batch.requestBody.content['application/json'].schema.$ref).toBe(
      '#/components/schemas/TextToImageRequest',
    );
  });

  it('carries examples for every request body and the code tables in English and Chinese', async () => {
    const { body: doc } = await h.call('GET', '/openapi.json');

    for (const [path, operations] of Object.entries<
      Record<string, { requestBody?: { content: Record<string, { schema: { $ref: string } }> } }>
    >(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.requestBody) continue;
        const name = operation.requestBody.content['application/json']!.schema.$ref.split('/').pop()!;
        expect([method, path, doc.components.schemas[name].example]).toEqual([
          method,
          path,
          expect.anything(),
        ]);
      }
    }
    expect(doc.info.description).toContain('0 pending (待处理)');
    expect(doc.info.description).toContain('2 banned (封禁)');
    expect(doc.info.description).toContain('2 hk (香港站)');
    expect(doc.components.schemas.ImageRecord.properties.generationStatus.description).toContain(
      '4 retrying (重试中)',
    );
  });

  it('documents the callback: payload, signature headers and retries', async () => {
    const { body: doc } = await h.call('GET', '/openapi.json');

    const hook = doc.webhooks.generationCallback.post;
    expect(hook.description).toContain('full jitter');
    expect(hook.description).toContain('8 attempts');
    expect(hook.description).toContain('3xx');
    expect(hook.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        'x-jimeng-event-id',
        'x-jimeng-timestamp',
        'x-jimeng-signature',
        'x-jimeng-delivery-attempt',
      ]),
    );
    expect(doc.components.schemas.CallbackPayload.properties.event.enum).toEqual([
      'generation.completed',
      'generation.failed',
    ]);
  });
});

describe('GET /docs', () => {
  it('serves a self-contained HTML page that loads nothing from other hosts', async () => {
    const answer = await h.call('GET', '/docs');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.text).toContain("fetch('openapi.json'");
    expect(answer.text).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/);
  });
});

itConformsToTheOpenApiDocument(async () => (await h.call('GET', '/openapi.json')).body);
