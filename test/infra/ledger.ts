import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isRunning, stopPid } from './process';

/** A server process recorded on disk so it can be stopped after its starter crashed. */
export interface LedgerEntry {
  name: string;
  pid: number;
  /** Text in the process's command line, so a reused pid is never killed. */
  marker: string;
  /** Temporary directory to remove once the process is gone. */
  dir?: string;
}

export interface LedgerContent {
  /** The process whose exit ends these servers; null for `infra:up`, whose servers live until `infra:down`. */
  ownerPid: number | null;
  env?: Record<string, string>;
  entries: LedgerEntry[];
}

export function infraStateDir(cacheDir: string): string {
  return join(cacheDir, 'infra');
}

/** Ledger of a test run (one file per owning process), swept by the next run if the owner died. */
export function runLedgerFile(cacheDir: string, ownerPid = process.pid): string {
  return join(infraStateDir(cacheDir), `run-${ownerPid}.json`);
}

/** Ledger of the servers started by `npm run infra:up`. */
export function upLedgerFile(cacheDir: string): string {
  return join(infraStateDir(cacheDir), 'state.json');
}

export class ProcessLedger {
  private content: LedgerContent;

  constructor(
    readonly file: string,
    ownerPid: number | null,
  ) {
    this.content = { ownerPid, entries: [] };
  }

  record(entry: LedgerEntry): void {
    this.content.entries = [...this.content.entries.filter((known) => known.name !== entry.name), entry];
    this.save();
  }

  setEnv(env: Record<string, string>): void {
    this.content.env = env;
    this.save();
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, JSON.stringify(this.content, null, 2) + '\n');
  }
}

export function readLedger(file: string): LedgerContent | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LedgerContent;
  } catch {
    return undefined;
  }
}

export function ledgerAlive(content: LedgerContent): boolean {
  return content.entries.some((entry) => isRunning(entry.pid, entry.marker));
}

/** Stops every process of a ledger, removes their directories and the ledger file; returns those it stopped. */
export async function stopLedger(file: string): Promise<LedgerEntry[]> {
  const content = readLedger(file);
  const entries = (content?.entries ?? []).filter((entry) => isRunning(entry.pid, entry.marker));
  await Promise.all(entries.map((entry) => stopPid(entry.pid, entry.marker)));
  for (const entry of content?.entries ?? []) {
    if (entry.dir) rmSync(entry.dir, { recursive: true, force: true });
  }
  rmSync(file, { force: true });
  return entries;
}

/** Stops what earlier test runs left behind when they died before their teardown. */
export async function sweepDeadRuns(cacheDir: string): Promise<LedgerEntry[]> {
  const dir = infraStateDir(cacheDir);
  if (!existsSync(dir)) return [];
  const stale = readdirSync(dir)
    .filter((name) => /^run-\d+\.json$/.test(name))
    .map((name) => join(dir, name))
    .filter((file) => {
      const owner = readLedger(file)?.ownerPid;
      if (owner === process.pid) return false;
      return !owner || !isRunning(owner);
    });
  const stopped = await Promise.all(stale.map((file) => stopLedger(file)));
  return stopped.flat();
}
