import { formatLeaseHolder, parseLeaseHolder, poolAccountFromView } from '../../../../src/workers/generation';
import { anAccount } from '../../../support/read-model-builders';

describe('lease holder', () => {
  it('round-trips, even with a record id containing the separator', () => {
    const holder = { streamId: 'image-p1.sb-1', recordId: 'odd|id', attempt: 3 };
    expect(parseLeaseHolder(formatLeaseHolder(holder))).toEqual(holder);
  });

  it.each(['', 'image-p1.sb-1', 'image-p1.sb-1|r1', 'image-p1.sb-1|r1|0', 'image-p1.sb-1|r1|x', '|r1|2'])(
    'refuses %p',
    (text) => {
      expect(parseLeaseHolder(text)).toBeNull();
    },
  );
});

describe('poolAccountFromView', () => {
  const now = new Date('2030-01-01T00:00:30.000Z');

  it('maps codes and cooldowns of the read model to what selection reads', () => {
    const view = anAccount({
      id: 'a1',
      jimengAccountType: 1,
      siteType: 3,
      accountStatus: 1,
      imageGenerationStatus: 2,
      imageUnavailableUntil: '2030-01-01T00:05:00.000Z',
      videoGenerationStatus: 0,
      imageUsedToday: 4,
      dailyImageQuota: 10,
    });
    const account = poolAccountFromView(view, undefined, now);
    expect(account).toMatchObject({
      accountId: 'a1',
      accountType: 1,
      siteType: 'jp',
      accountStatus: 'inactive',
      capabilities: {
        image: { status: 'rate_limited', until: '2030-01-01T00:05:00.000Z' },
        video: { status: 'unavailable' },
      },
      dailyQuota: { image: 10, video: null },
      usage: { inFlight: 0, recentStarts: [], usedToday: { image: 4, video: 0 } },
    });
  });

  it('turns a reached rpm cap into start times that recover when the lease store says', () => {
    const rpmFreeAt = new Date('2030-01-01T00:00:50.000Z');
    const account = poolAccountFromView(
      anAccount({ rpmCap: 2 }),
      { accountId: 'account-1', inFlight: 1, startsLastMinute: 2, rpmFreeAt },
      now,
    );
    expect(account.usage.inFlight).toBe(1);
    expect(account.usage.recentStarts).toHaveLength(2);
    expect(Math.min(...account.usage.recentStarts.map((d) => d.getTime())) + 60_000).toBe(
      rpmFreeAt.getTime(),
    );
  });

  it('counts a busy account as full', () => {
    const account = poolAccountFromView(anAccount({ concurrencyCap: 3 }), undefined, now, true);
    expect(account.usage.inFlight).toBe(3);
  });
});
