import { defaultCacheDir } from './paths';
import { ProcessLedger, runLedgerFile, sweepDeadRuns } from './ledger';
import { describeReports, startTestServers, type TestServers } from './servers';

/** Handed from the global set-up to the global teardown; both run in jest's main process. */
export interface TestServersHandle {
  servers: TestServers;
  ledger: ProcessLedger;
}

export const handleKey = Symbol.for('jimeng-orchestrator.test-servers');

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const swept = await sweepDeadRuns(defaultCacheDir);
  for (const entry of swept) {
    process.stderr.write(`[test-infra] stopped ${entry.name} (pid ${entry.pid}) left by a crashed run\n`);
  }
  const ledger = new ProcessLedger(runLedgerFile(defaultCacheDir), process.pid);
  let servers: TestServers;
  try {
    servers = await startTestServers({ ledger });
  } catch (error) {
    ledger.remove();
    throw error;
  }
  Object.assign(process.env, servers.env);
  (globalThis as Record<symbol, unknown>)[handleKey] = { servers, ledger } satisfies TestServersHandle;
  for (const line of describeReports(servers.reports)) process.stderr.write(`[test-infra] ${line}\n`);
  process.stderr.write(`[test-infra] servers up in ${Date.now() - started} ms\n`);
}
