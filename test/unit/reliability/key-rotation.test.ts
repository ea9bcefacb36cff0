import { randomBytes } from 'node:crypto';
import {
  generateImages,
  LogBuffer,
  RUNTIME_KEYS,
  startTestRuntime,
  tempDataDir,
  type TestRuntime,
} from './support/runtime';

const keyA = `ka:${randomBytes(32).toString('base64')}`;
const keyB = `kb:${randomBytes(32).toString('base64')}`;
const SESSIONS = ['rotA0123456789abcdef0123456789ab', 'hk-rotB0123456789abcdef0123456789ab'];

interface SimulatorStats {
  sessions: Record<string, { successes: number }>;
}

describe('SECRET_KEYS rotation: new key first, reseal, drop the old key', () => {
  const dataDir = tempDataDir();
  let rt: TestRuntime | undefined;
  const start = async (secretKeys: string) => {
    rt = await startTestRuntime(dataDir.path, new LogBuffer(), {
      SECRET_KEYS: secretKeys,
      LOG_LEVEL: 'warn',
    });
    return rt;
  };
  afterEach(async () => {
    await rt?.stop();
    rt = undefined;
  });
  afterAll(() => dataDir.remove());

  it('registers accounts with key A', async () => {
    const a = await start(keyA);
    const created = await a.call('POST', '/api/v1/accounts', RUNTIME_KEYS.admin, {
      createBy: 'ops',
      accounts: SESSIONS.map((sessionId, i) => ({ jimengAccount: `rot-${i}`, sessionId })),
    });
    expect(created.body.data.accepted).toBe(2);
  });

  it('re-seals them with B after a restart with "B,A"', async () => {
    const ba = await start(`${keyB},${keyA}`);

    const first = await ba.call('POST', '/api/v1/accounts/reseal', RUNTIME_KEYS.admin, {});
    const again = await ba.call('POST', '/api/v1/accounts/reseal', RUNTIME_KEYS.admin, {});

    expect(first.body.data).toEqual({ resealed: 2, alreadyCurrent: 0, failed: 0, failures: [] });
    expect(again.body.data).toMatchObject({ resealed: 0, alreadyCurrent: 2 });
  });

  it('still opens every session with B alone: generations complete on each account', async () => {
    const b = await start(keyB);

    const { statuses } = await generateImages(b, 'p-rotation', [
      'sb-1',
      'sb-2',
      'sb-3',
      'sb-4',
      'sb-5',
      'sb-6',
    ]);

    expect(statuses.every((status) => status === 2)).toBe(true);
    const stats = (await (await fetch(`${b.runtime.jimengBaseUrl}/__sim/stats`)).json()) as SimulatorStats;
    for (const session of SESSIONS) {
      const bare = session.replace(/^hk-/, '');
      const used = Object.entries(stats.sessions).filter(([key]) => key.includes(bare));
      expect([session, used.reduce((sum, [, s]) => sum + s.successes, 0) > 0]).toEqual([session, true]);
    }
  }, 30_000);
});
