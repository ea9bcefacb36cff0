import { inflateSync } from 'node:zlib';
import { startSimulator } from '../../../src/simulator';
import type { RunningSimulator } from '../../../src/simulator';
import { SAMPLE_MP4, SAMPLE_PNG, crc32 } from '../../../src/simulator/media';
import { mulberry32, sampleLatencyMs } from '../../../src/simulator/prng';
import { waitFor } from '../../support/wait-for';

// Answers are asserted field by field; a loose type keeps that readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const running: RunningSimulator[] = [];

async function start(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  const sim = await startSimulator(options);
  running.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.stop()));
});

async function post(sim: RunningSimulator, path: string, body: unknown, token?: string): Promise<Json> {
  const response = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200); // every jimeng-api error is HTTP 200 too
  return response.json() as Promise<Json>;
}

const image = (sim: RunningSimulator, token: string, extra: object = {}) =>
  post(sim, '/v1/images/generations', { prompt: 'a cat', ...extra }, token);

const SLOW = { image: { medianMs: 60_000, p95Ms: 60_000 }, video: { medianMs: 60_000, p95Ms: 60_000 } };

describe('simulator limits', () => {
  it('refuses a submit over the concurrency cap with the 4013 risk answer and counts it', async () => {
    const sim = await start({ config: { timeScale: 1 } });
    await sim.control.putSession('capped', { concurrency: 2, latency: SLOW });
    const held = [image(sim, 'capped'), image(sim, 'capped')];
    held.forEach((pending) => pending.catch(() => undefined)); // never answered: stop() ends them
    await waitFor(async () => (await sim.control.stats()).sessions.capped?.inFlight === 2, {
      timeoutMs: 2000,
    });

    const third = await image(sim, 'capped');

    expect(third).toEqual({
      code: -2001,
      message: '[请求失败]: 生成失败，疑似存在异常行为，请重新尝试 (错误码: 4013)',
      data: null,
    });
    const stats = (await sim.control.stats()).sessions.capped;
    expect(stats).toMatchObject({ calls: 3, inFlight: 2, peakConcurrency: 2, capViolations: 1 });
    expect(stats.errorsByCode).toEqual({ '-2001:4013': 1 });
  });

  it('refuses submits over the requests-per-window limit until the window passes', async () => {
    let now = 1_000_000;
    const sim = await start({ config: { timeScale: 0 }, now: () => now });
    await sim.control.putSession('busy', { rpm: 2 });
    expect((await image(sim, 'busy')).data).toHaveLength(4);
    expect((await image(sim, 'busy')).data).toHaveLength(4);
    expect((await image(sim, 'busy')).code).toBe(-2001);
    now += 60_001;
    expect((await image(sim, 'busy')).data).toHaveLength(4);
    expect((await sim.control.stats()).sessions.busy).toMatchObject({ successes: 3, rpmViolations: 1 });
  });

  it('spends daily credits by resolution and restores them on a new day', async () => {
    let now = Date.UTC(2026, 0, 1, 12);
    const sim = await start({ config: { timeScale: 0, costs: { image: { '2k': 3 } } }, now: () => now });
    await sim.control.putSession('daily', { credits: 6 });
    await image(sim, 'daily');
    await image(sim, 'daily');
    const exhausted = await image(sim, 'daily');
    expect(exhausted).toEqual({
      code: -2009,
      message: '积分不足且无法自动收取。请访问即梦官网手动收取首次积分，或检查账户状态。',
      data: null,
    });
    expect((await sim.control.getSession('daily')).balance).toBe(0);

    now += 24 * 3_600_000; // next day (days start at midnight UTC+8)
    expect((await image(sim, 'daily')).data).toHaveLength(4);
    await sim.control.newDay(); // or at once, through the control API
    expect((await sim.control.getSession('daily')).balance).toBe(6);
    expect((await sim.control.stats()).sessions.daily.creditsSpent).toBe(9);
  });

  it('answers 5000 (-2009) when the balance does not cover the cost', async () => {
    const sim = await start({ config: { timeScale: 0 } });
    await sim.control.putSession('poor', { balance: 3 });
    const answer = await image(sim, 'poor', { resolution: '4k' });
    expect(answer.code).toBe(-2009);
    expect(answer.message).toMatch(/^\[积分不足\]: credit prededuct not enough/);
  });

  it('without autoGrant the server claims the day credits on the first generation', async () => {
    const sim = await start({ config: { timeScale: 0 } });
    await sim.control.putSession('claimer', { credits: 10, autoGrant: false });
    expect((await sim.control.getSession('claimer')).balance).toBe(0);
    expect((await image(sim, 'claimer')).data).toHaveLength(4);
    expect((await sim.control.getSession('claimer')).balance).toBe(8);
  });
});

describe('simulator latency', () => {
  it('scales the sampled latency with timeScale', async () => {
    const sim = await start({ config: { timeScale: 0.0004 } });
    await sim.control.putSession('timed', { latency: { video: { medianMs: 180_000, p95Ms: 180_000 } } });
    const started = performance.now();
    const answer = await post(sim, '/v1/videos/generations', { prompt: 'a 3-minute video' }, 'timed');
    const elapsed = performance.now() - started;
    expect(answer.data[0]).toEqual({
      url: expect.stringMatching(/\/files\/.+\.mp4$/),
      revised_prompt: 'a 3-minute video',
    });
    expect(elapsed).toBeGreaterThanOrEqual(65); // 180 s × 0.0004 = 72 ms
    expect(elapsed).toBeLessThan(2000);

    await sim.control.putConfig({ timeScale: 0 });
    const instant = performance.now();
    await post(sim, '/v1/videos/generations', { prompt: 'again' }, 'timed');
    expect(performance.now() - instant).toBeLessThan(60);
  });

  it('samples a lognormal with the configured median and p95', () => {
    const random = mulberry32(7);
    const draws = Array.from({ length: 4000 }, () =>
      sampleLatencyMs({ medianMs: 1000, p95Ms: 4000 }, random),
    ).sort((a, b) => a - b);
    expect(draws[2000]).toBeGreaterThan(900);
    expect(draws[2000]).toBeLessThan(1100);
    expect(draws[3800]).toBeGreaterThan(3400);
    expect(draws[3800]).toBeLessThan(4600);
  });

  it('is deterministic for a seed', async () => {
    const urls = async (seed: number) => {
      const sim = await start({ config: { timeScale: 0, seed } });
      const answer = await image(sim, 'seeded');
      return answer.data.map((item: { url: string }) => new URL(item.url).pathname);
    };
    const first = await urls(5);
    expect(await urls(5)).toEqual(first);
    expect(await urls(6)).not.toEqual(first);
  });
});

describe('simulator protocol details', () => {
  it('answers like jimeng-api for the sites, bans, content and failures', async () => {
    const sim = await start({ config: { timeScale: 0 } });
    await sim.control.putSession('asia', { sites: ['hk', 'jp'] });
    await sim.control.putSession('banned', { banned: true });
    await sim.control.putSession('flaky', { failureRate: 1 });

    expect((await image(sim, 'jp-asia')).data).toHaveLength(4);
    expect((await image(sim, 'socks5://127.0.0.1:1080@HK-asia')).data).toHaveLength(4);
    expect((await image(sim, 'asia')).code).toBe(-2002);
    expect((await image(sim, 'hk-asia', { model: 'jimeng-3.1' })).message).toMatch(
      /^国际版不支持模型 "jimeng-3.1"/,
    );
    expect((await image(sim, 'banned')).message).toBe(
      '[请求失败]: account punish limit ai generate (错误码: 1018)',
    );
    expect((await image(sim, 'x', { prompt: 'FORBIDDEN art' })).message).toBe(
      '图像生成失败，状态码: 30，错误码: 2038',
    );
    expect((await image(sim, 'flaky')).code).toBe(-2007);
    expect((await image(sim, 'x', { size: '1024x1024' })).code).toBe(-1000);
    expect((await post(sim, '/v1/images/generations', { prompt: 'no token' })).message).toBe(
      'Params headers.authorization invalid',
    );
    expect((await post(sim, '/v1/videos/generations', { prompt: 'x', duration: 7 }, 'x')).message).toBe(
      '3.5-pro 模型仅支持 5、10、12 秒时长，当前值: 7',
    );
    const stats = await sim.control.stats();
    expect(stats.sessions.asia.errorsByCode).toEqual({ '-2002': 1, '-1000': 1 });
    expect(stats.sessions.banned.errorsByCode).toEqual({ '-2001:1018': 1 });
    // Route checks (size, duration) come before the token is read, as in jimeng-api: no session to count.
    expect(stats.sessions.x.errorsByCode).toEqual({ '-2007:2038': 1 });
  });

  it('serves token check, points (one bad token fails all), receive, models and ping', async () => {
    const sim = await start({ config: { timeScale: 0 } });
    await sim.control.putSession('gone', { invalid: true });
    await sim.control.putSession('intl', { sites: ['us'] });
    expect(await post(sim, '/token/check', { token: 'fine' })).toEqual({ live: true });
    expect(await post(sim, '/token/check', { token: 'gone' })).toEqual({ live: false });
    expect(await post(sim, '/token/check', { token: 'us-intl' })).toEqual({ live: false }); // issue #78 quirk
    expect(await post(sim, '/token/points', {}, 'fine,us-intl')).toEqual([
      { token: 'fine', points: { giftCredit: 66, purchaseCredit: 0, vipCredit: 0, totalCredit: 66 } },
      { token: 'us-intl', points: { giftCredit: 66, purchaseCredit: 0, vipCredit: 0, totalCredit: 66 } },
    ]);
    expect((await post(sim, '/token/points', {}, 'fine,gone')).code).toBe(-2002);
    expect(await post(sim, '/token/receive', {}, 'fine')).toEqual([
      {
        token: 'fine',
        credits: { giftCredit: 66, purchaseCredit: 0, vipCredit: 0, totalCredit: 66 },
        received: false,
      },
    ]);
    expect(await (await fetch(`${sim.url}/ping`)).text()).toBe('pong');
    const models: Json = await (await fetch(`${sim.url}/v1/models`)).json();
    expect(models.data[0]).toEqual({ id: 'jimeng', object: 'model', owned_by: 'jimeng-free-api' });
    expect((await post(sim, '/v1/nowhere', {})).code).toBe(-1000);
  });

  it('serves a valid PNG and a minimal MP4', async () => {
    const sim = await start();
    const png = Buffer.from(await (await fetch(`${sim.url}/files/a-1.png`)).arrayBuffer());
    expect(png.equals(SAMPLE_PNG)).toBe(true);
    // Walk the chunks: every CRC matches and the pixels inflate to 16 rows of 1 + 16×3 bytes.
    let offset = 8;
    const types: string[] = [];
    while (offset < png.length) {
      const length = png.readUInt32BE(offset);
      const typed = png.subarray(offset + 4, offset + 8 + length);
      expect(png.readUInt32BE(offset + 8 + length)).toBe(crc32(typed));
      types.push(typed.subarray(0, 4).toString('ascii'));
      if (types.at(-1) === 'IDAT') expect(inflateSync(typed.subarray(4)).length).toBe(16 * 49);
      offset += 12 + length;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);

    const mp4 = Buffer.from(await (await fetch(`${sim.url}/files/b-2.mp4`)).arrayBuffer());
    expect(mp4.equals(SAMPLE_MP4)).toBe(true);
    const boxes: string[] = [];
    for (let at = 0; at < mp4.length; at += mp4.readUInt32BE(at))
      boxes.push(mp4.subarray(at + 4, at + 8).toString());
    expect(boxes).toEqual(['ftyp', 'moov', 'mdat']);
    expect((await fetch(`${sim.url}/files/..%2Fsecret`)).status).toBe(404);
  });
});

describe('simulator control API over HTTP', () => {
  const call = (sim: RunningSimulator, method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}/__sim${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('configures sessions and defaults, reports stats and resets', async () => {
    const sim = await start({ config: { timeScale: 0 } });
    const put = await call(sim, 'PUT', '/sessions/acc1', { sites: ['sg'], credits: 10 });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ sessionId: 'acc1', configured: true, balance: 10 });
    expect((await image(sim, 'sg-acc1')).data).toHaveLength(4);

    expect(
      (await call(sim, 'PUT', '/config', { defaultBehaviour: { banned: true }, contentWords: ['nope'] }))
        .status,
    ).toBe(200);
    expect((await image(sim, 'stranger')).code).toBe(-2001);

    expect((await call(sim, 'DELETE', '/sessions/acc1')).status).toBe(204);
    expect((await image(sim, 'sg-acc1')).code).toBe(-2002); // back to the default: cn only

    const stats: Json = await (await call(sim, 'GET', '/stats')).json();
    expect(stats.sessions.acc1).toMatchObject({ calls: 2, successes: 1 });
    expect(stats.totals).toMatchObject({ calls: 3, successes: 1, errors: 2 });

    expect((await call(sim, 'POST', '/reset')).status).toBe(204);
    const afterReset: Json = await (await call(sim, 'GET', '/stats')).json();
    expect(afterReset.sessions).toEqual({});
    expect((await image(sim, 'stranger')).data).toHaveLength(4);
  });

  it('validates control bodies', async () => {
    const sim = await start();
    const typo = await call(sim, 'PUT', '/sessions/x', { bannned: true });
    expect(typo.status).toBe(400);
    const refused: Json = await typo.json();
    expect(refused.issues[0].code).toBe('unrecognized_keys');
    expect((await call(sim, 'PUT', '/config', { timeScale: -1 })).status).toBe(400);
    expect((await call(sim, 'PUT', '/sessions/x', { failureRate: 2 })).status).toBe(400);
    expect((await call(sim, 'GET', '/nothing')).status).toBe(404);
    await expect(sim.control.putSession('x', { sites: [] })).rejects.toThrow();
  });
});
