import { imageBatch, KEYS, startHarness, type Harness } from './support/http-harness';
import { itConformsToTheOpenApiDocument } from './support/conformance';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const service = { key: KEYS.service };

async function submitImages(projectId: string, storyboardIds: string[], extra: Record<string, unknown> = {}) {
  return h.call('POST', '/api/v1/images/text-to-image', {
    ...service,
    body: imageBatch(projectId, storyboardIds, extra),
  });
}

describe('POST /api/v1/images/text-to-image', () => {
  it('accepts every storyboard with a record id and status 0 pending, in request order', async () => {
    const answer = await submitImages('p-accept', ['sb-1', 'sb-2', 'sb-3']);

    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ code: 202, message: 'accepted', data: { accepted: 3, rejected: 0 } });
    expect(typeof answer.body.timestamp).toBe('number');
    const items = answer.body.data.items;
    expect(items.map((i: { storyboardId: string }) => i.storyboardId)).toEqual(['sb-1', 'sb-2', 'sb-3']);
    for (const item of items)
      expect(item).toMatchObject({
        result: 'accepted',
        generationStatus: 0,
        recordId: expect.stringMatching(/^\d+$/),
      });
    expect(answer.headers.get('x-event-position')).toMatch(/^\d+$/);
  });

  it('shows the new records to a query that waits for the write (X-Min-Position)', async () => {
    const written = await submitImages('p-ryw', ['sb-1'], { workId: 'work-ryw' });
    const recordId = written.body.data.items[0].recordId;

    const page = await h.call('GET', '/api/v1/images/records?workId=work-ryw', {
      ...service,
      headers: { 'x-min-position': written.headers.get('x-event-position')! },
    });

    expect(page.status).toBe(200);
    expect(page.body.data).toMatchObject({ total: 1, page: 1, pageSize: 10, totalPages: 1 });
    expect(page.body.data.list[0]).toMatchObject({
      id: recordId,
      projectId: 'p-ryw',
      storyboardId: 'sb-1',
      workId: 'work-ryw',
      createBy: 'zhang.san',
      model: 'jimeng-4.5',
      generationStatus: 0,
      imageUrls: [],
      siteSwitchCount: 0,
    });
    expect(page.body.data.list[0]).not.toHaveProperty('switchHistory');
  });

  it('refuses a storyboard that already has a live record, with a hint to regenerate', async () => {
    const first = await submitImages('p-exists', ['sb-1']);
    const again = await submitImages('p-exists', ['sb-1', 'sb-2']);

    expect(again.status).toBe(202);
    expect(again.body.data).toMatchObject({ accepted: 1, rejected: 1 });
    expect(again.body.data.items[0]).toMatchObject({
      index: 0,
      storyboardId: 'sb-1',
      result: 'rejected',
      error: 'STORYBOARD_EXISTS',
      message: expect.stringContaining('/api/v1/images/regenerate'),
      details: { recordId: first.body.data.items[0].recordId },
    });
    expect(again.body.data.items[1]).toMatchObject({ storyboardId: 'sb-2', result: 'accepted' });
  });

  it('rejects repeated storyboardIds of one batch, keeping the first', async () => {
    const answer = await submitImages('p-dup', ['sb-1', 'sb-2', 'sb-1']);

    expect(answer.body.data.items.map((i: { result: string }) => i.result)).toEqual([
      'accepted',
      'accepted',
      'rejected',
    ]);
    expect(answer.body.data.items[2]).toMatchObject({ error: 'DUPLICATE_IN_BATCH', storyboardId: 'sb-1' });
  });

  it('rejects only the invalid storyboards, naming the field path', async () => {
    const body = imageBatch('p-invalid', ['sb-1', 'sb-2', 'sb-3', 'sb-4']);
    body.storyboards[1]!.prompt = 'x'.repeat(4001);
    (body.storyboards[2] as Record<string, unknown>)['ratio'] = '5:7';
    (body.storyboards[3] as Record<string, unknown>)['storyboardId'] = 'has.dot';

    const answer = await h.call('POST', '/api/v1/images/text-to-image', { ...service, body });

    const [ok, long, ratio, badId] = answer.body.data.items;
    expect(ok).toMatchObject({ result: 'accepted' });
    expect(long).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'storyboards.1.prompt' }] },
    });
    expect(ratio).toMatchObject({ error: 'VALIDATION_FAILED', details: { fields: [{ path: 'ratio' }] } });
    expect(badId).toMatchObject({ error: 'VALIDATION_FAILED', storyboardId: 'has.dot' });
  });

  it('rejects a model that no site offers, per storyboard', async () => {
    const answer = await submitImages('p-model', ['sb-1'], { model: 'jimeng-video-3.0' });

    expect(answer.body.data.items[0]).toMatchObject({
      result: 'rejected',
      error: 'VALIDATION_FAILED',
      message: expect.stringContaining('no site offers image model jimeng-video-3.0'),
    });
  });

  it('refuses a batch outside 1..200 storyboards or with unknown fields as a whole', async () => {
    const empty = await submitImages('p-limits', []);
    const tooMany = await submitImages(
      'p-limits',
      Array.from({ length: 201 }, (_, i) => `sb-${i}`),
    );
    const unknown = await submitImages('p-limits', ['sb-1'], { colour: 'red' });

    for (const answer of [empty, tooMany, unknown]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 400, data: { error: 'VALIDATION_FAILED' } });
    }
    expect(tooMany.body.data.details.fields[0].path).toBe('storyboards');
    expect(unknown.body.data.details.fields[0]).toEqual({
      path: 'colour',
      message: 'not an accepted field: remove it',
    });
  });

  it('takes 200 storyboards in one batch', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `sb-${i}`);
    const answer = await submitImages('p-big', ids);

    expect(answer.status).toBe(202);
    expect(answer.body.data).toMatchObject({ accepted: 200, rejected: 0 });
  });
});

describe('POST /api/v1/images/image-to-image', () => {
  it('needs 1..10 reference images per storyboard', async () => {
    const body = imageBatch('p-i2i', ['sb-1', 'sb-2']) as { storyboards: Record<string, unknown>[] };
    body.storyboards[0]!['images'] = ['https://cdn.example.com/a.png'];
    body.storyboards[1]!['images'] = [];

    const answer = await h.call('POST', '/api/v1/images/image-to-image', { ...service, body });

    expect(answer.body.data.items[0]).toMatchObject({ result: 'accepted' });
    expect(answer.body.data.items[1]).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'storyboards.1.images' }] },
    });
  });
});

describe('POST /api/v1/images/regenerate', () => {
  it('overwrites the live record: same id, new parameters, status pending', async () => {
    const created = await submitImages('p-regen', ['sb-1']);
    const recordId = created.body.data.items[0].recordId;

    const answer = await h.call('POST', '/api/v1/images/regenerate', {
      ...service,
      body: {
        projectId: 'p-regen',
        updateBy: 'li.si',
        storyboards: [{ storyboardId: 'sb-1', prompt: 'close-up', ratio: '9:16' }],
      },
    });

    expect(answer.status).toBe(202);
    expect(answer.body.data.items[0]).toMatchObject({ result: 'accepted', recordId, generationStatus: 0 });
    const detail = await h.call('GET', `/api/v1/images/records/${recordId}`, {
      ...service,
      headers: { 'x-min-position': answer.headers.get('x-event-position')! },
    });
    expect(detail.body.data).toMatchObject({
      id: recordId,
      prompt: 'close-up',
      params: { ratio: '9:16' },
      updateBy: 'li.si',
    });
    expect(detail.body.data.switchHistory).toEqual([]);
  });

  it('refuses a storyboard without a live record (RECORD_NOT_LIVE) and a bad duration change', async () => {
    const answer = await h.call('POST', '/api/v1/images/regenerate', {
      ...service,
      body: { projectId: 'p-regen-missing', updateBy: 'li.si', storyboards: [{ storyboardId: 'never' }] },
    });

    expect(answer.body.data.items[0]).toMatchObject({ result: 'rejected', error: 'RECORD_NOT_LIVE' });
  });
});

describe('records by id', () => {
  it('deletes a record logically: gone from queries, the storyboard free again, deleting twice succeeds', async () => {
    const created = await submitImages('p-del', ['sb-1']);
    const recordId = created.body.data.items[0].recordId;
    const wait = { 'x-min-position': created.headers.get('x-event-position')! };

    const deleted = await h.call('DELETE', `/api/v1/images/records/${recordId}?updateBy=li.si`, {
      ...service,
      headers: wait,
    });
    const again = await h.call('DELETE', `/api/v1/images/records/${recordId}`, {
      ...service,
      headers: { 'x-min-position': deleted.headers.get('x-event-position')! },
    });
    const detail = await h.call('GET', `/api/v1/images/records/${recordId}`, service);
    const recreated = await submitImages('p-del', ['sb-1']);

    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ recordId, deleted: true });
    expect(again.status).toBe(200);
    expect(detail.status).toBe(404);
    expect(detail.body.data.error).toBe('NOT_FOUND');
    expect(recreated.body.data.items[0]).toMatchObject({ result: 'accepted' });
    expect(recreated.body.data.items[0].recordId).not.toBe(recordId);
  });

  it('answers NOT_FOUND for an unknown record and for a video id asked as an image', async () => {
    const video = await h.call('POST', '/api/v1/videos/generations', {
      ...service,
      body: { ...imageBatch('p-kind', ['sb-1']) },
    });
    const videoId = video.body.data.items[0].recordId;
    await h.settle();

    const unknown = await h.call('GET', '/api/v1/images/records/123', service);
    const wrongKind = await h.call('GET', `/api/v1/images/records/${videoId}`, service);
    const deleteUnknown = await h.call('DELETE', '/api/v1/videos/records/999', service);

    expect(unknown.status).toBe(404);
    expect(wrongKind.status).toBe(404);
    expect(deleteUnknown).toMatchObject({ status: 404, body: { data: { error: 'NOT_FOUND' } } });
  });
});

describe('POST /api/v1/videos/generations', () => {
  it('infers the mode from the frames and checks durations against the model', async () => {
    const answer = await h.call('POST', '/api/v1/videos/generations', {
      ...service,
      body: {
        ...imageBatch('p-video', []),
        model: 'jimeng-video-3.0',
        storyboards: [
          { storyboardId: 'sb-1', prompt: 'rain falls', duration: 5 },
          {
            storyboardId: 'sb-2',
            prompt: 'from first to last',
            firstFrameUrl: 'https://cdn.example.com/f1.png',
            lastFrameUrl: 'https://cdn.example.com/f2.png',
          },
          { storyboardId: 'sb-3', prompt: 'too long', duration: 7 },
          { storyboardId: 'sb-4', prompt: 'needs frames', mode: 'first_last_frame' },
        ],
      },
    });

    const [text, frames, duration, missing] = answer.body.data.items;
    expect(text).toMatchObject({ result: 'accepted' });
    expect(frames).toMatchObject({ result: 'accepted' });
    expect(duration).toMatchObject({
      error: 'VALIDATION_FAILED',
      details: { fields: [{ path: 'duration' }] },
    });
    expect(missing).toMatchObject({
      error: 'VALIDATION_FAILED',
      message: expect.stringContaining('firstFrameUrl and lastFrameUrl'),
    });

    await h.settle();
    const page = await h.call(
      'GET',
      '/api/v1/videos/records?projectId=p-video&sortBy=createdAt&sortOrder=asc',
      {
        key: KEYS.viewer,
      },
    );
    expect(
      page.body.data.list.map((r: { storyboardId: string; mode: string }) => [r.storyboardId, r.mode]),
    ).toEqual([
      ['sb-1', 'text_to_video'],
      ['sb-2', 'first_last_frame'],
    ]);
    expect(page.body.data.list[0]).toHaveProperty('videoUrls', []);
  });
});

describe('GET /api/v1/audit/storyboards/{kind}/{projectId}/{storyboardId}/events', () => {
  it("pages through the storyboard's events oldest first, with actor and correlation id", async () => {
    const created = await submitImages('p-audit', ['sb-1'], { model: 'jimeng-4.0' });
    const requestId = created.headers.get('x-request-id');
    await h.call('POST', '/api/v1/images/regenerate', {
      ...service,
      body: { projectId: 'p-audit', updateBy: 'li.si', storyboards: [{ storyboardId: 'sb-1' }] },
    });

    const first = await h.call('GET', '/api/v1/audit/storyboards/image/p-audit/sb-1/events?limit=1', {
      key: KEYS.viewer,
    });
    const second = await h.call(
      'GET',
      `/api/v1/audit/storyboards/image/p-audit/sb-1/events?fromRevision=${first.body.data.nextFromRevision}&limit=1`,
      { key: KEYS.viewer },
    );

    expect(first.body.data).toMatchObject({
      streamId: 'image-p-audit.sb-1',
      nextFromRevision: 1,
      list: [
        {
          type: 'GenerationRequested',
          revision: 0,
          actor: 'zhang.san',
          correlationId: requestId,
          data: { model: 'jimeng-4.0' },
        },
      ],
    });
    expect(second.body.data).toMatchObject({
      nextFromRevision: null,
      list: [{ type: 'RegenerationRequested', revision: 1, actor: 'li.si' }],
    });
  });

  it('refuses a kind other than image or video', async () => {
    const answer = await h.call('GET', '/api/v1/audit/storyboards/audio/p/sb/events', { key: KEYS.viewer });

    expect(answer.status).toBe(400);
    expect(answer.body.data.details.fields[0].path).toBe('path.kind');
  });
});

itConformsToTheOpenApiDocument(async () => (await h.call('GET', '/openapi.json')).body);
