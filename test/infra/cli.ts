// `npm run infra:up` starts the test servers in the background and prints `export …` lines for `eval`;
// `npm run infra:down` stops them. Usage: eval "$(npm run -s infra:up)"
import { join } from 'node:path';
import { defaultCacheDir } from './paths';
import {
  infraStateDir,
  ledgerAlive,
  ProcessLedger,
  readLedger,
  stopLedger,
  sweepDeadRuns,
  upLedgerFile,
} from './ledger';
import { describeReports, startTestServers } from './servers';

const say = (line: string) => process.stderr.write(`[test-infra] ${line}\n`);

function printEnv(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) {
    process.stdout.write(`export ${name}='${value.replace(/'/g, `'\\''`)}'\n`);
  }
}

async function up(cacheDir: string): Promise<void> {
  const stateFile = upLedgerFile(cacheDir);
  const existing = readLedger(stateFile);
  if (existing?.env && ledgerAlive(existing)) {
    say(`already up (${stateFile}); \`npm run infra:down\` stops them`);
    printEnv(existing.env);
    return;
  }
  if (existing) await stopLedger(stateFile);

  const ledger = new ProcessLedger(stateFile, null);
  try {
    const servers = await startTestServers({
      detached: true,
      ledger,
      workDir: join(infraStateDir(cacheDir), 'servers'),
      cacheDir,
    });
    ledger.setEnv({ ...servers.env });
    for (const line of describeReports(servers.reports)) say(line);
    say(`state in ${stateFile}; \`npm run infra:down\` stops them`);
    printEnv({ ...servers.env });
  } catch (error) {
    await stopLedger(stateFile);
    throw error;
  }
}

async function down(cacheDir: string): Promise<void> {
  const stopped = [...(await stopLedger(upLedgerFile(cacheDir))), ...(await sweepDeadRuns(cacheDir))];
  for (const entry of stopped) say(`stopped ${entry.name} (pid ${entry.pid})`);
  if (stopped.length === 0) say('nothing was running');
}

async function main(command: string | undefined): Promise<void> {
  const cacheDir = defaultCacheDir;
  if (command === 'up') return up(cacheDir);
  if (command === 'down') return down(cacheDir);
  throw new Error('usage: tsx test/infra/cli.ts up|down');
}

main(process.argv[2]).then(
  // Exit even if a client library keeps a handle open; the servers are detached.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
