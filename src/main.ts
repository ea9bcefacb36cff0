import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config/config';
import { createLogger } from './runtime/logger';
import { startRuntime, type RunningRuntime } from './runtime/start-runtime';
import { startWithRetry } from './runtime/start-with-retry';

/** How long a process that must restart itself waits for a graceful stop. */
const FATAL_STOP_GRACE_MS = 5_000;

/**
 * `node dist/main.js [--role api|worker|projector|relay|all[,…]]`: the embedded profile by default
 * (`npm start`), the production profile with PROFILE=production. `--role` overrides ROLE.
 */
async function main(): Promise<void> {
  const roleFlag = process.argv.indexOf('--role');
  const env = roleFlag >= 0 ? { ...process.env, ROLE: process.argv[roleFlag + 1] ?? '' } : process.env;
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL, { profile: config.PROFILE, role: config.ROLE.join(',') });
  // Set once started; a signal during start-up exits without a runtime to stop.
  const started: { runtime?: RunningRuntime } = {};
  let stopping = false;
  // A stop that does not finish within twice its grace still exits: the stores hold all state.
  const exitAfterStop = (code: number, graceMs = 10_000) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), graceMs * 2).unref();
    (started.runtime ? started.runtime.stop({ graceMs }) : Promise.resolve()).then(
      () => process.exit(code),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(code === 0 ? 1 : code);
      },
    );
  };
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    exitAfterStop(0);
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  started.runtime = await startWithRetry(
    () =>
      startRuntime(config, {
        logger,
        onFatal: (reason) => {
          logger.fatal({ reason }, 'restarting: exiting so the supervisor starts the process again');
          exitAfterStop(1, FATAL_STOP_GRACE_MS);
        },
      }),
    {
      retryForMs: config.PROFILE === 'production' ? config.STARTUP_RETRY_MS : 0,
      isPermanent: (error) => error instanceof ConfigError || stopping,
      onRetry: (error, attempt, delayMs) =>
        logger.warn({ err: error, attempt, delayMs }, 'a server is not reachable yet; starting again'),
    },
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `jimeng-orchestrator failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(error instanceof ConfigError ? 2 : 1);
});
