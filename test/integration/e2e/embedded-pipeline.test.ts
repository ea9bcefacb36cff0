import type { SessionBehaviourPatch } from '../../../src/simulator/behaviour';
import { query } from './support/api-client';
import { tempDataDir, type TempDir } from './support/embedded-env';
import { startEmbeddedRuntime, type EmbeddedRuntime } from './support/embedded-runtime';
import {
  getRecord,
  listAllRecords,
  mapLimited,
  readSlotEvents,
  waitForAllRecordsTerminal,
  type Kind,
  type RecordDetail,
  type RecordView,
  type StoredEvent,
} from './support/records';
import type { SimulatorStats } from './support/simulator-control';
import {
  planStoryboards,
  registerAccounts,
  submitStoryboards,
  type NewAccount,
  type PlannedStoryboard,
} from './support/storyboards';

/**
 * The embedded profile end to end: 200 storyboards of every mode go through the HTTP API to the
 * built-in simulator, whose sessions are told to misbehave in the ways real accounts do. Every
 * record must end completed (or failed for a content prompt), the switch histories must name the
 * injected faults, accounts must show their new status, no account cap may be exceeded upstream
 * and nothing may complete (or bill) twice.
 */

type Fault =
  'healthy' | 'flaky' | 'rate-limited' | 'no-credits' | 'jp-only' | 'banned' | 'invalid' | 'region-refused';

interface PoolMember {
  name: string;
  fault: Fault;
  /** The bare session id: the simulator's key. */
  session: string;
  /** As registered: with the site prefix of the account's registered site. */
  registeredSession: string;
  priority: number;
  behaviour: SessionBehaviourPatch;
}

const CAP = 2;
const CONTENT_WORD = 'forbidden';
const BATCH = {
  projectId: 'e2e-pipeline',
  projectName: 'E2E pipeline',
  workId: 'work-e2e-1',
  createBy: 'e2e.pipeline',
};

const member = (
  name: string,
  fault: Fault,
  site: 'cn' | 'hk',
  behaviour: SessionBehaviourPatch,
  priority = 0,
): PoolMember => {
  const session = `sess-${name}-0123456789abcdef`;
  return {
    name,
    fault,
    session,
    registeredSession: site === 'cn' ? session : `${site}-${session}`,
    priority,
    behaviour: { concurrency: CAP, credits: 1000, ...behaviour },
  };
};

/**
 * Accounts whose fault takes them out of the pool sit in a higher priority tier, so the first jobs
 * meet each of them for sure. The flaky and region-refused ones stay in the pool, so they share the
 * healthy tier and only some jobs go through them (else every job would).
 */
const POOL: PoolMember[] = [
  member('healthy-cn-1', 'healthy', 'cn', { sites: ['cn'] }),
  member('healthy-cn-2', 'healthy', 'cn', { sites: ['cn'] }),
  member('healthy-cn-3', 'healthy', 'cn', { sites: ['cn'] }),
  member('healthy-cn-4', 'healthy', 'cn', { sites: ['cn'] }),
  member('healthy-hk-1', 'healthy', 'hk', { sites: ['hk'] }),
  member('healthy-hk-2', 'healthy', 'hk', { sites: ['hk'] }),
  member('flaky', 'flaky', 'cn', { sites: ['cn'], failureRate: 0.5 }),
  member('rate-limited', 'rate-limited', 'cn', { sites: ['cn'], rpm: 1 }, 1),
  member('no-credits', 'no-credits', 'cn', { sites: ['cn'], credits: 0, balance: 0 }, 1),
  member('jp-only', 'jp-only', 'hk', { sites: ['jp'] }, 1),
  member('banned', 'banned', 'cn', { sites: ['cn'], banned: true }, 1),
  member('invalid', 'invalid', 'cn', { sites: ['cn'], invalid: true }, 1),
  member('region-refused', 'region-refused', 'hk', { sites: ['hk', 'jp', 'sg'], regionRefused: true }),
];

const STORYBOARDS = planStoryboards(200, {
  prefix: 'pipe',
  contentWord: CONTENT_WORD,
  isContent: (index) => index % 37 === 3,
});
const CONTENT_IDS = new Set(
  STORYBOARDS.filter((s) => s.prompt.includes(CONTENT_WORD)).map((s) => s.storyboardId),
);

interface AccountAnswer {
  id: string;
  jimengAccount: string;
  accountStatus: number;
  imageGenerationStatus: number;
  videoGenerationStatus: number;
  imageCount: number;
  videoCount: number;
  lastError: { errorClass: string } | null;
}

describe('embedded pipeline: 200 storyboards against a pool with injected faults', () => {
  let dataDir: TempDir | undefined;
  let app: EmbeddedRuntime;
  let accountIds: Map<string, string>;
  const faultOf = new Map<string, Fault>();
  let records: Record<Kind, RecordView[]>;
  const details = new Map<string, RecordDetail & { kind: Kind }>();
  let simStats: SimulatorStats;
  let elapsedMs = 0;

  beforeAll(async () => {
    // Given the runtime with its built-in simulator, each session told how to misbehave
    dataDir = tempDataDir('pipeline');
    app = await startEmbeddedRuntime(dataDir.path);
    for (const account of POOL) await app.simulator.putSession(account.session, account.behaviour);
    // and the accounts registered through the API
    accountIds = await registerAccounts(
      app.admin,
      'e2e.ops',
      POOL.map((account): NewAccount => ({
        jimengAccount: account.name,
        sessionId: account.registeredSession,
        concurrencyCap: CAP,
        rpmCap: 10_000,
        priority: account.priority,
      })),
    );
    for (const account of POOL) faultOf.set(accountIds.get(account.name)!, account.fault);

    // When 200 storyboards of every mode are submitted
    const started = Date.now();
    const recordIds = await submitStoryboards(app.service, BATCH, STORYBOARDS);
    expect(recordIds.size).toBe(STORYBOARDS.length);

    // Then every record ends, completed or failed
    records = await waitForAllRecordsTerminal(
      app.viewer,
      { createBy: BATCH.createBy, workId: BATCH.workId },
      {
        image: STORYBOARDS.filter((s) => s.kind === 'image').length,
        video: STORYBOARDS.filter((s) => s.kind === 'video').length,
      },
      { timeoutMs: 40_000 },
    );
    elapsedMs = Date.now() - started;
    for (const kind of ['image', 'video'] as const) {
      await mapLimited(records[kind], 8, async (record) => {
        details.set(record.storyboardId, { ...(await getRecord(app.viewer, kind, record.id)), kind });
      });
    }
    simStats = await app.simulator.stats();
  });

  afterAll(async () => {
    await app?.stop({ graceMs: 0 });
    dataDir?.remove();
  });

  const allRecords = () => [...records.image, ...records.video];
  const allSwitches = () =>
    [...details.values()].flatMap((record) =>
      record.switchHistory.map((entry) => ({
        ...entry,
        kind: record.kind,
        storyboardId: record.storyboardId,
      })),
    );
  const switchesFrom = (fault: Fault) =>
    allSwitches().filter((entry) => faultOf.get(entry.fromAccountId) === fault);

  it('completes every storyboard except the content prompts, which fail with CONTENT_REJECTED', () => {
    process.stderr.write(`[e2e] 200 storyboards terminal after ${elapsedMs} ms\n`);
    expect(allRecords()).toHaveLength(STORYBOARDS.length);
    for (const record of allRecords()) {
      if (CONTENT_IDS.has(record.storyboardId)) {
        expect({ id: record.storyboardId, status: record.generationStatus, error: record.errorCode }).toEqual(
          {
            id: record.storyboardId,
            status: 3,
            error: 'CONTENT_REJECTED',
          },
        );
      } else {
        expect({ id: record.storyboardId, status: record.generationStatus, error: record.errorCode }).toEqual(
          {
            id: record.storyboardId,
            status: 2,
            error: null,
          },
        );
        expect((record.imageUrls ?? record.videoUrls)!.length).toBeGreaterThan(0);
      }
    }
    expect(CONTENT_IDS.size).toBeGreaterThanOrEqual(5);
  });

  it('completes records only on accounts able to complete them', () => {
    // The rate-limited session accepts one submit per minute, so it may complete one record; the
    // jp-only one could on jp, were it tried there.
    const able = new Set<Fault>(['healthy', 'flaky', 'rate-limited', 'jp-only']);
    for (const record of details.values()) {
      const completed = record.attempts.filter((attempt) => attempt.outcome === 'completed');
      for (const attempt of completed) expect(able).toContain(faultOf.get(attempt.accountId));
      if (record.generationStatus === 2) expect(record.jimengAccountsId).toBe(completed[0]?.accountId);
    }
  });

  it('records the mode each storyboard was submitted with', () => {
    const planned = new Map<string, PlannedStoryboard>(STORYBOARDS.map((s) => [s.storyboardId, s]));
    for (const record of allRecords()) expect(record.mode).toBe(planned.get(record.storyboardId)!.mode);
  });

  it('switches away from each faulty account for the reason injected into its session', () => {
    const reasonsFrom = (fault: Fault) => new Set(switchesFrom(fault).map((entry) => entry.reason));
    expect(reasonsFrom('banned')).toEqual(new Set(['ACCOUNT_BANNED']));
    expect(reasonsFrom('invalid')).toEqual(new Set(['SESSION_INVALID']));
    expect(reasonsFrom('no-credits')).toEqual(new Set(['INSUFFICIENT_CREDITS']));
    expect(reasonsFrom('rate-limited')).toEqual(new Set(['RATE_LIMITED']));
    expect(reasonsFrom('region-refused')).toEqual(new Set(['SITE_MISMATCH']));
    expect(reasonsFrom('flaky')).toEqual(new Set(['UPSTREAM_FAILED']));
    // Healthy accounts never fail an attempt, so nothing switches away from them.
    expect(switchesFrom('healthy')).toEqual([]);
    // Account-level faults end with the account: the next attempt is on another account.
    for (const fault of ['banned', 'invalid', 'no-credits', 'rate-limited', 'flaky'] as const) {
      expect(switchesFrom(fault).every((entry) => entry.type === 'account')).toBe(true);
    }
  });

  it('walks the region-refused account through its sites hk → jp → sg before leaving it', () => {
    const switches = switchesFrom('region-refused');
    const siteSwitches = switches.filter((entry) => entry.type === 'site');
    expect(siteSwitches.map((entry) => `${entry.fromSite}->${entry.toSite}`)).toContain('hk->jp');
    for (const entry of siteSwitches) {
      expect(['hk->jp', 'jp->sg']).toContain(`${entry.fromSite}->${entry.toSite}`);
      expect(entry.toAccountId).toBe(entry.fromAccountId);
    }
    // The site switches are counted on the record with the account switches.
    for (const record of details.values()) {
      expect(record.siteSwitchCount).toBe(record.switchHistory.length);
      expect(record.accountSwitchCount).toBe(
        record.switchHistory.filter((entry) => entry.type === 'account').length,
      );
    }
  });

  it('leaves the account registered on hk but known only on jp, for a session error on hk', () => {
    // The hk login does not know the session (1015). On the account's own site that reads as an
    // expired session; requirement §5.3 would rather try jp and sg first (see the report).
    const switches = switchesFrom('jp-only');
    expect(switches.length).toBeGreaterThan(0);
    for (const entry of switches) {
      expect(['SESSION_INVALID', 'SITE_MISMATCH']).toContain(entry.reason);
      expect(entry.fromSite).toBe('hk');
    }
  });

  it('shows the faults on the accounts: banned, inactive, out of credits, rate-limited', async () => {
    const page = await app.admin.ok<{ list: AccountAnswer[]; total: number }>(
      'GET',
      `/api/v1/accounts${query({ createBy: 'e2e.ops', pageSize: 100 })}`,
    );
    expect(page.total).toBe(POOL.length);
    const byFault = (fault: Fault) => page.list.filter((a) => faultOf.get(a.id) === fault);
    const one = (fault: Fault) => byFault(fault)[0]!;
    const kindsLeft = (fault: Fault) => new Set(switchesFrom(fault).map((entry) => entry.kind));

    expect(one('banned').accountStatus).toBe(2);
    expect(one('banned').lastError?.errorClass).toBe('ACCOUNT_BANNED');
    expect(one('invalid').accountStatus).toBe(1);
    expect(one('invalid').lastError?.errorClass).toBe('SESSION_INVALID');
    expect(one('no-credits').accountStatus).toBe(0);
    expect(kindsLeft('no-credits').size).toBeGreaterThan(0);
    for (const kind of kindsLeft('no-credits')) {
      expect(one('no-credits')[`${kind}GenerationStatus`]).toBe(0);
    }
    expect(one('rate-limited').accountStatus).toBe(0);
    for (const kind of kindsLeft('rate-limited')) {
      // The first cooldown (a minute) outlasts this test; recovered (1) would also be right.
      expect([1, 2]).toContain(one('rate-limited')[`${kind}GenerationStatus`]);
    }
    // A failed task is the task's fault, not the account's: the flaky one stays in the pool.
    for (const healthy of [...byFault('healthy'), ...byFault('flaky')]) {
      expect(healthy).toMatchObject({ accountStatus: 0, imageGenerationStatus: 1, videoGenerationStatus: 1 });
    }
    // Usage counts follow the completions, on the accounts that made them.
    const completions = allRecords().filter((r) => r.generationStatus === 2);
    for (const kind of ['image', 'video'] as const) {
      const counted = page.list.reduce((sum, a) => sum + (kind === 'image' ? a.imageCount : a.videoCount), 0);
      expect(counted).toBe(completions.filter((r) => records[kind].includes(r)).length);
    }
  });

  it('never exceeds an account cap upstream and bills exactly the completions', () => {
    const sessions = new Map(POOL.map((account) => [account.session, account]));
    for (const [session, stats] of Object.entries(simStats.sessions)) {
      expect(sessions.has(session)).toBe(true);
      expect({ session, capViolations: stats.capViolations }).toEqual({ session, capViolations: 0 });
      expect(stats.peakConcurrency).toBeLessThanOrEqual(CAP);
    }
    expect(simStats.totals.capViolations).toBe(0);
    // Every upstream success is one completed record (nothing billed twice).
    const completed = allRecords().filter((r) => r.generationStatus === 2).length;
    expect(simStats.totals.successes).toBe(completed);
    // Every call the simulator saw is an attempt some record recorded.
    const attempts = [...details.values()].reduce((sum, record) => sum + record.attempts.length, 0);
    expect(simStats.totals.calls).toBe(attempts);
  });

  it('completes each record exactly once in its event stream', async () => {
    const streams = await mapLimited(STORYBOARDS, 8, async (storyboard) => ({
      storyboard,
      events: await readSlotEvents(app.viewer, storyboard.kind, BATCH.projectId, storyboard.storyboardId),
    }));
    const count = (events: StoredEvent[], type: string) => events.filter((e) => e.type === type).length;
    for (const { storyboard, events } of streams) {
      const content = CONTENT_IDS.has(storyboard.storyboardId);
      expect({
        storyboard: storyboard.storyboardId,
        requested: count(events, 'GenerationRequested'),
        completed: count(events, 'GenerationCompleted'),
        failed: count(events, 'GenerationFailed'),
      }).toEqual({
        storyboard: storyboard.storyboardId,
        requested: 1,
        completed: content ? 0 : 1,
        failed: content ? 1 : 0,
      });
      // One attempt started per attempt recorded on the record.
      const detail = details.get(storyboard.storyboardId)!;
      expect(count(events, 'GenerationStarted')).toBe(detail.attempts.length);
      expect(detail.attempts.filter((a) => a.outcome === 'completed')).toHaveLength(content ? 0 : 1);
      expect(detail.attempts.filter((a) => a.outcome === 'running')).toEqual([]);
    }
  });

  it('lists every record exactly once over all pages of the createBy + workId query', async () => {
    for (const kind of ['image', 'video'] as const) {
      const listed = await listAllRecords(
        app.viewer,
        kind,
        { createBy: BATCH.createBy, workId: BATCH.workId },
        7,
      );
      const ids = listed.map((record) => record.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(ids)).toEqual(new Set(records[kind].map((record) => record.id)));
      expect(ids.length).toBe(STORYBOARDS.filter((s) => s.kind === kind).length);
      // Another creator's or work's query sees none of them.
      const other = await listAllRecords(app.viewer, kind, {
        createBy: BATCH.createBy,
        workId: 'work-other',
      });
      expect(other).toEqual([]);
    }
  });
});
