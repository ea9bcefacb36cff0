import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/config';
import { startRuntime } from './runtime/start-runtime';

/**
 * `node dist/main.js [--role api|worker|projector|relay|all[,…]]`: the embedded profile by default
 * (`npm start`), the production profile with PROFILE=production. `--role` overrides ROLE.
 */
async function main(): Promise<void> {
  const roleFlag = process.argv.indexOf('--role');
  const env = roleFlag >= 0 ? { ...process.env, ROLE: process.argv[roleFlag + 1] ?? '' } : process.env;
  let config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const runtime = await startRuntime(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runtime.logger.info({ signal }, 'shutting down');
    runtime.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        runtime.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `jimeng-orchestrator failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
