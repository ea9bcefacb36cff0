// `npm run simulator -- --port 5100 [--host 127.0.0.1] [--time-scale 0.01] [--seed 7]`
import { parseArgs } from 'node:util';
import { startSimulator } from './server';

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} must be a number, got ${value}`);
  return parsed;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'time-scale': { type: 'string' },
      seed: { type: 'string' },
    },
  });
  const timeScale = numberOption('time-scale', values['time-scale']);
  const seed = numberOption('seed', values.seed);
  const running = await startSimulator({
    port: numberOption('port', values.port) ?? 5100,
    host: values.host ?? '127.0.0.1',
    config: { ...(timeScale !== undefined ? { timeScale } : {}), ...(seed !== undefined ? { seed } : {}) },
  });
  console.log(JSON.stringify({ msg: 'jimeng simulator listening', url: running.url, timeScale, seed }));
  const shutdown = () => {
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
