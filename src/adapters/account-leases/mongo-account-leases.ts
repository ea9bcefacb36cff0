import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import type { AccountLeases, AccountLoad, Lease, LeaseRequest } from '../../ports/account-leases';
import { systemClock, type Clock } from '../../ports/clock';
import { ContentionError, pauseBeforeRetry } from '../mongo/bounded-retry';
import { ensureIndexes } from '../mongo/indexes';
import { HeadedVersionChain, type ChainLink } from '../mongo/version-chain';
import { KeyedSerializer } from './keyed-serializer';
import { accountLoad, checkLeaseRequest, inRpmWindow, isLive } from './lease-window';

export const ACCOUNT_LEASES_COLLECTION = 'account_leases';
/** The newest state of each account (snapshots read it: one document per account). */
export const ACCOUNT_LEASE_HEADS_COLLECTION = 'account_lease_heads';

interface StoredLease {
  leaseId: string;
  holder: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/** Leases this instance remembers the account of; beyond it, it forgets them all and asks the store. */
const REMEMBERED_LEASES = 10_000;

/** An account's leases (expired ones stay until released), its recent starts, its last rpm cap. */
interface AccountLeaseState {
  rpmCap: number;
  leases: StoredLease[];
  starts: Date[];
}

export interface MongoAccountLeasesOptions {
  /** Decides whether a lease has expired when it is renewed; the worker's clock. */
  clock?: Clock;
  /** Compare-and-set rounds before a call gives up; each round one racer wins. */
  maxAttempts?: number;
}

/**
 * The production account leases, atomic across worker instances without transactions: an
 * account's whole lease state is one versioned document, and every change reads the newest
 * version, decides in memory (prune expired leases and old starts, check the caps) and appends the
 * next version, which only one racer can do (see HeadedVersionChain). A loser reads again, and then
 * usually finds the cap reached.
 *
 * tryAcquire answers null when it keeps losing races beyond `maxAttempts`: to the caller that is
 * the same as "no capacity now", which it already handles by trying later.
 */
export class MongoAccountLeases implements AccountLeases {
  private readonly chain: HeadedVersionChain<AccountLeaseState>;
  private readonly clock: Clock;
  private readonly maxAttempts: number;
  /**
   * One change of an account at a time in this instance: its callers (a worker's concurrent claims,
   * renewals and releases) would otherwise mostly lose races to each other, each lost race another
   * read and insert. Other instances still race, and the chain settles those.
   */
  private readonly changes = new KeyedSerializer();
  /** The account of each lease taken here (a lease never moves), so releasing it needs no lookup. */
  private readonly accountOfLease = new Map<string, string>();

  constructor(
    private readonly db: Db,
    options: MongoAccountLeasesOptions = {},
  ) {
    this.chain = new HeadedVersionChain(
      db.collection<ChainLink<AccountLeaseState>>(ACCOUNT_LEASES_COLLECTION),
      db.collection<ChainLink<AccountLeaseState>>(ACCOUNT_LEASE_HEADS_COLLECTION),
    );
    this.clock = options.clock ?? systemClock;
    this.maxAttempts = options.maxAttempts ?? 50;
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.db.collection(ACCOUNT_LEASES_COLLECTION), [
      ...HeadedVersionChain.indexes(),
      { key: { 'state.leases.leaseId': 1 } },
    ]);
    await ensureIndexes(this.db.collection(ACCOUNT_LEASE_HEADS_COLLECTION), [
      { key: { 'state.leases.leaseId': 1 } },
      { key: { 'state.leases.expiresAt': 1 } },
    ]);
  }

  async tryAcquire(request: LeaseRequest): Promise<Lease | null> {
    checkLeaseRequest(request);
    return this.changes.run(request.accountId, () => this.acquire(request));
  }

  private async acquire(request: LeaseRequest): Promise<Lease | null> {
    const now = request.now.getTime();
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      if (attempt > 0) await pauseBeforeRetry(attempt);
      const current = await this.chain.latest(request.accountId);
      const leases = current?.state.leases ?? [];
      const starts = (current?.state.starts ?? []).filter((start) => inRpmWindow(start.getTime(), now));
      const live = leases.filter((lease) => isLive(lease.expiresAt.getTime(), now)).length;
      if (live >= request.concurrencyCap || starts.length >= request.rpmCap) return null;
      const lease: StoredLease = {
        leaseId: randomUUID(),
        holder: request.holder,
        acquiredAt: new Date(now),
        expiresAt: new Date(now + request.ttlMs),
      };
      const next = { rpmCap: request.rpmCap, leases: [...leases, lease], starts: [...starts, new Date(now)] };
      if (await this.chain.tryAppend(request.accountId, current?.version ?? 0, next)) {
        if (this.accountOfLease.size >= REMEMBERED_LEASES) this.accountOfLease.clear();
        this.accountOfLease.set(lease.leaseId, request.accountId);
        return { ...lease, accountId: request.accountId };
      }
    }
    return null;
  }

  async renew(leaseId: string, expiresAt: Date): Promise<boolean> {
    return this.changeLease(leaseId, (lease) => {
      // An expired lease is not revived: its slot may already serve another attempt.
      if (!isLive(lease.expiresAt.getTime(), this.clock.now().getTime())) return 'refuse';
      return { ...lease, expiresAt };
    });
  }

  async release(leaseId: string): Promise<void> {
    await this.changeLease(leaseId, () => null);
  }

  async load(now: Date): Promise<Map<string, AccountLoad>> {
    const at = now.getTime();
    const loads = new Map<string, AccountLoad>();
    for (const [accountId, { state }] of await this.chain.latestOfAll()) {
      const inFlight = state.leases.filter((lease) => isLive(lease.expiresAt.getTime(), at)).length;
      const starts = state.starts
        .map((start) => start.getTime())
        .filter((start) => inRpmWindow(start, at))
        .sort((a, b) => a - b);
      if (inFlight > 0 || starts.length > 0)
        loads.set(accountId, accountLoad(accountId, inFlight, starts, state.rpmCap));
    }
    return loads;
  }

  async expired(now: Date): Promise<Lease[]> {
    const accounts = await this.chain.latestOfAll({ 'state.leases.expiresAt': { $lte: now } });
    return [...accounts]
      .flatMap(([accountId, { state }]) =>
        state.leases
          .filter((lease) => !isLive(lease.expiresAt.getTime(), now.getTime()))
          .map((lease) => ({ ...lease, accountId })),
      )
      .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || a.leaseId.localeCompare(b.leaseId));
  }

  /**
   * Replaces (or with null removes) one lease in its account's newest state. False when the lease
   * is unknown or `change` refuses.
   */
  private async changeLease(
    leaseId: string,
    change: (lease: StoredLease) => StoredLease | null | 'refuse',
  ): Promise<boolean> {
    if (typeof leaseId !== 'string') throw new TypeError('leaseId must be a string');
    const accountId =
      this.accountOfLease.get(leaseId) ?? (await this.chain.findKey({ 'state.leases.leaseId': leaseId }));
    if (accountId === undefined) return false;
    const changed = await this.changes.run(accountId, () => this.changeLeaseOf(accountId, leaseId, change));
    if (changed === 'released' || changed === 'unknown') this.accountOfLease.delete(leaseId);
    return changed === 'changed' || changed === 'released';
  }

  /** 'unknown' when the account has no such lease (any more). */
  private async changeLeaseOf(
    accountId: string,
    leaseId: string,
    change: (lease: StoredLease) => StoredLease | null | 'refuse',
  ): Promise<'changed' | 'released' | 'refused' | 'unknown'> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt += 1) {
      if (attempt > 0) await pauseBeforeRetry(attempt);
      const current = await this.chain.latest(accountId);
      const lease = current?.state.leases.find((candidate) => candidate.leaseId === leaseId);
      if (!current || !lease) return 'unknown';
      const changed = change(lease);
      if (changed === 'refuse') return 'refused';
      const leases = current.state.leases.flatMap((candidate) =>
        candidate.leaseId !== leaseId ? [candidate] : changed === null ? [] : [changed],
      );
      if (await this.chain.tryAppend(accountId, current.version, { ...current.state, leases }))
        return changed === null ? 'released' : 'changed';
    }
    throw new ContentionError(`lease ${leaseId}: gave up after ${this.maxAttempts} lost races`);
  }
}
