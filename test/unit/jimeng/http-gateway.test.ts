import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpJimengGateway, bearerFor } from '../../../src/jimeng/http-gateway';
import type { GenerationResult, JimengFailure, JimengSession } from '../../../src/jimeng/gateway';
import { startSimulator } from '../../../src/simulator';
import type { RunningSimulator, SessionBehaviourPatch } from '../../../src/simulator';
import { waitFor } from '../../support/wait-for';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const FAST = { image: { medianMs: 20_000, p95Ms: 60_000 }, video: { medianMs: 120_000, p95Ms: 300_000 } };

let sim: RunningSimulator;
let gateway: HttpJimengGateway;
let unvalidated: HttpJimengGateway;
let counter = 0;

beforeAll(async () => {
  // 0.0002: a 20 s image in ~4 ms, a 2 min video in ~24 ms.
  sim = await startSimulator({
    config: { timeScale: 0.0002, seed: 42, defaultBehaviour: { latency: FAST } },
  });
  gateway = new HttpJimengGateway({ baseUrl: sim.url });
  unvalidated = new HttpJimengGateway({ baseUrl: sim.url, validate: false });
});

afterAll(async () => {
  await gateway.close();
  await unvalidated.close();
  await sim.stop();
});

/** A fresh simulated account with the given behaviour, and its session on `site`. */
async function account(behaviour: SessionBehaviourPatch = {}, site: JimengSession['site'] = 'cn') {
  counter += 1;
  const sessionId = `sess${counter}`;
  await sim.control.putSession(sessionId, { sites: [site], ...behaviour });
  return { sessionId, site } satisfies JimengSession;
}

function failure(result: GenerationResult): JimengFailure {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.urls)}`);
  return result.error;
}

async function callsOf(sessionId: string): Promise<number> {
  return (await sim.control.stats()).sessions[sessionId]?.calls ?? 0;
}

describe('HttpJimengGateway against the simulator: modes', () => {
  it('text-to-image returns the four image URLs, which serve PNG files', async () => {
    const session = await account();
    const result = await gateway.generateImages(session, {
      prompt: 'a lighthouse',
      ratio: '16:9',
      resolution: '2k',
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.urls).toHaveLength(4);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(0);
    const bytes = new Uint8Array(await (await fetch(result.urls[0])).arrayBuffer());
    expect([...bytes.slice(0, 4)]).toEqual(PNG_MAGIC);
  });

  it('image-to-image with URLs (JSON) and with bytes (multipart)', async () => {
    const session = await account();
    const byUrl = await gateway.composeImages(session, {
      prompt: 'merge',
      images: ['https://example.com/a.png'],
    });
    const byBytes = await gateway.composeImages(session, {
      prompt: 'merge',
      sampleStrength: 0.7,
      intelligentRatio: true,
      images: [{ bytes: new Uint8Array(PNG_MAGIC), filename: 'a.png' }, { bytes: new Uint8Array(PNG_MAGIC) }],
    });
    expect(byUrl.ok && byUrl.urls.length).toBe(4);
    expect(byBytes.ok && byBytes.urls.length).toBe(4);
  });

  it('sends bytes as repeated multipart `images` files (the server counts them)', async () => {
    const session = await account();
    const images = Array.from({ length: 11 }, () => ({ bytes: new Uint8Array([1, 2, 3]) }));
    const error = failure(await unvalidated.composeImages(session, { prompt: 'too many', images }));
    expect(error).toMatchObject({
      errorClass: 'BAD_REQUEST',
      serverCode: -1000,
      message: '最多支持10张输入图片',
    });
  });

  it('refuses a mix of URLs and bytes before calling', async () => {
    const session = await account();
    const images = ['https://example.com/a.png', { bytes: new Uint8Array([1]) }];
    expect(failure(await gateway.composeImages(session, { prompt: 'mixed', images })).errorClass).toBe(
      'BAD_REQUEST',
    );
    expect(await callsOf(session.sessionId)).toBe(0);
  });

  it.each([
    ['text', {}],
    ['first frame', { firstFrameUrl: 'https://example.com/first.png' }],
    [
      'first and last frame',
      { firstFrameUrl: 'https://example.com/f.png', lastFrameUrl: 'https://example.com/l.png' },
    ],
  ])('video from %s returns one MP4 URL', async (_mode, frames) => {
    const session = await account();
    const result = await gateway.generateVideo(session, { prompt: 'waves', duration: 10, ...frames });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.urls).toHaveLength(1);
    expect(result.urls[0]).toMatch(/\.mp4$/);
    const response = await fetch(result.urls[0]);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(4, 8)
        .toString('ascii'),
    ).toBe('ftyp');
  });

  it('uses the site prefix of the session and passes a proxy prefix through', async () => {
    const session = await account({}, 'hk');
    expect(
      (await gateway.generateImages({ ...session, proxy: 'socks5://u:p@127.0.0.1:1080' }, { prompt: 'x' }))
        .ok,
    ).toBe(true);
    expect(bearerFor({ sessionId: 'abc', site: 'hk', proxy: 'socks5://127.0.0.1:1080' })).toBe(
      'socks5://127.0.0.1:1080@hk-abc',
    );
    expect(bearerFor({ sessionId: 'abc', site: 'cn' })).toBe('abc');
  });
});

describe('HttpJimengGateway against the simulator: error classes', () => {
  it('a session tried on a site it does not belong to looks expired (1015), as upstream', async () => {
    const session = await account({}, 'sg');
    const error = failure(await gateway.generateImages({ ...session, site: 'us' }, { prompt: 'x' }));
    expect(error).toMatchObject({ errorClass: 'SESSION_INVALID', serverCode: -2002, submitted: false });
  });

  it('SITE_MISMATCH: a model another site offers is refused before calling', async () => {
    const session = await account({}, 'us');
    const error = failure(await gateway.generateVideo(session, { prompt: 'x', model: 'jimeng-video-veo3' }));
    expect(error.errorClass).toBe('SITE_MISMATCH');
    expect(error.message).toContain('hk');
    expect(await callsOf(session.sessionId)).toBe(0);
  });

  it('SITE_MISMATCH: the server refuses an image model on an international site', async () => {
    const session = await account({}, 'hk');
    const error = failure(await unvalidated.generateImages(session, { prompt: 'x', model: 'jimeng-3.1' }));
    expect(error).toMatchObject({ errorClass: 'SITE_MISMATCH', serverCode: -1000 });
  });

  it('SITE_MISMATCH: region not allowed (3000)', async () => {
    const session = await account({ regionRefused: true });
    const error = failure(await gateway.generateImages(session, { prompt: 'x' }));
    expect(error).toMatchObject({ errorClass: 'SITE_MISMATCH', serverCode: -2001, upstreamCode: 3000 });
  });

  it('RATE_LIMITED: requests over the per-minute limit get the 4013 risk answer', async () => {
    const session = await account({ rpm: 1 });
    expect((await gateway.generateImages(session, { prompt: 'one' })).ok).toBe(true);
    const error = failure(await gateway.generateImages(session, { prompt: 'two' }));
    expect(error).toMatchObject({ errorClass: 'RATE_LIMITED', upstreamCode: 4013, submitted: false });
  });

  it('INSUFFICIENT_CREDITS: balance below the cost (5000) and none left to claim', async () => {
    const short = await account({ balance: 1 });
    expect(failure(await gateway.generateImages(short, { prompt: 'x', resolution: '4k' }))).toMatchObject({
      errorClass: 'INSUFFICIENT_CREDITS',
      serverCode: -2009,
    });
    const empty = await account({ balance: 0, claimRefused: true });
    expect(failure(await gateway.generateVideo(empty, { prompt: 'x' }))).toMatchObject({
      errorClass: 'INSUFFICIENT_CREDITS',
      serverCode: -2008,
    });
  });

  it('SESSION_INVALID: an expired session (1015)', async () => {
    const session = await account({ invalid: true });
    expect(failure(await gateway.generateVideo(session, { prompt: 'x' })).errorClass).toBe('SESSION_INVALID');
  });

  it('ACCOUNT_BANNED: account punished (1018)', async () => {
    const session = await account({ banned: true });
    const error = failure(await gateway.generateImages(session, { prompt: 'x' }));
    expect(error).toMatchObject({ errorClass: 'ACCOUNT_BANNED', upstreamCode: 1018 });
  });

  it('CONTENT_REJECTED: a task failed with fail_code 2038 (may have been billed)', async () => {
    const session = await account();
    const error = failure(await gateway.generateImages(session, { prompt: 'something forbidden' }));
    expect(error).toMatchObject({
      errorClass: 'CONTENT_REJECTED',
      serverCode: -2007,
      upstreamCode: 2038,
      submitted: true,
    });
    const video = failure(await gateway.generateVideo(session, { prompt: '违禁 video' }));
    expect(video).toMatchObject({ errorClass: 'CONTENT_REJECTED', serverCode: -2008, upstreamCode: 2038 });
  });

  it('BAD_REQUEST: refused before calling, or by the server when validation is off', async () => {
    const session = await account();
    expect(failure(await gateway.generateImages(session, { prompt: 'x', ratio: '5:4' })).errorClass).toBe(
      'BAD_REQUEST',
    );
    expect(failure(await gateway.generateVideo(session, { prompt: 'x', duration: 7 })).errorClass).toBe(
      'BAD_REQUEST',
    );
    expect(await callsOf(session.sessionId)).toBe(0);
    const error = failure(await unvalidated.generateVideo(session, { prompt: 'x', duration: 7 }));
    expect(error).toMatchObject({ errorClass: 'BAD_REQUEST', serverCode: -1000 });
    expect(error.message).toContain('3.5-pro 模型仅支持 5、10、12 秒时长');
  });

  it('TIMEOUT: the per-call deadline ends a long call; the task counts as submitted', async () => {
    const session = await account({ latency: { video: { medianMs: 3_600_000, p95Ms: 3_600_000 } } });
    const result = await gateway.generateVideo(session, { prompt: 'slow' }, { deadlineMs: 150 });
    expect(failure(result)).toMatchObject({ errorClass: 'TIMEOUT', submitted: true });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(140);
    expect(result.elapsedMs).toBeLessThan(2_000);
  });

  it('TIMEOUT: cancellation through an AbortSignal', async () => {
    const session = await account({ latency: { image: { medianMs: 3_600_000, p95Ms: 3_600_000 } } });
    const controller = new AbortController();
    const pending = gateway.generateImages(session, { prompt: 'slow' }, { signal: controller.signal });
    // Cancel once the simulator runs the task, so the request has certainly been sent.
    await waitFor(async () => (await sim.control.stats()).sessions[session.sessionId]?.inFlight === 1, {
      timeoutMs: 2000,
      intervalMs: 5,
    });
    controller.abort();
    const error = failure(await pending);
    expect(error).toMatchObject({ errorClass: 'TIMEOUT', submitted: true });
    expect(error.message).toContain('cancelled');
  });

  it('TIMEOUT: an already aborted signal sends nothing', async () => {
    const session = await account();
    const error = failure(
      await gateway.generateImages(session, { prompt: 'x' }, { signal: AbortSignal.abort() }),
    );
    expect(error).toMatchObject({ errorClass: 'TIMEOUT', submitted: false });
  });

  it('UPSTREAM_FAILED: a transient generation failure (5001 → -2007)', async () => {
    const session = await account({ failureRate: 1 });
    expect(failure(await gateway.generateImages(session, { prompt: 'x' }))).toMatchObject({
      errorClass: 'UPSTREAM_FAILED',
      serverCode: -2007,
    });
  });

  it('UPSTREAM_FAILED: the server cannot be reached (nothing submitted)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = new HttpJimengGateway({ baseUrl: `http://127.0.0.1:${port}` });
    try {
      const error = failure(await offline.generateImages({ sessionId: 's', site: 'cn' }, { prompt: 'x' }));
      expect(error).toMatchObject({ errorClass: 'UPSTREAM_FAILED', submitted: false });
    } finally {
      await offline.close();
    }
  });

  it('RATE_LIMITED with retryAfterMs when a proxy in front answers 429 Retry-After', async () => {
    const proxy = createServer((_req, res) => {
      res.writeHead(429, { 'retry-after': '3', 'content-type': 'text/plain' }).end('slow down');
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const throttled = new HttpJimengGateway({
      baseUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    });
    try {
      const error = failure(await throttled.generateImages({ sessionId: 's', site: 'cn' }, { prompt: 'x' }));
      expect(error).toMatchObject({ errorClass: 'RATE_LIMITED', retryAfterMs: 3000, submitted: false });
    } finally {
      await throttled.close();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    }
  });
});

describe('HttpJimengGateway against the simulator: session, credits, claim', () => {
  it('checks a CN session through /token/check', async () => {
    const live = await account();
    const dead = await account({ invalid: true });
    expect(await gateway.checkSession(live)).toEqual({ ok: true, live: true });
    expect(await gateway.checkSession(dead)).toEqual({ ok: true, live: false });
  });

  it('checks an international session through the balance (the server always says live:false)', async () => {
    const session = await account({}, 'jp');
    expect(await gateway.checkSession(session)).toEqual({ ok: true, live: true });
    expect(await gateway.checkSession({ ...session, site: 'us' })).toEqual({ ok: true, live: false });
  });

  it('reads the balance, which a generation lowers by its cost', async () => {
    const session = await account({ credits: 30 });
    expect(await gateway.getCredits(session)).toEqual({
      ok: true,
      credits: { gift: 30, purchase: 0, vip: 0, total: 30 },
    });
    await gateway.generateImages(session, { prompt: 'x', resolution: '4k' });
    const after = await gateway.getCredits(session);
    expect(after.ok && after.credits.total).toBe(26);
    expect(
      failure(await gateway.generateImages({ ...session, site: 'us' }, { prompt: 'x' })).errorClass,
    ).toBe('SESSION_INVALID');
    const wrongSite = await gateway.getCredits({ ...session, site: 'us' });
    expect(!wrongSite.ok && wrongSite.error.errorClass).toBe('SESSION_INVALID');
  });

  it('claims the daily credits when the balance is 0, once', async () => {
    const session = await account({ credits: 20, autoGrant: false });
    const first = await gateway.receiveCredits(session);
    expect(first).toMatchObject({ ok: true, received: true, credits: { total: 20 } });
    const withBalance = await gateway.receiveCredits(session);
    expect(withBalance).toMatchObject({ ok: true, received: false });
    expect(withBalance.ok && withBalance.claimError).toBeUndefined();
  });

  it('reports a refused claim (-4 shark check reject) as ACCOUNT_BANNED', async () => {
    const session = await account({ balance: 0, claimRefused: true });
    const result = await gateway.receiveCredits(session);
    expect(result).toMatchObject({ ok: true, received: false, credits: { total: 0 } });
    expect(result.ok && result.claimError).toMatchObject({ errorClass: 'ACCOUNT_BANNED', upstreamCode: -4 });
  });
});
