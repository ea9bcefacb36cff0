// The simulated accounts: balance and daily credit reset, admission (concurrency cap and
// requests-per-window limit), and the statistics the control API reports.
import type { SessionBehaviour, SimulatorConfig } from './behaviour';

export interface SessionStats {
  calls: number;
  successes: number;
  /** Keyed by server code, plus `:<upstream code>` when the message carries one (e.g. `-2001:4013`). */
  errorsByCode: Record<string, number>;
  inFlight: number;
  peakConcurrency: number;
  /** Submits refused because the concurrency cap was reached. */
  capViolations: number;
  /** Submits refused because the requests-per-window limit was reached. */
  rpmViolations: number;
  creditsSpent: number;
}

export interface SimulatorStats {
  sessions: Record<string, SessionStats>;
  totals: Omit<SessionStats, 'errorsByCode' | 'inFlight' | 'peakConcurrency'> & { errors: number };
}

export interface SessionView {
  sessionId: string;
  /** false: the session has no behaviour of its own and follows the default. */
  configured: boolean;
  behaviour: SessionBehaviour;
  balance: number;
  claimedToday: boolean;
}

interface AccountState {
  behaviour?: SessionBehaviour;
  balance: number;
  claimedToday: boolean;
  day: number;
  recentSubmits: number[];
  stats: SessionStats;
}

export type Admission = { ok: true } | { ok: false; reason: 'concurrency' | 'rpm' };

const BEIJING_OFFSET_MS = 8 * 3_600_000;

function emptyStats(): SessionStats {
  return {
    calls: 0,
    successes: 0,
    errorsByCode: {},
    inFlight: 0,
    peakConcurrency: 0,
    capViolations: 0,
    rpmViolations: 0,
    creditsSpent: 0,
  };
}

export class Accounts {
  private readonly states = new Map<string, AccountState>();
  private forcedDays = 0;

  constructor(
    private readonly config: () => SimulatorConfig,
    private readonly now: () => number,
  ) {}

  behaviourOf(key: string): SessionBehaviour {
    return this.states.get(key)?.behaviour ?? this.config().defaultBehaviour;
  }

  configure(key: string, behaviour: SessionBehaviour, balance?: number): void {
    const state = this.state(key);
    state.behaviour = behaviour;
    state.balance = balance ?? (behaviour.autoGrant ? behaviour.credits : 0);
    state.claimedToday = behaviour.autoGrant;
  }

  forget(key: string): void {
    const state = this.states.get(key);
    if (!state) return;
    // Keep what is running and what was counted; only the behaviour and balance go.
    this.states.set(key, { ...this.fresh(this.config().defaultBehaviour), stats: state.stats });
  }

  clear(): void {
    this.states.clear();
    this.forcedDays = 0;
  }

  /** Starts a new credit day now, for every account. */
  newDay(): void {
    this.forcedDays += 1;
  }

  view(key: string): SessionView {
    const state = this.state(key);
    return {
      sessionId: key,
      configured: state.behaviour !== undefined,
      behaviour: this.behaviourOf(key),
      balance: state.balance,
      claimedToday: state.claimedToday,
    };
  }

  balance(key: string): number {
    return this.state(key).balance;
  }

  /** The daily claim: only when the balance is 0, once a day, unless refused. */
  claim(key: string): 'claimed' | 'refused' | 'already-claimed' | 'not-needed' {
    const state = this.state(key);
    const behaviour = this.behaviourOf(key);
    if (state.balance > 0) return 'not-needed';
    if (behaviour.claimRefused) return 'refused';
    if (state.claimedToday) return 'already-claimed';
    state.balance += behaviour.credits;
    state.claimedToday = true;
    return 'claimed';
  }

  admit(key: string): Admission {
    const state = this.state(key);
    const behaviour = this.behaviourOf(key);
    const windowStart = this.now() - this.config().rpmWindowMs;
    state.recentSubmits = state.recentSubmits.filter((at) => at > windowStart);
    if (behaviour.rpm !== null && state.recentSubmits.length >= behaviour.rpm) {
      state.stats.rpmViolations += 1;
      return { ok: false, reason: 'rpm' };
    }
    if (behaviour.concurrency !== null && state.stats.inFlight >= behaviour.concurrency) {
      state.stats.capViolations += 1;
      return { ok: false, reason: 'concurrency' };
    }
    return { ok: true };
  }

  /** An accepted submit: pre-deducts the cost and counts the running task. */
  start(key: string, cost: number): void {
    const state = this.state(key);
    state.balance -= cost;
    state.stats.creditsSpent += cost;
    state.recentSubmits.push(this.now());
    state.stats.inFlight += 1;
    state.stats.peakConcurrency = Math.max(state.stats.peakConcurrency, state.stats.inFlight);
  }

  /** A task ended; a failed one gives its credits back. */
  finish(key: string, refund: number): void {
    const state = this.state(key);
    state.stats.inFlight -= 1;
    state.balance += refund;
    state.stats.creditsSpent -= refund;
  }

  countCall(key: string): void {
    this.state(key).stats.calls += 1;
  }

  countSuccess(key: string): void {
    this.state(key).stats.successes += 1;
  }

  countError(key: string, code: number, upstreamCode?: string | number): void {
    const stats = this.state(key).stats;
    const label = upstreamCode === undefined ? String(code) : `${code}:${upstreamCode}`;
    stats.errorsByCode[label] = (stats.errorsByCode[label] ?? 0) + 1;
  }

  stats(): SimulatorStats {
    const sessions: Record<string, SessionStats> = {};
    const totals = { calls: 0, successes: 0, errors: 0, capViolations: 0, rpmViolations: 0, creditsSpent: 0 };
    for (const [key, state] of this.states) {
      if (state.stats.calls === 0 && state.stats.inFlight === 0) continue;
      sessions[key] = structuredClone(state.stats);
      totals.calls += state.stats.calls;
      totals.successes += state.stats.successes;
      totals.errors += Object.values(state.stats.errorsByCode).reduce((sum, n) => sum + n, 0);
      totals.capViolations += state.stats.capViolations;
      totals.rpmViolations += state.stats.rpmViolations;
      totals.creditsSpent += state.stats.creditsSpent;
    }
    return { sessions, totals };
  }

  private currentDay(): number {
    return Math.floor((this.now() + BEIJING_OFFSET_MS) / this.config().dayLengthMs) + this.forcedDays;
  }

  private fresh(behaviour: SessionBehaviour): AccountState {
    return {
      balance: behaviour.autoGrant ? behaviour.credits : 0,
      claimedToday: behaviour.autoGrant,
      day: this.currentDay(),
      recentSubmits: [],
      stats: emptyStats(),
    };
  }

  private state(key: string): AccountState {
    let state = this.states.get(key);
    if (!state) {
      state = this.fresh(this.config().defaultBehaviour);
      this.states.set(key, state);
    }
    const today = this.currentDay();
    if (state.day !== today) {
      // Gift credits expire at day end; the new day's come at once or by claim.
      const behaviour = state.behaviour ?? this.config().defaultBehaviour;
      state.day = today;
      state.balance = behaviour.autoGrant ? behaviour.credits : 0;
      state.claimedToday = behaviour.autoGrant;
    }
    return state;
  }
}
