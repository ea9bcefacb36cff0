// `npm run bench` (full) / `npm run bench -- --quick` (embedded only, under a minute).
// Options: --production (start local Kafka/FerretDB/ESDB servers for the production profile),
// --production-only (skip the embedded profile), --only=intake,pool (only these scenarios; updates them in an existing latest.json of the same mode), --cpu-profile (V8 profiles of the runtime in bench/results/profiles).
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { GOALS, valueAt, verdict } from './goals';
import { spawnTs } from './support/child';
import type { Mode } from './support/scenario';

const SCENARIOS = ['intake', 'overhead', 'pool', 'read', 'projection', 'memory'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** What the production profile runs (it needs the local servers, so only the write paths). */
const PRODUCTION_SCENARIOS: readonly Scenario[] = ['intake', 'overhead'];

const RESULTS_DIR = join(__dirname, 'results');

interface Outcome {
  result?: Record<string, unknown>;
  error?: string;
  seconds: number;
}

async function runOne(
  scenario: Scenario,
  mode: Mode,
  profile: 'embedded' | 'production',
  timeoutMs: number,
  cpuProfileDir: string | undefined,
): Promise<Outcome> {
  const out = join(RESULTS_DIR, `${scenario}-${profile}.tmp`);
  rmSync(out, { force: true });
  const started = Date.now();
  // Other work on the machine skews every number: the load average says how much there was.
  const loadAverage1m = Math.round(loadavg()[0]! * 100) / 100;
  process.stderr.write(`[bench] ${scenario} (${profile}, ${mode}) …\n`);
  const child = spawnTs(join(__dirname, 'scenarios', `${scenario}.ts`), {
    env: {
      BENCH_MODE: mode,
      BENCH_PROFILE: profile,
      BENCH_OUT: out,
      LOG_LEVEL: 'silent',
      ...(cpuProfileDir ? { BENCH_CPU_PROFILE_DIR: join(cpuProfileDir, `${scenario}-${profile}`) } : {}),
    },
    stdout: 'inherit',
  });
  const timer = setTimeout(() => child.kill(), timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  if (code !== 0 || !existsSync(out)) {
    return { error: code === null ? `killed after ${timeoutMs} ms` : `exited with code ${code}`, seconds };
  }
  const result = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  rmSync(out, { force: true });
  process.stderr.write(`[bench] ${scenario} (${profile}) done in ${seconds} s\n`);
  return { result: { ...result, seconds, loadAverage1m }, seconds };
}

/** The results file of an earlier run of the same mode, which `--only` updates in place. */
function readPrevious(mode: Mode): Record<string, unknown> | undefined {
  try {
    const file = join(RESULTS_DIR, 'latest.json');
    const previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const meta = previous.meta as Record<string, unknown> | undefined;
    if (meta?.mode !== mode) return undefined;
    const { goals: _goals, ...rest } = previous;
    // One level of history, not a chain.
    const { earlierRun: _earlier, updatedScenarios: _updated, ...earlierMeta } = meta;
    return { ...rest, meta: earlierMeta };
  } catch {
    return undefined;
  }
}

function gitCommit(): string | null {
  try {
    const commit = execSync('git rev-parse HEAD', {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${commit}+dirty` : commit;
  } catch {
    return null;
  }
}

function format(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  if (value === undefined || value === null) return '–';
  return String(value);
}

function printTable(results: Record<string, unknown>): void {
  const rows: string[][] = [['key', 'value', 'goal', 'verdict']];
  const goalOf = new Map(GOALS.map((g) => [g.key, g]));
  const keys = [
    'intake.storyboardsPerSec',
    'intake.p50Ms',
    'intake.p99Ms',
    'overhead.p50Ms',
    'overhead.p99Ms',
    'overhead.storyboardsPerSec',
    'pool.makespanMs',
    'pool.idealMs',
    'pool.makespanOverIdeal',
    'pool.baselineMakespanMs',
    'pool.baselineOverOurs',
    'pool.capViolations',
    'pool.baseline.capViolations',
    'pool.lost',
    'pool.duplicated',
    'read.records',
    'read.p50Ms',
    'read.p99Ms',
    'read.storeP99Ms',
    'projection.sustainedEventsPerSec',
    'projection.p99LagMs',
    'projection.maxEventsPerSec',
    'memory.jobs',
    'memory.peakRssMb',
    'production.intake.storyboardsPerSec',
    'production.intake.p99Ms',
    'production.overhead.p50Ms',
    'production.overhead.p99Ms',
    'production.overhead.storyboardsPerSec',
  ];
  for (const key of keys) {
    const value = valueAt(results, key);
    const goal = goalOf.get(key);
    rows.push([
      key,
      format(value),
      goal ? `${goal.kind === 'max' ? '<=' : '>='} ${goal.limit}` : '',
      goal ? verdict(goal, value) : '',
    ]);
  }
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const [index, row] of rows.entries()) {
    console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
    if (index === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      production: { type: 'boolean', default: false },
      only: { type: 'string' },
      'cpu-profile': { type: 'boolean', default: false },
      'production-only': { type: 'boolean', default: false },
    },
  });
  const mode: Mode = values.quick ? 'quick' : 'full';
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((s) => !(SCENARIOS as readonly string[]).includes(s)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown scenarios: ${unknown.join(', ')}`);
  const selected = SCENARIOS.filter((s) => only === undefined || only.includes(s));
  const cpuProfileDir = values['cpu-profile'] ? join(RESULTS_DIR, 'profiles') : undefined;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const started = Date.now();
  const timeoutMs = mode === 'quick' ? 45_000 : 15 * 60_000;

  const previous = only ? readPrevious(mode) : undefined;
  const results: Record<string, unknown> = {
    ...previous,
    meta: {
      mode,
      date: new Date().toISOString(),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 1024 ** 3),
      gitCommit: gitCommit(),
      ...(previous ? { updatedScenarios: selected, earlierRun: previous.meta } : {}),
    },
  };
  const failures: string[] = [];
  for (const scenario of values['production-only'] ? [] : selected) {
    const outcome = await runOne(scenario, mode, 'embedded', timeoutMs, cpuProfileDir);
    results[scenario] = outcome.result ?? { profile: 'embedded', error: outcome.error };
    if (outcome.error) failures.push(`${scenario} (embedded): ${outcome.error}`);
  }

  const production = await runProduction(
    mode,
    values.production ?? false,
    selected,
    timeoutMs,
    cpuProfileDir,
    failures,
  );
  // A partial run keeps the production results it did not redo.
  const earlier = previous?.production as Record<string, unknown> | undefined;
  const earlierMeasured = earlier !== undefined && !('skipped' in earlier) ? earlier : undefined;
  results.production =
    'skipped' in production && earlierMeasured ? earlierMeasured : { ...earlierMeasured, ...production };
  (results.meta as Record<string, unknown>).durationSec = Math.round((Date.now() - started) / 1000);
  results.goals = GOALS.map((goal) => ({
    key: goal.key,
    goal: `${goal.kind === 'max' ? '<=' : '>='} ${goal.limit}`,
    value: valueAt(results, goal.key) ?? null,
    verdict: verdict(goal, valueAt(results, goal.key)),
  }));

  writeFileSync(join(RESULTS_DIR, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  printTable(results);
  console.log(`\nwritten to bench/results/latest.json in ${Math.round((Date.now() - started) / 1000)} s`);
  if (failures.length > 0) {
    console.error(`\nfailed scenarios:\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  }
}

/**
 * The production profile, full mode only: against the servers the environment names, or local ones
 * started with --production. Skipped (and said so) otherwise.
 */
async function runProduction(
  mode: Mode,
  start: boolean,
  selected: readonly Scenario[],
  timeoutMs: number,
  cpuProfileDir: string | undefined,
  failures: string[],
): Promise<Record<string, unknown>> {
  const scenarios = PRODUCTION_SCENARIOS.filter((s) => selected.includes(s));
  if (mode === 'quick') return { skipped: 'quick mode runs the embedded profile only' };
  if (scenarios.length === 0) return { skipped: 'no production scenario selected' };
  const given = Boolean(process.env.KAFKA_BROKERS && process.env.MONGO_URL && process.env.ESDB_URL);
  if (!given && !start) {
    return {
      skipped:
        'KAFKA_BROKERS / MONGO_URL / ESDB_URL are not set; run `npm run bench -- --production` to start local servers',
    };
  }
  let stopServers: (() => Promise<void>) | undefined;
  let source = 'environment';
  if (!given) {
    process.stderr.write('[bench] starting local Kafka, FerretDB and EventStoreDB-protocol servers …\n');
    const { startTestServers } = await import('../test/infra/servers');
    const servers = await startTestServers();
    Object.assign(process.env, servers.env);
    stopServers = () => servers.stop();
    source = 'started by --production (test/infra)';
  }
  const production: Record<string, unknown> = { servers: source };
  try {
    for (const scenario of scenarios) {
      const outcome = await runOne(scenario, mode, 'production', timeoutMs, cpuProfileDir);
      production[scenario] = outcome.result ?? { profile: 'production', error: outcome.error };
      if (outcome.error) failures.push(`${scenario} (production): ${outcome.error}`);
    }
  } finally {
    await stopServers?.();
  }
  return production;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
