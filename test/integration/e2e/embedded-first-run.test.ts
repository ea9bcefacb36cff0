import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApiClient } from './support/api-client';
import { pickPorts, startChildRuntime, type ChildRuntime } from './support/child-runtime';
import { embeddedEnv, tempDataDir, type TempDir } from './support/embedded-env';
import { waitFor } from '../../support/wait-for';

/**
 * `npm start` for the first time: no API_KEYS, no JIMENG_BASE_URL. The runtime makes an admin key,
 * keeps it in DATA_DIR readable by its owner only, tells it once on the terminal (never in the
 * JSON log), and the key opens the API. The next start reuses the key without telling it again.
 */
const ANNOUNCEMENT = /Generated an admin API key \(stored in (.+); shown only now\):\n\n {4}(\S+)\n/;

describe('first run of the embedded runtime without API_KEYS', () => {
  let dataDir: TempDir | undefined;
  const children: ChildRuntime[] = [];

  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL');
    dataDir?.remove();
  });

  it('generates an admin key once, stores it with mode 0600, and the key opens the API', async () => {
    const dir = tempDataDir('first-run');
    dataDir = dir;
    const { port, simulatorPort } = await pickPorts();
    const env = embeddedEnv(dir.path, {
      API_KEYS: undefined,
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
      LOG_LEVEL: 'info',
    });

    // Given a first start on an empty data directory
    const first = await startChildRuntime(env);
    children.push(first);

    // Then the key is announced on stderr, naming the file it is kept in
    // (stderr and the HTTP answer travel separately: wait for the text rather than assume it came first)
    const [, file, key] = await waitFor(() => ANNOUNCEMENT.exec(first.stderr()), {
      timeoutMs: 5_000,
      message: 'the key announcement on stderr',
    });
    expect(file).toBe(join(dir.path, 'api-keys'));
    expect(key).toMatch(/^jo_admin_[A-Za-z0-9_-]{32}$/);
    // The file holds it as an admin key, readable by the owner only; so do the other secrets.
    expect(readFileSync(file!, 'utf8').trim()).toBe(`${key}:admin`);
    for (const secret of ['api-keys', 'secret-keys', 'callback-secret']) {
      expect({ secret, mode: statSync(join(dir.path, secret)).mode & 0o777 }).toEqual({
        secret,
        mode: 0o600,
      });
    }
    // The JSON log never carries it.
    expect(first.stdout()).toContain('jimeng-orchestrator is up');
    expect(first.stdout()).not.toContain(key);

    // And the key opens the admin API; no key or another key does not
    const admin = new ApiClient(first.baseUrl, key!);
    const accounts = await admin.get<{ list: unknown[]; total: number }>('/api/v1/accounts');
    expect(accounts.status).toBe(200);
    expect(accounts.body.data).toMatchObject({ list: [], total: 0 });
    expect((await fetch(`${first.baseUrl}/api/v1/accounts`)).status).toBe(401);
    expect((await admin.withKey(`${key}x`).get('/api/v1/accounts')).status).toBe(401);

    // When it stops (SIGTERM) and starts again on the same directory
    expect(await first.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    const second = await startChildRuntime(env);
    children.push(second);

    // Then nothing is announced, the file is unchanged and the same key still works
    expect(second.stderr()).not.toMatch(/Generated an admin API key/);
    expect(readFileSync(file!, 'utf8').trim()).toBe(`${key}:admin`);
    expect((await new ApiClient(second.baseUrl, key!).get('/api/v1/accounts')).status).toBe(200);
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
