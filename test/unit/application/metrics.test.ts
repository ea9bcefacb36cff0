import { Registry } from 'prom-client';
import { createMetrics, poolState } from '../../../src/observability';
import type { AccountView } from '../../../src/ports/read-models';

const now = new Date('2025-01-16T08:00:00.000Z');

function account(overrides: Partial<AccountView>): AccountView {
  return {
    accountStatus: 0,
    imageGenerationStatus: 1,
    videoGenerationStatus: 1,
    imageUnavailableUntil: null,
    videoUnavailableUntil: null,
    ...overrides,
  } as AccountView;
}

describe('poolState', () => {
  it.each([
    ['banned whatever the capability', { accountStatus: 2 as const }, 'banned'],
    ['inactive', { accountStatus: 1 as const }, 'inactive'],
    ['available', {}, 'available'],
    [
      'rate-limited until later',
      { imageGenerationStatus: 2 as const, imageUnavailableUntil: '2025-01-16T09:00:00.000Z' },
      'cooling',
    ],
    [
      'rate limit already over',
      { imageGenerationStatus: 2 as const, imageUnavailableUntil: '2025-01-16T07:00:00.000Z' },
      'available',
    ],
    [
      'out of credits until the reset',
      { imageGenerationStatus: 0 as const, imageUnavailableUntil: '2025-01-17T00:00:00.000Z' },
      'cooling',
    ],
    ['disabled by hand', { imageGenerationStatus: 0 as const }, 'unavailable'],
  ])('%s', (_what, overrides, expected) => {
    expect(poolState(account(overrides), 'image', now)).toBe(expected);
  });
});

describe('createMetrics', () => {
  it('reads gauges at scrape time and leaves a failing source out instead of failing the scrape', async () => {
    const errors: string[] = [];
    const metrics = createMetrics(new Registry(), {
      clock: { now: () => now },
      records: {
        countByStatus: async (kind) =>
          kind === 'image' ? { 0: 3, 1: 1, 2: 0, 3: 0, 4: 2 } : Promise.reject(new Error('down')),
      },
      accounts: { listPool: async () => [account({}), account({ accountStatus: 2 })] },
      projectorLag: async () => [{ projector: 'read-models', lag: 7 }],
      onCollectError: (metric) => errors.push(metric),
    });

    const text = await metrics.registry.metrics();

    expect(text).toContain('jimeng_records{kind="image",status="pending"} 3');
    expect(text).toContain('jimeng_records{kind="image",status="retrying"} 2');
    expect(text).not.toContain('jimeng_records{kind="video"');
    expect(text).toContain('jimeng_pool_accounts{kind="video",state="banned"} 1');
    expect(text).toContain('jimeng_projector_lag{projector="read-models"} 7');
    expect(errors).toEqual(['jimeng_records']);
  });
});
