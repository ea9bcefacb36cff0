import { loadConfig } from '../../../../src/config/config';
import { startRuntime, type RunningRuntime } from '../../../../src/runtime/start-runtime';
import { ApiClient } from './api-client';
import { embeddedEnv, TEST_KEYS } from './embedded-env';
import { SimulatorControlClient } from './simulator-control';

export interface EmbeddedRuntime {
  runtime: RunningRuntime;
  baseUrl: string;
  /** Clients with the test key of each role. */
  admin: ApiClient;
  service: ApiClient;
  viewer: ApiClient;
  simulator: SimulatorControlClient;
  stop(options?: { graceMs?: number }): Promise<void>;
}

/**
 * Starts the whole embedded runtime in this process (every role, the built-in simulator) on
 * `dataDir`, with the test keys. The caller stops it (and removes `dataDir`).
 */
export async function startEmbeddedRuntime(
  dataDir: string,
  overrides: Record<string, string | undefined> = {},
  options: { announceApiKey?: (key: string, file: string) => void } = {},
): Promise<EmbeddedRuntime> {
  const config = loadConfig(embeddedEnv(dataDir, overrides));
  const runtime = await startRuntime(
    config,
    options.announceApiKey ? { announceApiKey: options.announceApiKey } : {},
  );
  const baseUrl = `http://127.0.0.1:${runtime.port}`;
  return {
    runtime,
    baseUrl,
    admin: new ApiClient(baseUrl, TEST_KEYS.admin),
    service: new ApiClient(baseUrl, TEST_KEYS.service),
    viewer: new ApiClient(baseUrl, TEST_KEYS.viewer),
    simulator: new SimulatorControlClient(runtime.jimengBaseUrl),
    stop: (stopOptions) => runtime.stop(stopOptions),
  };
}
