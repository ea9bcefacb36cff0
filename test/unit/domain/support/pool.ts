import type { PoolAccount } from '../../../../src/commands';

export const NOW = new Date('2025-06-01T04:00:00.000Z');

export const poolAccount = (accountId: string, overrides: Partial<PoolAccount> = {}): PoolAccount => ({
  accountId,
  accountType: 1,
  siteType: 'hk',
  accountStatus: 'active',
  deleted: false,
  priority: 0,
  weight: 1,
  concurrencyCap: 2,
  rpmCap: 10,
  dailyQuota: { image: null, video: null },
  capabilities: { image: { status: 'available' }, video: { status: 'available' } },
  usage: { inFlight: 0, recentStarts: [], usedToday: { image: 0, video: 0 } },
  ...overrides,
});

export const allSites = () => true;
export const fixedRandom = (value: number) => () => value;
