import { startKafka, type KafkaServer } from '../../infra/kafka';
import { COMPOSE_ROLES } from './production-support/service-process';
import { startSimulator, type RunningSimulator, type SimulatorStats } from '../../../src/simulator';
import { waitFor } from '../../support/wait-for';
import { ApiClient } from './production-support/api-client';
import { startDeployment, withProcessOutput, type Deployment } from './production-support/deployment';
import { diagnosePipeline } from './production-support/pipeline-diagnosis';
import { startJimengTap, type JimengTap } from './production-support/jimeng-tap';
import {
  CONCURRENCY_CAP,
  CONTENT_ERRORS,
  POOL,
  RPM_CAP,
  SIMULATOR_CONFIG,
  storyboards,
  type Storyboard,
} from './production-support/pool-scenario';
import {
  countRecords,
  listRecords,
  mapLimited,
  storyboardEvents,
  type AuditEvent,
  type Kind,
  type RecordView,
} from './production-support/records';

/**
 * The production profile as docker compose runs it: api, relay, projector and two workers, each its
 * own OS process, on EventStoreDB, MongoDB and a Kafka broker of this test. The storyboards go
 * through a pool with faulty accounts in three waves; after the first, one worker is killed with
 * SIGKILL while it has generations in flight; the third is submitted while the broker is down.
 * Nothing may be lost or completed twice, and no account cap may be exceeded upstream.
 */

const PROJECT = {
  projectId: `prod-e2e-${Date.now().toString(36)}`,
  projectName: 'Production E2E',
  workId: 'work-prod-e2e',
  createBy: 'e2e.production',
};
/** The 200 storyboards (about 30 s here); E2E_PRODUCTION_STORYBOARDS resizes the run. */
const TOTAL = Number(process.env.E2E_PRODUCTION_STORYBOARDS ?? 200);
const share = (fraction: number) => Math.round(TOTAL * fraction);
const WAVES = {
  first: [...storyboards('image', 'w1-img', share(0.4)), ...storyboards('video', 'w1-vid', share(0.1))],
  second: storyboards('image', 'w2-img', share(0.25)),
  third: [...storyboards('image', 'w3-img', share(0.2)), ...storyboards('video', 'w3-vid', share(0.05))],
};
const ALL = [...WAVES.first, ...WAVES.second, ...WAVES.third];
/** A dead worker's attempts come back after this (the default 30 s would only make the test slow). */
const LEASE_TTL_MS = 10_000;
const ROLES = COMPOSE_ROLES;

interface AccountView {
  id: string;
  jimengAccount: string;
  accountStatus: number;
}

async function submit(client: ApiClient, wave: readonly Storyboard[]): Promise<void> {
  for (const kind of ['image', 'video'] as const) {
    const items = wave.filter((storyboard) => storyboard.kind === kind);
    if (items.length === 0) continue;
    const answer = await client.post<{ accepted: number; items: unknown[] }>(
      kind === 'image' ? '/api/v1/images/text-to-image' : '/api/v1/videos/generations',
      {
        ...PROJECT,
        storyboards: items.map(({ storyboardId, prompt }) =>
          kind === 'image'
            ? { storyboardId, prompt, resolution: '2k' }
            : { storyboardId, prompt, duration: 5 },
        ),
      },
    );
    if (answer.accepted !== items.length) {
      throw new Error(`only ${answer.accepted} of ${items.length} accepted: ${JSON.stringify(answer.items)}`);
    }
  }
}

async function terminalRecords(client: ApiClient): Promise<number> {
  const counts = await Promise.all(
    (['image', 'video'] as const).flatMap((kind) =>
      [2, 3].map((status) => countRecords(client, kind, PROJECT.projectId, status)),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Records by kind and generationStatus, for a timeout message. */
async function statusCounts(client: ApiClient): Promise<string> {
  const parts = await Promise.all(
    (['image', 'video'] as const).flatMap((kind) =>
      [0, 1, 2, 3, 4].map(
        async (status) => `${kind}:${status}=${await countRecords(client, kind, PROJECT.projectId, status)}`,
      ),
    ),
  );
  return parts.join(' ');
}

describe('production profile end to end: separate processes, a killed worker and a broker restart', () => {
  let kafka: KafkaServer | undefined;
  let simulator: RunningSimulator | undefined;
  const taps = new Map<string, JimengTap>();
  let deployment: Deployment | undefined;

  // What the run left behind, for the checks below.
  let generationsBeforeKill: Record<string, number> = {};
  let inFlightAtKill = 0;
  let outstandingAtHalt = 0;
  const records: (RecordView & { kind: Kind })[] = [];
  let histories: { storyboard: Storyboard; events: AuditEvent[] }[] = [];
  let simulatorStats: SimulatorStats;
  let accounts: AccountView[] = [];
  let runMs = 0;
  /** [seconds into the run, records ended], every 10 s or so. */
  const progress: [number, number][] = [];

  const step = <T>(work: () => Promise<T>) => (deployment ? withProcessOutput(deployment, work) : work());

  beforeAll(async () => {
    // Given a broker this test can restart, the simulated Jimeng, and a tap per worker
    const started = Date.now();
    [kafka, simulator] = await Promise.all([
      startKafka(),
      startSimulator({ port: 0, config: SIMULATOR_CONFIG }),
    ]);
    for (const { name, role } of ROLES) {
      if (role === 'worker') taps.set(name, await startJimengTap(simulator.url));
    }
    for (const account of POOL)
      await simulator.control.putSession(account.simulatorSession, account.behaviour);
    const jimeng = simulator.url;
    // and the five processes of the production profile
    deployment = await startDeployment({
      label: 'e2e-production',
      kafkaBrokers: kafka.brokers,
      jimengBaseUrl: (name) => taps.get(name)?.url ?? jimeng,
      roles: ROLES,
      // The killed worker's partitions move on after the broker's minimum session timeout.
      env: { LEASE_TTL_MS: String(LEASE_TTL_MS), KAFKA_SESSION_TIMEOUT_MS: '6000' },
    });
    const api = deployment.service('api').url;
    const admin = new ApiClient(api, deployment.adminKey);
    const service = new ApiClient(api, deployment.serviceKey);
    const workers = { one: deployment.service('worker-1'), two: deployment.service('worker-2') };
    const tap = { one: taps.get('worker-1')!, two: taps.get('worker-2')! };

    await step(async () => {
      // and the pool registered through the API, visible to the workers
      const registered = await admin.post<{ accepted: number }>(
        '/api/v1/accounts',
        {
          createBy: 'e2e.ops',
          accounts: POOL.map((account) => ({
            jimengAccount: account.jimengAccount,
            sessionId: account.sessionId,
            priority: account.priority,
            weight: account.weight,
            concurrencyCap: CONCURRENCY_CAP,
            rpmCap: RPM_CAP,
          })),
        },
        200,
      );
      expect(registered.accepted).toBe(POOL.length);
      await waitFor(
        async () =>
          (await admin.get<{ total: number }>('/api/v1/accounts?createBy=e2e.ops&pageSize=1')).total ===
          POOL.length,
        { timeoutMs: 20_000, intervalMs: 100, message: 'the accounts in the read model' },
      );

      // When the first wave runs on both workers and one of them dies with generations in flight
      const runStarted = Date.now();
      await submit(service, WAVES.first);
      await waitFor(() => tap.one.generations > 0 && tap.two.inFlight >= 2, {
        timeoutMs: 60_000,
        intervalMs: 5,
        message: 'both workers generating',
      });
      inFlightAtKill = tap.two.inFlight;
      await workers.two.stop({ signal: 'SIGKILL' });
      generationsBeforeKill = { 'worker-1': tap.one.generations, 'worker-2': tap.two.generations };

      // and the second wave follows, and the third arrives while the broker is down
      await submit(service, WAVES.second);
      outstandingAtHalt = WAVES.first.length + WAVES.second.length - (await terminalRecords(service));
      await kafka!.halt();
      await submit(service, WAVES.third);
      await kafka!.resume();

      // Then every record ends
      await waitFor(
        async () => {
          const terminal = await terminalRecords(service);
          const elapsed = Math.round((Date.now() - runStarted) / 1000);
          if (progress.length === 0 || elapsed - progress[progress.length - 1]![0] >= 10)
            progress.push([elapsed, terminal]);
          return terminal === ALL.length;
        },
        {
          timeoutMs: 150_000,
          intervalMs: 500,
          message: `all ${ALL.length} records completed or failed`,
        },
      ).catch(async (error: Error) => {
        const diagnosis = await diagnosePipeline({
          esdbUrl: process.env.ESDB_URL!,
          mongoUrl: process.env.MONGO_URL!,
          database: deployment!.database,
          kafkaBrokers: kafka!.brokers,
        });
        throw new Error(
          `${error.message}; records by status: ${await statusCounts(service)}\n` +
            `records ended by second of the run: ${JSON.stringify(progress)}\n${diagnosis}`,
        );
      });
      runMs = Date.now() - runStarted;

      for (const kind of ['image', 'video'] as const) {
        for (const record of await listRecords(service, kind, PROJECT.projectId))
          records.push({ ...record, kind });
      }
      histories = await mapLimited(ALL, 8, async (storyboard) => ({
        storyboard,
        events: await storyboardEvents(service, storyboard.kind, PROJECT.projectId, storyboard.storyboardId),
      }));
      simulatorStats = await simulator!.control.stats();
      accounts = (await admin.get<{ list: AccountView[] }>('/api/v1/accounts?createBy=e2e.ops&pageSize=100'))
        .list;
    });
    process.stderr.write(
      `[production e2e] ${ALL.length} storyboards in ${runMs} ms (${Date.now() - started} ms with start-up); ` +
        `generations before the kill ${JSON.stringify(generationsBeforeKill)}, in flight at the kill ${inFlightAtKill}, ` +
        `outstanding at the broker halt ${outstandingAtHalt}; records ended by second ${JSON.stringify(progress)}\n`,
    );
  }, 240_000);

  afterAll(async () => {
    await deployment?.stop();
    await Promise.all([...taps.values()].map((tap) => tap.close()));
    await simulator?.stop();
    await kafka?.stop();
  }, 60_000);

  const count = (events: AuditEvent[], type: string) => events.filter((event) => event.type === type).length;
  const allEvents = () => histories.flatMap(({ events }) => events);

  it('disrupted the run while it had work outstanding', () => {
    expect(inFlightAtKill).toBeGreaterThanOrEqual(2);
    expect(outstandingAtHalt).toBeGreaterThan(0);
  });

  it('completes every storyboard, except the content prompts, which fail with CONTENT_REJECTED', () =>
    step(async () => {
      const byStoryboard = new Map(
        records.map((record) => [`${record.kind}/${record.storyboardId}`, record]),
      );
      expect(records).toHaveLength(ALL.length);
      for (const storyboard of ALL) {
        const record = byStoryboard.get(`${storyboard.kind}/${storyboard.storyboardId}`);
        const seen = {
          storyboard: storyboard.storyboardId,
          status: record?.generationStatus,
          error: record?.errorCode,
        };
        expect(seen).toEqual({
          storyboard: storyboard.storyboardId,
          status: storyboard.contentRejected ? 3 : 2,
          error: storyboard.contentRejected ? 'CONTENT_REJECTED' : null,
        });
        if (!storyboard.contentRejected) {
          expect((record!.imageUrls ?? record!.videoUrls ?? []).length).toBeGreaterThan(0);
        }
      }
    }));

  it('completes each record exactly once in its event stream', () =>
    step(async () => {
      for (const { storyboard, events } of histories) {
        expect({
          storyboard: storyboard.storyboardId,
          requested: count(events, 'GenerationRequested'),
          completed: count(events, 'GenerationCompleted'),
          failed: count(events, 'GenerationFailed'),
        }).toEqual({
          storyboard: storyboard.storyboardId,
          requested: 1,
          completed: storyboard.contentRejected ? 0 : 1,
          failed: storyboard.contentRejected ? 1 : 0,
        });
      }
    }));

  it("re-queues the killed worker's attempts once their leases expire", () =>
    step(async () => {
      const reaped = allEvents().filter(
        (event) => event.type === 'AttemptAbandoned' && event.data['reason'] === 'lease_expired',
      );
      expect(reaped.length).toBeGreaterThanOrEqual(1);
      // Every reaped attempt's record went on to a later attempt.
      for (const { events } of histories) {
        const abandoned = events.filter((event) => event.type === 'AttemptAbandoned');
        for (const event of abandoned) {
          const later = events.filter(
            (e) =>
              e.type === 'GenerationStarted' &&
              (e.data['attempt'] as number) > (event.data['attempt'] as number),
          );
          expect(later.length).toBeGreaterThan(0);
        }
      }
    }));

  it('had both workers generating before one was killed', () => {
    expect(generationsBeforeKill['worker-1']).toBeGreaterThan(0);
    expect(generationsBeforeKill['worker-2']).toBeGreaterThan(0);
  });

  it('keeps every other process running through the kill and the broker restart', () =>
    step(async () => {
      const states = Object.fromEntries(
        deployment!.services.map((s) => [s.name, s.exitDescription() ?? 'running']),
      );
      expect(states).toEqual({
        api: 'running',
        relay: 'running',
        projector: 'running',
        'worker-1': 'running',
        'worker-2': 'was killed by SIGKILL',
      });
    }));

  it('never exceeds an account cap upstream', () => {
    const rateLimited = POOL.find((account) => account.fault === 'rate_limited')!.simulatorSession;
    for (const [session, stats] of Object.entries(simulatorStats.sessions)) {
      expect({ session, capViolations: stats.capViolations }).toEqual({ session, capViolations: 0 });
      expect(stats.peakConcurrency).toBeLessThanOrEqual(CONCURRENCY_CAP);
      // Only the rate-limited session's limit is below the registered rpm cap, on purpose.
      if (session !== rateLimited) expect({ session, rpm: stats.rpmViolations }).toEqual({ session, rpm: 0 });
    }
    expect(simulatorStats.totals.capViolations).toBe(0);
  });

  it('bills no more than the completions plus the attempts of the killed worker', () => {
    const completed = records.filter((record) => record.generationStatus === 2).length;
    const abandoned = allEvents().filter((event) => event.type === 'AttemptAbandoned').length;
    const started = allEvents().filter((event) => event.type === 'GenerationStarted').length;
    expect(simulatorStats.totals.successes).toBeGreaterThanOrEqual(completed);
    expect(simulatorStats.totals.successes).toBeLessThanOrEqual(completed + abandoned);
    // Every upstream call belongs to an attempt the event store knows.
    expect(simulatorStats.totals.calls).toBeLessThanOrEqual(started);
  });

  it('fails each faulty account for the reason injected into its session', () => {
    for (const account of POOL) {
      const stats = simulatorStats.sessions[account.simulatorSession];
      const errors = Object.keys(stats?.errorsByCode ?? {});
      const unexpected = errors.filter(
        (code) => !CONTENT_ERRORS.test(code) && !(account.faultErrors?.test(code) ?? false),
      );
      expect({ account: account.jimengAccount, unexpected }).toEqual({
        account: account.jimengAccount,
        unexpected: [],
      });
      if (account.faultErrors) {
        expect({
          account: account.jimengAccount,
          faults: errors.some((code) => account.faultErrors!.test(code)),
        }).toEqual({
          account: account.jimengAccount,
          faults: true,
        });
      }
    }
    const status = (name: string) => accounts.find((a) => a.jimengAccount === `e2e-${name}`)?.accountStatus;
    expect(status('banned')).toBe(2);
    expect(status('invalid-session')).toBe(1);
  });
});
