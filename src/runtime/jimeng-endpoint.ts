import type { Logger } from 'pino';
import type { Config } from '../config/config';
import { startSimulator } from '../simulator';
import type { Lifecycle } from '../container/lifecycle';

/**
 * The jimeng-api server to call: JIMENG_BASE_URL, or the built-in simulator when it is unset (so a
 * bare `npm start` runs the whole pipeline). The simulator is loud about itself in the log, since
 * its images are placeholders.
 */
export async function resolveJimengEndpoint(
  config: Config,
  lifecycle: Lifecycle,
  logger: Logger,
): Promise<string> {
  if (config.JIMENG_BASE_URL) return config.JIMENG_BASE_URL;
  const simulator = await startSimulator({
    port: config.SIMULATOR_PORT,
    host: '127.0.0.1',
    // The built-in simulator cannot know which site an account was registered on, so unknown
    // sessions are valid everywhere; tests and demos narrow it through the control API.
    config: {
      timeScale: config.SIMULATOR_TIME_SCALE,
      defaultBehaviour: { sites: ['cn', 'us', 'hk', 'jp', 'sg'], credits: 1000 },
    },
  });
  lifecycle.onClose('jimeng simulator', () => simulator.stop());
  logger.warn(
    { simulatorUrl: simulator.url, timeScale: config.SIMULATOR_TIME_SCALE },
    'JIMENG_BASE_URL is not set: using the built-in Jimeng simulator (placeholder images); set JIMENG_BASE_URL to a jimeng-api server for real generations',
  );
  return simulator.url;
}
