import {
  selectAccount,
  sitesForAccount,
  type SelectionContext,
  type SelectionOptions,
} from '../../../src/commands';
import { allSites, fixedRandom, NOW, poolAccount } from './support/pool';

const ctx = (overrides: Partial<SelectionContext> = {}): SelectionContext => ({
  kind: 'image',
  model: 'jimeng-4.0',
  now: NOW,
  exclusions: [],
  ...overrides,
});
const opts = (overrides: Partial<SelectionOptions> = {}): SelectionOptions => ({
  siteSupportsModel: allSites,
  random: fixedRandom(0),
  ...overrides,
});
const later = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

describe('account selection', () => {
  describe('eligibility', () => {
    it('selects an active, capable account on its registered site', () =>
      expect(selectAccount([poolAccount('a')], ctx(), opts())).toEqual({
        type: 'selected',
        accountId: 'a',
        site: 'hk',
      }));

    it.each([
      ['inactive', { accountStatus: 'inactive' as const }],
      ['banned', { accountStatus: 'banned' as const }],
      ['deleted', { deleted: true }],
      [
        'unavailable for the kind',
        {
          capabilities: {
            image: { status: 'unavailable' as const },
            video: { status: 'available' as const },
          },
        },
      ],
    ])('never selects an account that is %s', (_what, overrides) =>
      expect(selectAccount([poolAccount('a', overrides)], ctx(), opts())).toMatchObject({ type: 'none' }),
    );

    it('tracks capability per kind: image unavailable does not block video', () =>
      expect(
        selectAccount(
          [
            poolAccount('a', {
              capabilities: { image: { status: 'unavailable' }, video: { status: 'available' } },
            }),
          ],
          ctx({ kind: 'video' }),
          opts(),
        ),
      ).toMatchObject({ type: 'selected' }));

    it('a rate limit whose end has passed no longer blocks', () =>
      expect(
        selectAccount(
          [
            poolAccount('a', {
              capabilities: {
                image: { status: 'rate_limited', until: later(-1) },
                video: { status: 'available' },
              },
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toMatchObject({ type: 'selected', accountId: 'a' }));

    it('domestic accounts only use cn', () => {
      expect(sitesForAccount({ accountType: 0, siteType: 'cn' })).toEqual(['cn']);
      expect(selectAccount([poolAccount('c', { accountType: 0, siteType: 'cn' })], ctx(), opts())).toEqual({
        type: 'selected',
        accountId: 'c',
        site: 'cn',
      });
    });

    it('international accounts start with their registered site, then hk → jp → sg', () => {
      expect(sitesForAccount({ accountType: 1, siteType: 'us' })).toEqual(['us', 'hk', 'jp', 'sg']);
      expect(sitesForAccount({ accountType: 1, siteType: 'jp' })).toEqual(['jp', 'hk', 'sg']);
      expect(sitesForAccount({ accountType: 1, siteType: 'sg' }, ['sg', 'us'])).toEqual(['sg', 'us']);
    });

    it('skips sites whose model support is missing (gateway catalog plugged in)', () =>
      expect(
        selectAccount(
          [poolAccount('a', { siteType: 'us' })],
          ctx({ model: 'nanobanana' }),
          opts({ siteSupportsModel: (_k, model, site) => !(model === 'nanobanana' && site === 'us') }),
        ),
      ).toEqual({ type: 'selected', accountId: 'a', site: 'hk' }));

    it('never returns an (account, site) pair the job failed on: moves to the next site', () =>
      expect(
        selectAccount([poolAccount('a')], ctx({ exclusions: [{ accountId: 'a', site: 'hk' }] }), opts()),
      ).toEqual({ type: 'selected', accountId: 'a', site: 'jp' }));

    it('never returns an account excluded as a whole', () =>
      expect(
        selectAccount([poolAccount('a'), poolAccount('b')], ctx({ excludedAccounts: ['a'] }), opts()),
      ).toEqual({ type: 'selected', accountId: 'b', site: 'hk' }));

    it('none when every site of every account was tried', () =>
      expect(
        selectAccount(
          [poolAccount('c', { accountType: 0, siteType: 'cn' })],
          ctx({ exclusions: [{ accountId: 'c', site: 'cn' }] }),
          opts(),
        ),
      ).toMatchObject({ type: 'none' }));
  });

  describe('limits and waiting', () => {
    it('cooling account → wait until its cooldown ends', () =>
      expect(
        selectAccount(
          [
            poolAccount('a', {
              capabilities: {
                image: { status: 'rate_limited', until: later(30_000) },
                video: { status: 'available' },
              },
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toEqual({ type: 'wait', waitUntil: new Date(later(30_000)) }));

    it('at its concurrency cap → wait a short poll (1 s)', () =>
      expect(
        selectAccount(
          [poolAccount('a', { usage: { inFlight: 2, recentStarts: [], usedToday: { image: 0, video: 0 } } })],
          ctx(),
          opts(),
        ),
      ).toEqual({ type: 'wait', waitUntil: new Date(NOW.getTime() + 1000) }));

    it('at its requests-per-minute cap → wait until the oldest start leaves the 60 s window', () => {
      const starts = [-50_000, -40_000, -10_000].map((ms) => new Date(NOW.getTime() + ms));
      expect(
        selectAccount(
          [
            poolAccount('a', {
              rpmCap: 3,
              usage: { inFlight: 0, recentStarts: starts, usedToday: { image: 0, video: 0 } },
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toEqual({ type: 'wait', waitUntil: new Date(NOW.getTime() + 10_000) });
    });

    it('starts older than 60 s do not count', () =>
      expect(
        selectAccount(
          [
            poolAccount('a', {
              rpmCap: 1,
              usage: {
                inFlight: 0,
                recentStarts: [new Date(NOW.getTime() - 60_000)],
                usedToday: { image: 0, video: 0 },
              },
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toMatchObject({ type: 'selected' }));

    it('daily quota spent → wait for the next quota reset, or none when unknown', () => {
      const spent = { inFlight: 0, recentStarts: [], usedToday: { image: 5, video: 0 } };
      const reset = new Date(later(3_600_000));
      expect(
        selectAccount(
          [
            poolAccount('a', {
              dailyQuota: { image: 5, video: null },
              usage: spent,
              nextQuotaResetAt: reset,
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toEqual({ type: 'wait', waitUntil: reset });
      expect(
        selectAccount(
          [poolAccount('a', { dailyQuota: { image: 5, video: null }, usage: spent })],
          ctx(),
          opts(),
        ),
      ).toMatchObject({ type: 'none' });
    });

    it('waits for the earliest recovery among several accounts', () =>
      expect(
        selectAccount(
          [
            poolAccount('a', {
              capabilities: {
                image: { status: 'rate_limited', until: later(90_000) },
                video: { status: 'available' },
              },
            }),
            poolAccount('b', {
              capabilities: {
                image: { status: 'rate_limited', until: later(20_000) },
                video: { status: 'available' },
              },
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toEqual({ type: 'wait', waitUntil: new Date(later(20_000)) }));

    it('an account blocked by two limits recovers when the later one clears', () =>
      expect(
        selectAccount(
          [
            poolAccount('a', {
              capabilities: {
                image: { status: 'rate_limited', until: later(20_000) },
                video: { status: 'available' },
              },
              usage: { inFlight: 2, recentStarts: [], usedToday: { image: 0, video: 0 } },
            }),
          ],
          ctx(),
          opts(),
        ),
      ).toEqual({ type: 'wait', waitUntil: new Date(later(20_000)) }));
  });

  describe('priority tiers and weights', () => {
    const pool = [
      poolAccount('low', { priority: 0 }),
      poolAccount('high1', { priority: 5, weight: 1 }),
      poolAccount('high2', { priority: 5, weight: 3 }),
    ];

    it('prefers the highest tier', () => {
      for (const r of [0, 0.3, 0.6, 0.99]) {
        expect(selectAccount(pool, ctx(), opts({ random: fixedRandom(r) }))).toMatchObject({
          accountId: expect.stringMatching(/^high/),
        });
      }
    });

    it('picks by weight inside the tier', () => {
      expect(selectAccount(pool, ctx(), opts({ random: fixedRandom(0.2) }))).toMatchObject({
        accountId: 'high1',
      });
      expect(selectAccount(pool, ctx(), opts({ random: fixedRandom(0.3) }))).toMatchObject({
        accountId: 'high2',
      });
    });

    it('tries every candidate of a tier before a lower tier', () => {
      const exclusions = [
        { accountId: 'high1', site: 'hk' as const },
        { accountId: 'high1', site: 'jp' as const },
        { accountId: 'high1', site: 'sg' as const },
      ];
      expect(selectAccount(pool, ctx({ exclusions }), opts({ random: fixedRandom(0) }))).toMatchObject({
        accountId: 'high2',
      });
      expect(
        selectAccount(pool, ctx({ excludedAccounts: ['high1', 'high2'] }), opts({ random: fixedRandom(0) })),
      ).toMatchObject({ accountId: 'low' });
    });

    it('a busy higher tier does not block a free lower tier', () =>
      expect(
        selectAccount(
          [
            poolAccount('high', {
              priority: 5,
              usage: { inFlight: 2, recentStarts: [], usedToday: { image: 0, video: 0 } },
            }),
            poolAccount('low'),
          ],
          ctx(),
          opts(),
        ),
      ).toMatchObject({ accountId: 'low' }));

    it('the preferred account (next site after a mismatch) wins inside its tier', () =>
      expect(
        selectAccount(
          [poolAccount('a'), poolAccount('b')],
          ctx({ exclusions: [{ accountId: 'b', site: 'hk' }], preferAccountId: 'b' }),
          opts({ random: fixedRandom(0) }),
        ),
      ).toEqual({ type: 'selected', accountId: 'b', site: 'jp' }));

    it('the preference never overrides a higher tier', () =>
      expect(
        selectAccount(
          [poolAccount('a', { priority: 9 }), poolAccount('b')],
          ctx({ preferAccountId: 'b' }),
          opts(),
        ),
      ).toMatchObject({ accountId: 'a' }));
  });
});
