// Runs the EventStoreDB protocol test server in its own process, for `npm run infra:up`, whose servers
// must outlive the command. Usage: node --import tsx test/infra/esdb-daemon.ts <dir>; writes <dir>/url.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEsdbTestServer } from './esdb/server';

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: esdb-daemon.ts <dir>');
  const server = await startEsdbTestServer({ host: '127.0.0.1' });
  const shutdown = () => {
    void server.stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  writeFileSync(join(dir, 'url'), server.url);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
