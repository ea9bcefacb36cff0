import { Registry } from 'prom-client';
import { createMetrics } from '../../../src/observability';
import { itConformsToTheOpenApiDocument } from './support/conformance';
import { imageBatch, KEYS, startHarness, type Harness } from './support/http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const service = { key: KEYS.service };

describe('Idempotency-Key', () => {
  it('returns the first answer for the same key and body, without writing again', async () => {
    const body = imageBatch('p-idem', ['sb-1', 'sb-2']);
    const headers = { 'idempotency-key': 'batch-1' };

    const first = await h.call('POST', '/api/v1/images/text-to-image', { ...service, body, headers });
    const replay = await h.call('POST', '/api/v1/images/text-to-image', { ...service, body, headers });

    expect(first.status).toBe(202);
    expect(replay.status).toBe(202);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await h.eventStore.readStream('image-p-idem.sb-1')).toHaveLength(1);
  });

  it('refuses the same key with another body (422 IDEMPOTENCY_CONFLICT)', async () => {
    const headers = { 'idempotency-key': 'batch-2' };
    await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: imageBatch('p-idem2', ['sb-1']),
      headers,
    });

    const other = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: imageBatch('p-idem2', ['sb-9']),
      headers,
    });

    expect(other.status).toBe(422);
    expect(other.body).toMatchObject({ code: 422, data: { error: 'IDEMPOTENCY_CONFLICT' } });
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS while the first request with the key still runs', async () => {
    await h.deps.idempotency.begin('cartoon:busy-key', 'whatever', new Date());

    const answer = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: imageBatch('p-busy', ['sb-1']),
      headers: { 'idempotency-key': 'busy-key' },
    });

    expect(answer.status).toBe(409);
    expect(answer.body.data.error).toBe('IDEMPOTENCY_IN_PROGRESS');
    expect(await h.eventStore.readStream('image-p-busy.sb-1')).toHaveLength(0);
  });

  it('keeps keys apart per API key and stores validation answers too', async () => {
    const headers = { 'idempotency-key': 'shared-name' };
    const asService = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: { bad: true },
      headers,
    });
    const asAdmin = await h.call('POST', '/api/v1/images/text-to-image', {
      key: KEYS.admin,
      body: imageBatch('p-shared', ['sb-1']),
      headers,
    });
    const replayed = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: { bad: true },
      headers,
    });

    expect(asService.status).toBe(400);
    expect(asAdmin.status).toBe(202);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuses a malformed key', async () => {
    const answer = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: imageBatch('p-badkey', ['sb-1']),
      headers: { 'idempotency-key': 'x'.repeat(201) },
    });

    expect(answer.status).toBe(400);
    expect(answer.body.data.details.fields[0].path).toBe('header.idempotency-key');
  });
});

describe('bodies', () => {
  it('refuses a body over 1 MB with 413 PAYLOAD_TOO_LARGE', async () => {
    const body = imageBatch('p-big', ['sb-1'], { projectName: 'x'.repeat(1024 * 1024) });

    const answer = await h.call('POST', '/api/v1/images/text-to-image', { ...service, body });

    expect(answer.status).toBe(413);
    expect(answer.body).toMatchObject({ code: 413, data: { error: 'PAYLOAD_TOO_LARGE' } });
  });

  it('refuses a non-JSON body with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const answer = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      rawBody: 'projectId=p',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(answer.status).toBe(415);
    expect(answer.body.data.error).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses invalid JSON and a missing body with 400 VALIDATION_FAILED', async () => {
    const broken = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      rawBody: '{"projectId": ',
      headers: { 'content-type': 'application/json' },
    });
    const missing = await h.call('POST', '/api/v1/images/text-to-image', service);
    const array = await h.call('POST', '/api/v1/images/text-to-image', { ...service, body: [] });

    expect(broken).toMatchObject({ status: 400, body: { data: { error: 'VALIDATION_FAILED' } } });
    expect(broken.body.message).toContain('not valid JSON');
    expect(missing).toMatchObject({ status: 400, body: { data: { error: 'VALIDATION_FAILED' } } });
    expect(array).toMatchObject({ status: 400, body: { data: { error: 'VALIDATION_FAILED' } } });
  });
});

describe('query values', () => {
  it.each([
    ['an operator key', 'createBy[$ne]=x'],
    ['a nested operator', 'workId[$gt]='],
    ['an array', 'createBy=a&createBy=b'],
    ['a non-numeric page', 'page=1e3'],
    ['a page size over 100', 'pageSize=101'],
    ['a status outside the codes', 'generationStatus=7'],
    ['an unknown parameter', 'where=1'],
  ])('refuses %s with 400 VALIDATION_FAILED', async (_what, query) => {
    const answer = await h.call('GET', `/api/v1/images/records?${query}`, service);

    expect(answer.status).toBe(400);
    expect(answer.body.data.error).toBe('VALIDATION_FAILED');
    expect(answer.body.data.details.fields[0].path).toMatch(/^query\./);
  });

  it('treats a value that looks like an operator as a plain string', async () => {
    const answer = await h.call(
      'GET',
      `/api/v1/images/records?createBy=${encodeURIComponent('{"$ne":null}')}`,
      service,
    );

    expect(answer.status).toBe(200);
    expect(answer.body.data.total).toBe(0);
  });

  it('refuses an X-Min-Position that is not a position', async () => {
    const answer = await h.call('GET', '/api/v1/images/records', {
      ...service,
      headers: { 'x-min-position': 'soon' },
    });

    expect(answer.status).toBe(400);
  });
});

describe('pages', () => {
  it('keeps page boundaries stable while records are added', async () => {
    const first = await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: imageBatch('p-stable', ['a1', 'a2', 'a3', 'a4'], { workId: 'w-stable' }),
    });
    await h.settle();
    const page1 = await h.call(
      'GET',
      '/api/v1/images/records?workId=w-stable&pageSize=2&sortOrder=asc',
      service,
    );
    await h.call('POST', '/api/v1/images/text-to-image', {
      ...service,
      body: imageBatch('p-stable', ['b1', 'b2'], { workId: 'w-stable' }),
    });
    await h.settle();
    const page2 = await h.call(
      'GET',
      '/api/v1/images/records?workId=w-stable&pageSize=2&page=2&sortOrder=asc',
      service,
    );

    const ids = first.body.data.items.map((i: { recordId: string }) => i.recordId);
    expect([...page1.body.data.list, ...page2.body.data.list].map((r: { id: string }) => r.id)).toEqual(ids);
    expect(page2.body.data).toMatchObject({ total: 6, totalPages: 3 });
  });
});

describe('other failures', () => {
  it('answers an unknown route with 404 NOT_FOUND in the envelope', async () => {
    const answer = await h.call('GET', '/api/v1/nothing-here', service);

    expect(answer).toMatchObject({ status: 404, body: { code: 404, data: { error: 'NOT_FOUND' } } });
  });

  it('answers 500 INTERNAL in the envelope when a read model fails, and counts it', async () => {
    const failing = await startHarness({
      projector: false,
      overrides: {
        readModels: {
          ...h.readModels,
          listRecords: () => Promise.reject(new Error('disk on fire')),
        } as never,
      },
    });
    try {
      const answer = await failing.call('GET', '/api/v1/images/records', service);

      expect(answer.status).toBe(500);
      expect(answer.body).toMatchObject({ code: 500, data: { error: 'INTERNAL' } });
      expect(answer.text).not.toContain('disk on fire');
      const metrics = await failing.call('GET', '/metrics');
      expect(metrics.text).toMatch(
        /jimeng_http_requests_total\{method="GET",route="\/api\/v1\/images\/records",status="500"\} 1/,
      );
    } finally {
      await failing.close();
    }
  });

  it('answers every item of a batch when the event store fails, INTERNAL for those it could not store', async () => {
    let appends = 0;
    const flaky = await startHarness({ projector: false });
    const store = flaky.deps.eventStore;
    const original = store.append.bind(store);
    store.append = (...args) => (++appends % 2 === 0 ? Promise.reject(new Error('busy')) : original(...args));
    try {
      const answer = await flaky.call('POST', '/api/v1/images/text-to-image', {
        ...service,
        body: imageBatch('p-flaky', ['sb-1', 'sb-2', 'sb-3', 'sb-4']),
      });

      expect(answer.status).toBe(202);
      expect(answer.body.data.items).toHaveLength(4);
      expect(answer.body.data.accepted + answer.body.data.rejected).toBe(4);
      expect(
        answer.body.data.items.filter((i: { error?: string }) => i.error === 'INTERNAL').length,
      ).toBeGreaterThan(0);
    } finally {
      await flaky.close();
    }
  });

  it('limits requests per API key with 429 RATE_LIMITED and Retry-After', async () => {
    const limited = await startHarness({
      projector: false,
      overrides: { rateLimit: { requestsPerSecond: 0.001, burst: 2 } },
    });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 3; i++) {
        last = await limited.call('GET', '/api/v1/images/records', service);
        statuses.push(last.status);
      }
      const otherKey = await limited.call('GET', '/api/v1/images/records', { key: KEYS.viewer });

      expect(statuses).toEqual([200, 200, 429]);
      expect(last!.body.data.error).toBe('RATE_LIMITED');
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(otherKey.status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

it('creates its metrics on a registry of its own (two apps in one process do not clash)', () => {
  expect(() => createMetrics(new Registry())).not.toThrow();
});

itConformsToTheOpenApiDocument(async () => (await h.call('GET', '/openapi.json')).body);
