import fc from 'fast-check';
import {
  RPM_WINDOW_MS,
  selectAccount,
  sitesForAccount,
  type PoolAccount,
  type SelectionContext,
  type SitePair,
} from '../../../src/commands';
import { SITES, type GenerationKind, type Site } from '../../../src/events';
import { NOW } from './support/pool';

const t = (offsetMs: number) => new Date(NOW.getTime() + offsetMs);
const capability = fc.oneof(
  fc.constant({ status: 'available' as const }),
  fc.constant({ status: 'unavailable' as const }),
  fc
    .integer({ min: -120_000, max: 120_000 })
    .map((ms) => ({ status: 'rate_limited' as const, until: t(ms).toISOString() })),
  fc
    .integer({ min: -120_000, max: 120_000 })
    .map((ms) => ({ status: 'unavailable' as const, until: t(ms).toISOString() })),
);

const poolAccount = (accountId: string): fc.Arbitrary<PoolAccount> =>
  fc
    .record({
      international: fc.boolean(),
      intlSite: fc.constantFrom<Site>('us', 'hk', 'jp', 'sg'),
      accountStatus: fc.constantFrom(
        'active' as const,
        'active' as const,
        'inactive' as const,
        'banned' as const,
      ),
      deleted: fc.boolean(),
      priority: fc.integer({ min: 0, max: 2 }),
      weight: fc.integer({ min: 0, max: 5 }),
      concurrencyCap: fc.integer({ min: 1, max: 3 }),
      rpmCap: fc.integer({ min: 1, max: 4 }),
      quota: fc.option(fc.integer({ min: 0, max: 5 }), { nil: null }),
      image: capability,
      video: capability,
      inFlight: fc.integer({ min: 0, max: 4 }),
      starts: fc.array(fc.integer({ min: -90_000, max: 0 }), { maxLength: 6 }),
      used: fc.integer({ min: 0, max: 6 }),
    })
    .map((a) => ({
      accountId,
      accountType: a.international ? 1 : 0,
      siteType: a.international ? a.intlSite : 'cn',
      accountStatus: a.accountStatus,
      deleted: a.deleted,
      priority: a.priority,
      weight: a.weight,
      concurrencyCap: a.concurrencyCap,
      rpmCap: a.rpmCap,
      dailyQuota: { image: a.quota, video: a.quota },
      capabilities: { image: a.image, video: a.video },
      usage: {
        inFlight: a.inFlight,
        recentStarts: a.starts.map(t),
        usedToday: { image: a.used, video: a.used },
      },
    }));

const pool = fc
  .integer({ min: 0, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => poolAccount(`a${i}`))));
const pair: fc.Arbitrary<SitePair> = fc.record({
  accountId: fc.constantFrom('a0', 'a1', 'a2', 'a3'),
  site: fc.constantFrom(...SITES),
});
const unsupportedSites = fc.subarray([...SITES]);

/** The eligibility rules restated independently of the implementation. */
function eligibleNow(a: PoolAccount, site: Site, ctx: SelectionContext, unsupported: Site[]): boolean {
  const now = ctx.now.getTime();
  const cap = a.capabilities[ctx.kind];
  const quota = a.dailyQuota[ctx.kind];
  const windowStarts = a.usage.recentStarts.filter(
    (d) => now - d.getTime() < RPM_WINDOW_MS && d.getTime() <= now,
  );
  return (
    a.accountStatus === 'active' &&
    !a.deleted &&
    !(ctx.excludedAccounts ?? []).includes(a.accountId) &&
    sitesForAccount(a).includes(site) &&
    !unsupported.includes(site) &&
    !ctx.exclusions.some((p) => p.accountId === a.accountId && p.site === site) &&
    (cap.status === 'available' || (cap.until !== undefined && Date.parse(cap.until) <= now)) &&
    (quota === null || a.usage.usedToday[ctx.kind] < quota) &&
    windowStarts.length < a.rpmCap &&
    a.usage.inFlight < a.concurrencyCap
  );
}

describe('account selection (property-based)', () => {
  it('never returns an ineligible or excluded pair, and always the best tier', () => {
    fc.assert(
      fc.property(
        pool,
        fc.array(pair, { maxLength: 6 }),
        fc.subarray(['a0', 'a1', 'a2']),
        unsupportedSites,
        fc.constantFrom<GenerationKind>('image', 'video'),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (accounts, exclusions, excludedAccounts, unsupported, kind, r) => {
          const ctx: SelectionContext = { kind, model: 'm', now: NOW, exclusions, excludedAccounts };
          const result = selectAccount(accounts, ctx, {
            siteSupportsModel: (_k, _m, s) => !unsupported.includes(s),
            random: () => r,
          });
          const eligiblePairs = accounts.flatMap((a) =>
            sitesForAccount(a)
              .filter((s) => eligibleNow(a, s, ctx, unsupported))
              .map((s) => ({ a, s })),
          );
          if (result.type === 'selected') {
            const chosen = accounts.find((a) => a.accountId === result.accountId)!;
            expect(eligibleNow(chosen, result.site, ctx, unsupported)).toBe(true);
            expect(Math.max(...eligiblePairs.map((p) => p.a.priority))).toBe(chosen.priority);
          } else {
            expect(eligiblePairs).toEqual([]);
          }
          if (result.type === 'wait') expect(result.waitUntil.getTime()).toBeGreaterThan(NOW.getTime());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('replaying selections against a capacity model never exceeds a cap', () => {
    const step = fc.oneof(
      fc.record({
        op: fc.constant('select' as const),
        advanceMs: fc.integer({ min: 0, max: 20_000 }),
        r: fc.double({ min: 0, max: 0.999, noNaN: true }),
      }),
      fc.record({
        op: fc.constant('finish' as const),
        advanceMs: fc.integer({ min: 0, max: 20_000 }),
        r: fc.double({ min: 0, max: 0.999, noNaN: true }),
      }),
    );
    const account = (accountId: string) =>
      fc
        .record({
          concurrencyCap: fc.integer({ min: 1, max: 3 }),
          rpmCap: fc.integer({ min: 1, max: 4 }),
          quota: fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }),
          priority: fc.integer({ min: 0, max: 1 }),
        })
        .map(({ concurrencyCap, rpmCap, quota, priority }) => ({
          accountId,
          concurrencyCap,
          rpmCap,
          quota,
          priority,
        }));
    fc.assert(
      fc.property(
        fc.tuple(account('a0'), account('a1'), account('a2')),
        fc.array(step, { maxLength: 80 }),
        (specs, steps) => {
          let now = NOW.getTime();
          const running = new Map<string, number>(specs.map((s) => [s.accountId, 0]));
          const starts = new Map<string, number[]>(specs.map((s) => [s.accountId, []]));
          const used = new Map<string, number>(specs.map((s) => [s.accountId, 0]));
          for (const { op, advanceMs, r } of steps) {
            now += advanceMs;
            if (op === 'finish') {
              const busy = specs.filter((s) => running.get(s.accountId)! > 0);
              const done = busy[Math.floor(r * busy.length)];
              if (done) running.set(done.accountId, running.get(done.accountId)! - 1);
              continue;
            }
            const snapshot: PoolAccount[] = specs.map((s) => ({
              accountId: s.accountId,
              accountType: 1,
              siteType: 'hk',
              accountStatus: 'active',
              deleted: false,
              priority: s.priority,
              weight: 1,
              concurrencyCap: s.concurrencyCap,
              rpmCap: s.rpmCap,
              dailyQuota: { image: s.quota, video: null },
              capabilities: { image: { status: 'available' }, video: { status: 'available' } },
              usage: {
                inFlight: running.get(s.accountId)!,
                recentStarts: starts.get(s.accountId)!.map((ms) => new Date(ms)),
                usedToday: { image: used.get(s.accountId)!, video: 0 },
              },
            }));
            const result = selectAccount(
              snapshot,
              { kind: 'image', model: 'm', now: new Date(now), exclusions: [] },
              { siteSupportsModel: () => true, random: () => r },
            );
            if (result.type !== 'selected') continue;
            const spec = specs.find((s) => s.accountId === result.accountId)!;
            running.set(spec.accountId, running.get(spec.accountId)! + 1);
            starts.get(spec.accountId)!.push(now);
            used.set(spec.accountId, used.get(spec.accountId)! + 1);
            expect(running.get(spec.accountId)).toBeLessThanOrEqual(spec.concurrencyCap);
            const inWindow = starts.get(spec.accountId)!.filter((ms) => now - ms < RPM_WINDOW_MS).length;
            expect(inWindow).toBeLessThanOrEqual(spec.rpmCap);
            if (spec.quota !== null) expect(used.get(spec.accountId)).toBeLessThanOrEqual(spec.quota);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
