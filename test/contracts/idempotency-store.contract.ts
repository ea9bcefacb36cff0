import type { IdempotencyStore, StoredResponse } from '../../src/ports/idempotency-store';

export interface IdempotencyStoreFixture {
  store: IdempotencyStore;
  cleanup(): Promise<void>;
}

const T0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0.getTime() + ms);

const response = (overrides: Partial<StoredResponse> = {}): StoredResponse => ({
  key: 'key-1',
  requestHash: 'hash-1',
  status: 202,
  body: '{"code":0,"data":{"results":[]}}',
  createdAt: at(1_000),
  ...overrides,
});

/**
 * Behaviour every IdempotencyStore adapter must show; `make` gives a fresh, empty store with the
 * default reservation TTL (minutes, well under a day).
 */
export function idempotencyStoreContract(name: string, make: () => Promise<IdempotencyStoreFixture>): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let fixture: IdempotencyStoreFixture;
    let store: IdempotencyStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    it('reserves an unknown key', async () => {
      expect(await store.begin('key-1', 'hash-1', T0)).toBe('new');
    });

    it('says in_progress while the first request has not answered', async () => {
      await store.begin('key-1', 'hash-1', T0);

      expect(await store.begin('key-1', 'hash-1', at(1_000))).toBe('in_progress');
    });

    it('returns the stored answer once the first request completed, whatever the new body', async () => {
      await store.begin('key-1', 'hash-1', T0);
      await store.complete(response());

      expect(await store.begin('key-1', 'hash-1', at(2_000))).toEqual(response());
      expect(await store.begin('key-1', 'hash-2', at(3_000))).toEqual(response());
    });

    it('keeps keys apart', async () => {
      await store.begin('key-1', 'hash-1', T0);
      await store.complete(response());

      expect(await store.begin('key-2', 'hash-1', T0)).toBe('new');
    });

    it('lets a retry run after the reservation is abandoned', async () => {
      await store.begin('key-1', 'hash-1', T0);

      await store.abandon('key-1');

      expect(await store.begin('key-1', 'hash-1', at(1_000))).toBe('new');
    });

    it('does not forget a stored answer on abandon', async () => {
      await store.begin('key-1', 'hash-1', T0);
      await store.complete(response());

      await store.abandon('key-1');

      expect(await store.begin('key-1', 'hash-1', at(2_000))).toEqual(response());
    });

    it('lets a new request take over a reservation left in progress for a day', async () => {
      await store.begin('key-1', 'hash-1', T0);

      expect(await store.begin('key-1', 'hash-1', at(24 * 3_600_000))).toBe('new');
      expect(await store.begin('key-1', 'hash-1', at(24 * 3_600_000 + 1))).toBe('in_progress');
    });

    it('reserves a key for exactly one of many simultaneous requests', async () => {
      const answers = await Promise.all(Array.from({ length: 20 }, () => store.begin('key-1', 'hash-1', T0)));

      expect(answers.filter((answer) => answer === 'new')).toHaveLength(1);
      expect(answers.filter((answer) => answer === 'in_progress')).toHaveLength(19);
    });
  });
}
