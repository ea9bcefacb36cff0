import type { SessionBehaviourPatch, SimulatorConfigPatch } from '../../../../src/simulator';

export type Fault =
  'none' | 'rate_limited' | 'no_credits' | 'wrong_site' | 'region_refused' | 'banned' | 'invalid_session';

/** One pool account: how it is registered and how the simulated Jimeng treats its session. */
export interface PoolAccount {
  jimengAccount: string;
  /** As registered (`hk-` prefix: international account on the hk site). */
  sessionId: string;
  /** The simulator's key: the session id without its site prefix. */
  simulatorSession: string;
  fault: Fault;
  priority: number;
  /** Weight within the priority tier. */
  weight: number;
  behaviour: SessionBehaviourPatch;
  /** Error keys of the simulator's statistics that this account's fault produces. */
  faultErrors?: RegExp;
}

/** Every account allows two running jobs; the simulator refuses a third, and counts it. */
export const CONCURRENCY_CAP = 2;
/** High enough not to throttle the run; the simulator enforces the same figure. */
export const RPM_CAP = 600;
/** The simulator's keys of a content refusal (image -2007, video -2008, upstream 2038). */
export const CONTENT_ERRORS = /^-200[78]:2038$/;

function account(
  name: string,
  site: 'cn' | 'hk',
  fault: Fault,
  behaviour: SessionBehaviourPatch,
  faultErrors?: RegExp,
): PoolAccount {
  const bare = `sess-${name}-0123456789abcdef`;
  return {
    jimengAccount: `e2e-${name}`,
    sessionId: site === 'cn' ? bare : `${site}-${bare}`,
    simulatorSession: bare,
    fault,
    // Faulty accounts sit in a higher tier, so the first jobs meet each of them for sure; the
    // region-refused one shares the healthy tier and keeps costing some jobs three sites.
    priority: fault === 'none' || fault === 'region_refused' ? 0 : 1,
    // Picked less often than a healthy account: each pick costs a job three failed sites.
    weight: fault === 'region_refused' ? 0.25 : 1,
    behaviour: {
      sites: [site],
      credits: 1_000_000,
      concurrency: CONCURRENCY_CAP,
      rpm: RPM_CAP,
      ...behaviour,
    },
    ...(faultErrors === undefined ? {} : { faultErrors }),
  };
}

/**
 * Six healthy accounts (four domestic, two on hk) carry the work; six more fail in the ways the
 * pool must route around: 4013 after one submit a minute, no credits and no claim, a session the
 * registered site does not know (only jp), "region not allow" on every site, banned (1018), and an
 * expired session (1015). The same shape as the embedded pipeline test.
 */
export const POOL: readonly PoolAccount[] = [
  account('healthy-cn-1', 'cn', 'none', {}),
  account('healthy-cn-2', 'cn', 'none', {}),
  account('healthy-cn-3', 'cn', 'none', {}),
  account('healthy-cn-4', 'cn', 'none', {}),
  account('healthy-hk-1', 'hk', 'none', {}),
  account('healthy-hk-2', 'hk', 'none', {}),
  account('rate-limited', 'cn', 'rate_limited', { rpm: 1 }, /^-2001:4013$/),
  account('no-credits', 'cn', 'no_credits', { balance: 0, claimRefused: true }, /^-200[89]/),
  account('jp-only', 'hk', 'wrong_site', { sites: ['jp'] }, /^-2002$/),
  account(
    'region-refused',
    'hk',
    'region_refused',
    { sites: ['hk', 'jp', 'sg'], regionRefused: true },
    /^-2001:3000$/,
  ),
  account('banned', 'cn', 'banned', { banned: true }, /^-2001:1018$/),
  account('invalid-session', 'cn', 'invalid_session', { invalid: true }, /^-2002$/),
];

/**
 * Latencies short enough that an upstream task outlives a killed worker's lease by far less than
 * the lease TTL (else the next lease on that account would legitimately exceed the simulator's
 * cap), long enough that jobs overlap: images ~200 ms (p95 400 ms), videos ~400 ms (p95 600 ms).
 */
export const SIMULATOR_CONFIG: SimulatorConfigPatch = {
  timeScale: 0.004,
  seed: 8,
  defaultBehaviour: {
    latency: {
      image: { medianMs: 50_000, p95Ms: 100_000 },
      video: { medianMs: 100_000, p95Ms: 150_000 },
    },
  },
};

export interface Storyboard {
  kind: 'image' | 'video';
  storyboardId: string;
  prompt: string;
  /** The prompt holds a content word: the record must fail with CONTENT_REJECTED, on any account. */
  contentRejected: boolean;
}

/** `count` storyboards named `<prefix>-<n>`; every 25th asks for forbidden content. */
export function storyboards(kind: 'image' | 'video', prefix: string, count: number): Storyboard[] {
  return Array.from({ length: count }, (_, i) => {
    const contentRejected = i % 25 === 12;
    return {
      kind,
      storyboardId: `${prefix}-${String(i + 1).padStart(3, '0')}`,
      prompt: contentRejected
        ? `shot ${i + 1}: something forbidden in the rain`
        : `shot ${i + 1}: neon street in the rain, a girl with an umbrella looks back`,
      contentRejected,
    };
  });
}
