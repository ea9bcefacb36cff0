import type { AccountLeases, Lease, LeaseRequest } from '../../src/ports/account-leases';
import type { Clock } from '../../src/ports/clock';
import { ManualClock } from '../support/manual-clock';

export interface AccountLeasesFixture {
  leases: AccountLeases;
  /** Another instance over another connection to the same store, as a second worker would have. */
  peer(): Promise<AccountLeases>;
  cleanup(): Promise<void>;
}

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

const request = (overrides: Partial<LeaseRequest> = {}): LeaseRequest => ({
  accountId: 'a-1',
  holder: 'record-1:1',
  concurrencyCap: 2,
  rpmCap: 100,
  ttlMs: 30_000,
  now: T0,
  ...overrides,
});

/**
 * Behaviour every AccountLeases adapter must show. `make` gets the clock the adapter must use for
 * renewals and gives a fresh, empty store.
 */
export function accountLeasesContract(
  name: string,
  make: (clock: Clock) => Promise<AccountLeasesFixture>,
): void {
  describe(`AccountLeases contract: ${name}`, () => {
    let fixture: AccountLeasesFixture;
    let leases: AccountLeases;
    let clock: ManualClock;

    beforeEach(async () => {
      // The adapter reads it to refuse renewing an expired lease.
      clock = new ManualClock(T0);
      fixture = await make(clock);
      leases = fixture.leases;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    async function acquire(overrides: Partial<LeaseRequest> = {}): Promise<Lease> {
      const lease = await leases.tryAcquire(request(overrides));
      if (!lease) throw new Error('expected a lease');
      return lease;
    }

    describe('concurrency cap', () => {
      it('grants leases up to the cap, then refuses', async () => {
        const first = await leases.tryAcquire(request({ holder: 'r-1:1' }));
        const second = await leases.tryAcquire(request({ holder: 'r-2:1' }));
        const third = await leases.tryAcquire(request({ holder: 'r-3:1' }));

        expect(first).toEqual({
          leaseId: expect.any(String),
          accountId: 'a-1',
          holder: 'r-1:1',
          acquiredAt: T0,
          expiresAt: at(30_000),
        });
        expect(second?.leaseId).not.toBe(first?.leaseId);
        expect(third).toBeNull();
      });

      it('counts each account on its own', async () => {
        await acquire({ accountId: 'a-1', concurrencyCap: 1 });

        expect(await leases.tryAcquire(request({ accountId: 'a-2', concurrencyCap: 1 }))).not.toBeNull();
        expect(await leases.tryAcquire(request({ accountId: 'a-1', concurrencyCap: 1 }))).toBeNull();
      });

      it('frees a slot on release', async () => {
        const lease = await acquire({ concurrencyCap: 1 });

        await leases.release(lease.leaseId);

        expect(await leases.tryAcquire(request({ concurrencyCap: 1, now: at(1) }))).not.toBeNull();
      });

      it('frees a slot when a lease expires without renewal', async () => {
        await acquire({ concurrencyCap: 1, ttlMs: 10_000 });

        expect(await leases.tryAcquire(request({ concurrencyCap: 1, now: at(9_999) }))).toBeNull();
        expect(await leases.tryAcquire(request({ concurrencyCap: 1, now: at(10_000) }))).not.toBeNull();
      });

      it('refuses everything under a cap of zero', async () => {
        expect(await leases.tryAcquire(request({ concurrencyCap: 0 }))).toBeNull();
      });

      it('releasing an unknown or released lease is harmless', async () => {
        const lease = await acquire();
        await leases.release(lease.leaseId);

        await expect(leases.release(lease.leaseId)).resolves.toBeUndefined();
        await expect(leases.release('no-such-lease')).resolves.toBeUndefined();
      });
    });

    describe('requests-per-minute cap', () => {
      it('counts lease starts in the last minute, released or not', async () => {
        const first = await acquire({ rpmCap: 2, concurrencyCap: 10 });
        await acquire({ rpmCap: 2, concurrencyCap: 10, now: at(1_000) });
        await leases.release(first.leaseId);

        expect(
          await leases.tryAcquire(request({ rpmCap: 2, concurrencyCap: 10, now: at(59_999) })),
        ).toBeNull();
        expect(
          await leases.tryAcquire(request({ rpmCap: 2, concurrencyCap: 10, now: at(60_000) })),
        ).not.toBeNull();
      });
    });

    describe('renew', () => {
      it('extends a live lease, so it keeps its slot past the first expiry', async () => {
        const lease = await acquire({ concurrencyCap: 1, ttlMs: 10_000 });
        clock.set(at(5_000));

        expect(await leases.renew(lease.leaseId, at(20_000))).toBe(true);

        expect(await leases.tryAcquire(request({ concurrencyCap: 1, now: at(15_000) }))).toBeNull();
        expect(await leases.expired(at(15_000))).toEqual([]);
        expect(await leases.expired(at(20_000))).toEqual([{ ...lease, expiresAt: at(20_000) }]);
      });

      it('refuses an unknown, released or already expired lease', async () => {
        const released = await acquire();
        await leases.release(released.leaseId);
        const lapsed = await acquire({ ttlMs: 1_000 });
        clock.set(at(1_000));

        expect(await leases.renew('no-such-lease', at(60_000))).toBe(false);
        expect(await leases.renew(released.leaseId, at(60_000))).toBe(false);
        expect(await leases.renew(lapsed.leaseId, at(60_000))).toBe(false);
      });
    });

    describe('expired', () => {
      it('lists leases past their expiry until they are released', async () => {
        const short = await acquire({ holder: 'r-1:1', ttlMs: 1_000 });
        await acquire({ holder: 'r-2:1', ttlMs: 60_000 });
        const other = await acquire({ accountId: 'a-2', holder: 'r-3:1', ttlMs: 2_000 });

        expect(await leases.expired(at(999))).toEqual([]);
        expect(await leases.expired(at(5_000))).toEqual([short, other]);

        await leases.release(short.leaseId);
        expect(await leases.expired(at(5_000))).toEqual([other]);
      });
    });

    describe('load', () => {
      it('reports live leases and recent starts of busy accounts only', async () => {
        const done = await acquire({ accountId: 'a-1', concurrencyCap: 5, rpmCap: 3 });
        await acquire({ accountId: 'a-1', concurrencyCap: 5, rpmCap: 3, now: at(1_000) });
        await leases.release(done.leaseId);
        await acquire({ accountId: 'a-2', ttlMs: 1_000, rpmCap: 10 });

        const load = await leases.load(at(2_000));

        expect([...load.keys()].sort()).toEqual(['a-1', 'a-2']);
        expect(load.get('a-1')).toEqual({
          accountId: 'a-1',
          inFlight: 1,
          startsLastMinute: 2,
          rpmFreeAt: null,
        });
        expect(load.get('a-2')).toEqual({
          accountId: 'a-2',
          inFlight: 0,
          startsLastMinute: 1,
          rpmFreeAt: null,
        });
        expect((await leases.load(at(61_000))).size).toBe(0);
      });

      it('says when the rpm cap frees up once it is reached', async () => {
        await acquire({ rpmCap: 2, concurrencyCap: 5, now: at(0) });
        await acquire({ rpmCap: 2, concurrencyCap: 5, now: at(4_000) });

        const load = await leases.load(at(5_000));

        expect(load.get('a-1')).toMatchObject({ startsLastMinute: 2, rpmFreeAt: at(60_000) });
      });
    });

    describe('under concurrency', () => {
      it('never grants more than the cap to many simultaneous requests', async () => {
        const peer = await fixture.peer();

        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 === 0 ? leases : peer).tryAcquire(request({ holder: `r-${i}:1`, concurrencyCap: 3 })),
          ),
        );

        const granted = results.filter((lease) => lease !== null);
        expect(granted).toHaveLength(3);
        expect(new Set(granted.map((lease) => lease?.leaseId)).size).toBe(3);
        expect((await leases.load(T0)).get('a-1')?.inFlight).toBe(3);
      });

      it('never grants more starts than the rpm cap to many simultaneous requests', async () => {
        const peer = await fixture.peer();

        const results = await Promise.all(
          Array.from({ length: 30 }, (_, i) =>
            (i % 2 === 0 ? leases : peer).tryAcquire(
              request({ holder: `r-${i}:1`, concurrencyCap: 100, rpmCap: 4 }),
            ),
          ),
        );

        expect(results.filter((lease) => lease !== null)).toHaveLength(4);
      });

      it('keeps the cap while leases are released and taken at the same time', async () => {
        const peer = await fixture.peer();
        const held = [await acquire({ concurrencyCap: 2 }), await acquire({ concurrencyCap: 2 })];

        const results = await Promise.all([
          ...held.map((lease) => peer.release(lease.leaseId).then(() => null)),
          ...Array.from({ length: 10 }, (_, i) =>
            (i % 2 === 0 ? leases : peer).tryAcquire(
              request({ holder: `r-${i}:1`, concurrencyCap: 2, now: at(1) }),
            ),
          ),
        ]);

        expect(results.filter((lease) => lease !== null).length).toBeLessThanOrEqual(2);
        expect((await leases.load(at(1))).get('a-1')?.inFlight).toBeLessThanOrEqual(2);
      });
    });
  });
}
