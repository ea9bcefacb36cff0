import { MongoClient } from 'mongodb';

export interface MongoClientWatchdogOptions {
  /** How long the process's client may keep failing while a fresh client reaches the server. */
  stuckAfterMs: number;
  /** How often the client is checked. */
  intervalMs: number;
  /** Called once when the client is judged stuck; the caller restarts the process. */
  onStuck: (failingForMs: number, lastError: unknown) => void;
  /** Pings through the process's client (rejects when it cannot). */
  ping: () => Promise<void>;
  /** Pings through a brand-new client: does the server itself answer? */
  probe: () => Promise<void>;
  now?: () => number;
}

/**
 * Watches the process's MongoDB client. A chaos run showed a driver whose server monitor never came
 * back after a MongoDB-wire server restart: every operation failed with the old "connection closed"
 * for minutes while other processes were fine. Waiting does not cure that, and the adapters hold
 * the client's `Db`, so the cure is a process restart (all state is in the stores; nothing is lost).
 * An outage of the server itself is not a stuck client: the fresh-client probe fails too, and the
 * process keeps waiting.
 */
export class MongoClientWatchdog {
  private timer: NodeJS.Timeout | undefined;
  /** Since when a fresh client reaches the server while ours fails. */
  private serverUpSince: number | undefined;
  private lastError: unknown;
  private checking = false;
  private fired = false;
  private readonly now: () => number;

  constructor(private readonly options: MongoClientWatchdogOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One check (the interval calls it; exposed for tests). */
  async check(): Promise<void> {
    if (this.checking || this.fired) return;
    this.checking = true;
    try {
      try {
        await withTimeout(this.options.ping(), this.options.intervalMs);
        this.serverUpSince = undefined;
        return;
      } catch (error) {
        this.lastError = error;
      }
      try {
        await withTimeout(this.options.probe(), this.options.intervalMs);
      } catch {
        // The server is down for everyone: a restart would not help, and the driver reconnects
        // by itself once it is back (given a few heartbeats, counted from then).
        this.serverUpSince = undefined;
        return;
      }
      this.serverUpSince ??= this.now();
      const failingFor = this.now() - this.serverUpSince;
      if (failingFor < this.options.stuckAfterMs) return;
      this.fired = true;
      this.stop();
      this.options.onStuck(failingFor, this.lastError);
    } finally {
      this.checking = false;
    }
  }
}

/** A ping through a short-lived client of its own, for `probe`. */
export async function pingWithFreshClient(url: string, timeoutMs: number): Promise<void> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    maxPoolSize: 1,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => undefined);
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
