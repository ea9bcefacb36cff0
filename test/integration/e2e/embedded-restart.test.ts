import { ApiClient } from './support/api-client';
import { tempDataDir, embeddedEnv, TEST_KEYS, type TempDir } from './support/embedded-env';
import { startEmbeddedRuntime, type EmbeddedRuntime } from './support/embedded-runtime';
import { pickPorts, startChildRuntime, type ChildRuntime } from './support/child-runtime';
import {
  abandonmentReasons,
  accountUsage,
  configureRestartSessions,
  countCompleted,
  expectEveryStoryboardCompletedOnce,
  registerRestartPool,
  RESTART_CAP,
  restartStoryboards,
  submitRestartBatch,
} from './support/restart-scenario';
import { SimulatorControlClient } from './support/simulator-control';
import { waitFor } from '../../support/wait-for';

/**
 * The embedded runtime stopped in the middle of a run and started again on the same DATA_DIR:
 * nothing accepted is lost and nothing completes twice. Images take ~0.2 s and videos ~1 s here
 * (time scale 0.005), so with 12 slots many attempts are running when the runtime goes down.
 */
const RUN_ENV = {
  SIMULATOR_TIME_SCALE: '0.005',
  LEASE_TTL_MS: '2000',
  // A graceful stop logs every job it hands back to the bus at warn, with a stack: too loud here.
  LOG_LEVEL: 'error',
};

/** Stop once a quarter of the storyboards are done (and most are still queued or running). */
const STOP_AFTER_COMPLETIONS = 25;

describe('embedded runtime restarted after a graceful stop', () => {
  let dataDir: TempDir | undefined;
  beforeAll(() => {
    dataDir = tempDataDir('restart-graceful');
  });
  const batch = {
    projectId: 'e2e-restart',
    projectName: 'Restart',
    workId: 'work-graceful',
    createBy: 'e2e.restart',
  };
  const storyboards = restartStoryboards('graceful');
  let first: EmbeddedRuntime | undefined;
  let second: EmbeddedRuntime | undefined;

  afterAll(async () => {
    await first?.stop({ graceMs: 0 });
    await second?.stop({ graceMs: 0 });
    dataDir?.remove();
  });

  it('completes every storyboard exactly once, the interrupted ones after the restart', async () => {
    // Given 100 storyboards running on a pool of 6 accounts × 2 slots
    first = await startEmbeddedRuntime(dataDir!.path, RUN_ENV);
    await configureRestartSessions(first.simulator);
    await registerRestartPool(first.admin);
    const recordIds = await submitRestartBatch(first.service, batch, storyboards);
    await waitFor(async () => (await countCompleted(first!.viewer, batch)) >= STOP_AFTER_COMPLETIONS, {
      timeoutMs: 20_000,
      message: `${STOP_AFTER_COMPLETIONS} completions before the stop`,
    });

    // When the runtime stops gracefully with a short grace, mid-run
    const started = Date.now();
    await first.stop({ graceMs: 50 });
    const stopMs = Date.now() - started;
    first = undefined;

    // and starts again on the same data directory
    second = await startEmbeddedRuntime(dataDir!.path, RUN_ENV);
    await configureRestartSessions(second.simulator);
    const doneBeforeRestart = await countCompleted(second.viewer, batch);
    expect(doneBeforeRestart).toBeLessThan(storyboards.length);

    // Then every storyboard completes exactly once
    const { streams } = await expectEveryStoryboardCompletedOnce(
      second.viewer,
      batch,
      storyboards,
      recordIds,
      40_000,
    );
    // The attempts cut by the shutdown were handed back, not left to the reaper.
    const reasons = abandonmentReasons(streams);
    expect(reasons['shutdown'] ?? 0).toBeGreaterThan(0);
    expect(reasons['lease_expired'] ?? 0).toBe(0);
    // Usage counts on the accounts equal the completions.
    const usage = await accountUsage(second.admin);
    expect(usage.images + usage.videos).toBe(storyboards.length);
    // The new simulator saw no cap exceeded either.
    const stats = await second.simulator.stats();
    expect(stats.totals.capViolations).toBe(0);
    for (const session of Object.values(stats.sessions)) {
      expect(session.peakConcurrency).toBeLessThanOrEqual(RESTART_CAP);
    }
    process.stderr.write(
      `[e2e] graceful: stopped in ${stopMs} ms with ${doneBeforeRestart} done; abandoned ${JSON.stringify(reasons)}\n`,
    );
  });
});

describe('embedded runtime restarted after SIGKILL (child process)', () => {
  let dataDir: TempDir | undefined;
  beforeAll(() => {
    dataDir = tempDataDir('restart-kill');
  });
  const batch = {
    projectId: 'e2e-restart',
    projectName: 'Restart',
    workId: 'work-kill',
    createBy: 'e2e.restart',
  };
  const storyboards = restartStoryboards('killed');
  const children: ChildRuntime[] = [];

  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL');
    dataDir?.remove();
  });

  it('re-queues the attempts the dead process held and completes every storyboard once', async () => {
    // Given the runtime as `npm start` runs it, on fixed ports (the simulator comes back on its port)
    const { port, simulatorPort } = await pickPorts();
    const env = embeddedEnv(dataDir!.path, {
      ...RUN_ENV,
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
    });
    const first = await startChildRuntime(env);
    children.push(first);
    const api = (key: string) => new ApiClient(first.baseUrl, key);
    const [admin, service, viewer] = [api(TEST_KEYS.admin), api(TEST_KEYS.service), api(TEST_KEYS.viewer)];
    await configureRestartSessions(new SimulatorControlClient(first.simulatorUrl));
    await registerRestartPool(admin);
    const recordIds = await submitRestartBatch(service, batch, storyboards);
    await waitFor(async () => (await countCompleted(viewer, batch)) >= STOP_AFTER_COMPLETIONS, {
      timeoutMs: 20_000,
      message: `${STOP_AFTER_COMPLETIONS} completions before the kill`,
    });

    // When the process is killed outright, mid-run
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    // and started again on the same data directory and ports
    const started = Date.now();
    const second = await startChildRuntime(env);
    children.push(second);
    await configureRestartSessions(new SimulatorControlClient(second.simulatorUrl));
    const doneBeforeRestart = await countCompleted(viewer, batch);
    expect(doneBeforeRestart).toBeLessThan(storyboards.length);

    // Then every storyboard completes exactly once
    const { streams } = await expectEveryStoryboardCompletedOnce(
      viewer,
      batch,
      storyboards,
      recordIds,
      45_000,
    );
    const recoveredMs = Date.now() - started;
    // The attempts the dead process was running came back through the reaper (lease expired).
    const reasons = abandonmentReasons(streams);
    expect(reasons['lease_expired'] ?? 0).toBeGreaterThan(0);
    const usage = await accountUsage(admin);
    expect(usage.images + usage.videos).toBe(storyboards.length);
    const stats = await new SimulatorControlClient(second.simulatorUrl).stats();
    expect(stats.totals.capViolations).toBe(0);

    // And the restarted process shuts down cleanly on SIGTERM
    expect(await second.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    process.stderr.write(
      `[e2e] SIGKILL: ${doneBeforeRestart} done at the kill; all done ${recoveredMs} ms after the restart began; abandoned ${JSON.stringify(reasons)}\n`,
    );
  });
});
