import { handleKey, type TestServersHandle } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const handle = (globalThis as Record<symbol, unknown>)[handleKey] as TestServersHandle | undefined;
  if (!handle) return;
  delete (globalThis as Record<symbol, unknown>)[handleKey];
  const started = Date.now();
  await handle.servers.stop();
  handle.ledger.remove();
  process.stderr.write(`[test-infra] servers stopped in ${Date.now() - started} ms\n`);
}
