import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { AccountLeases, AccountLoad, Lease, LeaseRequest } from '../../ports/account-leases';
import { systemClock, type Clock } from '../../ports/clock';
import { applyMigrations, type SqliteMigration } from '../sqlite/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { RPM_WINDOW_MS, checkLeaseRequest } from './lease-window';

const COMPONENT = 'account-leases';

const migrations: SqliteMigration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE lease_leases (
        lease_id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        holder TEXT NOT NULL,
        acquired_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX lease_leases_by_account ON lease_leases (account_id, expires_at);
      CREATE INDEX lease_leases_by_expiry ON lease_leases (expires_at);
      CREATE TABLE lease_starts (
        account_id TEXT NOT NULL,
        started_at INTEGER NOT NULL
      );
      CREATE INDEX lease_starts_by_account ON lease_starts (account_id, started_at);
      CREATE TABLE lease_accounts (
        account_id TEXT PRIMARY KEY,
        rpm_cap INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];

interface LeaseRow {
  lease_id: string;
  account_id: string;
  holder: string;
  acquired_at: number;
  expires_at: number;
}

export interface SqliteAccountLeasesOptions {
  /** Decides whether a lease has expired when it is renewed; the worker's clock. */
  clock?: Clock;
}

/**
 * The embedded account leases: `lease_` tables in the embedded profile's shared SQLite file.
 * tryAcquire counts and inserts inside one IMMEDIATE transaction, which holds the file's write lock,
 * so the caps hold across connections and processes sharing the file.
 *
 * Expired leases stay until released (the reaper lists them with `expired`), but no longer count
 * against the cap. Starts older than the rpm window are pruned when the account is next leased.
 */
export class SqliteAccountLeases implements AccountLeases {
  private readonly clock: Clock;
  private readonly countLive: Statement<[string, number], { n: number }>;
  private readonly countStarts: Statement<[string, number], { n: number }>;
  private readonly pruneStarts: Statement<[string, number]>;
  private readonly insertLease: Statement<[string, string, string, number, number]>;
  private readonly insertStart: Statement<[string, number]>;
  private readonly upsertRpmCap: Statement<[string, number]>;
  private readonly selectLease: Statement<[string], LeaseRow>;
  private readonly updateExpiry: Statement<[number, string]>;
  private readonly deleteLease: Statement<[string]>;
  private readonly selectLiveCounts: Statement<[number], { account_id: string; n: number }>;
  private readonly selectStartCounts: Statement<[number], { account_id: string; n: number }>;
  private readonly selectNthStart: Statement<[string, number, number], { started_at: number }>;
  private readonly selectRpmCaps: Statement<[], { account_id: string; rpm_cap: number }>;
  private readonly selectExpired: Statement<[number], LeaseRow>;
  private readonly acquireTransaction: (request: LeaseRequest) => Lease | null;
  private readonly renewTransaction: (leaseId: string, expiresAt: number) => boolean;
  private readonly loadTransaction: (now: number) => Map<string, AccountLoad>;

  constructor(db: SqliteDatabase, options: SqliteAccountLeasesOptions = {}) {
    this.clock = options.clock ?? systemClock;
    applyMigrations(db, COMPONENT, migrations);
    this.countLive = db.prepare(
      'SELECT count(*) AS n FROM lease_leases WHERE account_id = ? AND expires_at > ?',
    );
    this.countStarts = db.prepare(
      'SELECT count(*) AS n FROM lease_starts WHERE account_id = ? AND started_at > ?',
    );
    this.pruneStarts = db.prepare('DELETE FROM lease_starts WHERE account_id = ? AND started_at <= ?');
    this.insertLease = db.prepare(
      `INSERT INTO lease_leases (lease_id, account_id, holder, acquired_at, expires_at)
       VALUES (?, ?, ?, ?, ?)`,
    );
    this.insertStart = db.prepare('INSERT INTO lease_starts (account_id, started_at) VALUES (?, ?)');
    this.upsertRpmCap = db.prepare(
      `INSERT INTO lease_accounts (account_id, rpm_cap) VALUES (?, ?)
       ON CONFLICT (account_id) DO UPDATE SET rpm_cap = excluded.rpm_cap`,
    );
    this.selectLease = db.prepare('SELECT * FROM lease_leases WHERE lease_id = ?');
    this.updateExpiry = db.prepare('UPDATE lease_leases SET expires_at = ? WHERE lease_id = ?');
    this.deleteLease = db.prepare('DELETE FROM lease_leases WHERE lease_id = ?');
    this.selectLiveCounts = db.prepare(
      'SELECT account_id, count(*) AS n FROM lease_leases WHERE expires_at > ? GROUP BY account_id',
    );
    this.selectStartCounts = db.prepare(
      'SELECT account_id, count(*) AS n FROM lease_starts WHERE started_at > ? GROUP BY account_id',
    );
    this.selectNthStart = db.prepare(
      'SELECT started_at FROM lease_starts WHERE account_id = ? AND started_at > ? ORDER BY started_at LIMIT 1 OFFSET ?',
    );
    this.selectRpmCaps = db.prepare('SELECT account_id, rpm_cap FROM lease_accounts');
    this.selectExpired = db.prepare(
      'SELECT * FROM lease_leases WHERE expires_at <= ? ORDER BY expires_at, lease_id',
    );

    const acquire = db.transaction(this.acquireInTransaction.bind(this));
    this.acquireTransaction = (request) => acquire.immediate(request);
    const renew = db.transaction(this.renewInTransaction.bind(this));
    this.renewTransaction = (leaseId, expiresAt) => renew.immediate(leaseId, expiresAt);
    const load = db.transaction(this.loadInTransaction.bind(this));
    this.loadTransaction = (now) => load.deferred(now);
  }

  async tryAcquire(request: LeaseRequest): Promise<Lease | null> {
    checkLeaseRequest(request);
    return this.acquireTransaction(request);
  }

  async renew(leaseId: string, expiresAt: Date): Promise<boolean> {
    return this.renewTransaction(leaseId, expiresAt.getTime());
  }

  async release(leaseId: string): Promise<void> {
    this.deleteLease.run(leaseId);
  }

  async load(now: Date): Promise<Map<string, AccountLoad>> {
    return this.loadTransaction(now.getTime());
  }

  async expired(now: Date): Promise<Lease[]> {
    return this.selectExpired.all(now.getTime()).map(toLease);
  }

  private acquireInTransaction(request: LeaseRequest): Lease | null {
    const { accountId, holder } = request;
    const now = request.now.getTime();
    const windowStart = now - RPM_WINDOW_MS;
    this.pruneStarts.run(accountId, windowStart);
    const live = this.countLive.get(accountId, now)?.n ?? 0;
    if (live >= request.concurrencyCap) return null;
    const starts = this.countStarts.get(accountId, windowStart)?.n ?? 0;
    if (starts >= request.rpmCap) return null;
    const lease: Lease = {
      leaseId: randomUUID(),
      accountId,
      holder,
      acquiredAt: new Date(now),
      expiresAt: new Date(now + request.ttlMs),
    };
    this.insertLease.run(lease.leaseId, accountId, holder, now, lease.expiresAt.getTime());
    this.insertStart.run(accountId, now);
    this.upsertRpmCap.run(accountId, request.rpmCap);
    return lease;
  }

  /** An expired lease is not revived: its slot may already serve another attempt. */
  private renewInTransaction(leaseId: string, expiresAt: number): boolean {
    const row = this.selectLease.get(leaseId);
    if (!row || row.expires_at <= this.clock.now().getTime()) return false;
    this.updateExpiry.run(expiresAt, leaseId);
    return true;
  }

  /**
   * Counts per account (this runs for every job a worker considers, so it must not read every start
   * of the last minute); the one start that decides `rpmFreeAt` is looked up only for accounts at
   * their cap.
   */
  private loadInTransaction(now: number): Map<string, AccountLoad> {
    const windowStart = now - RPM_WINDOW_MS;
    const inFlight = new Map(this.selectLiveCounts.all(now).map((row) => [row.account_id, row.n]));
    const startCounts = new Map(
      this.selectStartCounts.all(windowStart).map((row) => [row.account_id, row.n]),
    );
    const rpmCaps = new Map(this.selectRpmCaps.all().map((row) => [row.account_id, row.rpm_cap]));
    const loads = new Map<string, AccountLoad>();
    for (const accountId of new Set([...inFlight.keys(), ...startCounts.keys()])) {
      const starts = startCounts.get(accountId) ?? 0;
      const rpmCap = rpmCaps.get(accountId) ?? null;
      const reached = rpmCap !== null && rpmCap > 0 && starts >= rpmCap;
      const decisive = reached
        ? this.selectNthStart.get(accountId, windowStart, starts - rpmCap)?.started_at
        : undefined;
      loads.set(accountId, {
        accountId,
        inFlight: inFlight.get(accountId) ?? 0,
        startsLastMinute: starts,
        rpmFreeAt: decisive === undefined ? null : new Date(decisive + RPM_WINDOW_MS),
      });
    }
    return loads;
  }
}

function toLease(row: LeaseRow): Lease {
  return {
    leaseId: row.lease_id,
    accountId: row.account_id,
    holder: row.holder,
    acquiredAt: new Date(row.acquired_at),
    expiresAt: new Date(row.expires_at),
  };
}
