// Child process: one Jimeng simulator, so its CPU is not the orchestrator's (a real upstream is remote).
import { startSimulator } from '../../src/simulator';
import type { SimulatorConfigPatch } from '../../src/simulator';
import { serveParent } from './child';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as SimulatorConfigPatch;
  const simulator = await startSimulator({ port: 0, host: '127.0.0.1', config });
  serveParent({ stop: async () => simulator.stop() });
  process.send?.({ type: 'ready', url: simulator.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
