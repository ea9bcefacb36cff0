import type { Locks } from '../../src/ports/locks';

export interface LocksFixture {
  locks: Locks;
  /** Another instance over another connection to the same store, as another process would have. */
  peer(): Promise<Locks>;
  cleanup(): Promise<void>;
}

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** Behaviour every Locks adapter must show; `make` gives a fresh store with no lock held. */
export function locksContract(name: string, make: () => Promise<LocksFixture>): void {
  describe(`Locks contract: ${name}`, () => {
    let fixture: LocksFixture;
    let locks: Locks;

    beforeEach(async () => {
      fixture = await make();
      locks = fixture.locks;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('gives a free lock to the first owner and refuses the next one', async () => {
      expect(await locks.acquire('relay', 'node-a', 10_000, T0)).toBe(true);
      expect(await locks.acquire('relay', 'node-b', 10_000, at(1))).toBe(false);
    });

    it('keeps locks of different names apart', async () => {
      await locks.acquire('relay', 'node-a', 10_000, T0);

      expect(await locks.acquire('reaper', 'node-b', 10_000, T0)).toBe(true);
    });

    it('lets the owner renew, which pushes the expiry out', async () => {
      await locks.acquire('relay', 'node-a', 10_000, T0);

      expect(await locks.acquire('relay', 'node-a', 10_000, at(8_000))).toBe(true);

      expect(await locks.acquire('relay', 'node-b', 10_000, at(12_000))).toBe(false);
      expect(await locks.acquire('relay', 'node-b', 10_000, at(18_000))).toBe(true);
    });

    it('hands an expired lock to another owner, after which the old owner is refused', async () => {
      await locks.acquire('relay', 'node-a', 10_000, T0);

      expect(await locks.acquire('relay', 'node-b', 10_000, at(10_000))).toBe(true);
      expect(await locks.acquire('relay', 'node-a', 10_000, at(10_001))).toBe(false);
    });

    it('frees the lock on release by its owner only', async () => {
      await locks.acquire('relay', 'node-a', 10_000, T0);

      await locks.release('relay', 'node-b');
      expect(await locks.acquire('relay', 'node-b', 10_000, at(1))).toBe(false);

      await locks.release('relay', 'node-a');
      expect(await locks.acquire('relay', 'node-b', 10_000, at(2))).toBe(true);
    });

    it('releasing a lock never held is harmless', async () => {
      await expect(locks.release('relay', 'node-a')).resolves.toBeUndefined();
    });

    it('gives a free lock to exactly one of many simultaneous owners', async () => {
      const peer = await fixture.peer();

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? locks : peer).acquire('relay', `node-${i}`, 10_000, T0),
        ),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('hands an expired lock to exactly one of many simultaneous owners', async () => {
      const peer = await fixture.peer();
      await locks.acquire('relay', 'node-old', 10_000, T0);

      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 === 0 ? locks : peer).acquire('relay', `node-${i}`, 10_000, at(10_000)),
        ),
      );

      expect(results.filter(Boolean)).toHaveLength(1);
    });
  });
}
