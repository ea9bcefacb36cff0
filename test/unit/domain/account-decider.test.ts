import { accountDecider, ACCOUNT_DEFAULTS } from '../../../src/commands';
import type { AccountEvent } from '../../../src/events';
import { deciderSpec } from './support/given-when-then';
import { accountRegistered, at, registerData, T0 } from './support/fixtures';

const spec = deciderSpec(accountDecider);
const registered = accountRegistered();
const removed: AccountEvent = {
  type: 'AccountDeleted',
  data: { accountId: '100', updateBy: 'admin', at: at(1) },
};

describe('account decider', () => {
  describe('register', () => {
    it('registers a new account with the defaults filled in', () =>
      spec([]).when({ type: 'RegisterAccount', data: registerData() }).then([accountRegistered()]));

    it('defaults are priority 0, weight 1, concurrency 2, rpm 10', () =>
      expect(ACCOUNT_DEFAULTS).toEqual({ priority: 0, weight: 1, concurrencyCap: 2, rpmCap: 10 }));

    it('refuses a second registration of the same id (ACCOUNT_EXISTS)', () =>
      spec([registered])
        .when({ type: 'RegisterAccount', data: registerData() })
        .thenThrows('ACCOUNT_EXISTS'));

    it('refuses a domestic account on an international site', () =>
      spec([])
        .when({ type: 'RegisterAccount', data: registerData({ accountType: 0, siteType: 'hk' }) })
        .thenThrows('VALIDATION_FAILED'));

    it('refuses an international account on cn', () =>
      spec([])
        .when({ type: 'RegisterAccount', data: registerData({ accountType: 1, siteType: 'cn' }) })
        .thenThrows('VALIDATION_FAILED'));

    it('starts active with both capabilities available', () =>
      spec([])
        .when({ type: 'RegisterAccount', data: registerData() })
        .thenState((state) =>
          expect(state).toMatchObject({
            exists: true,
            accountStatus: 'active',
            deleted: false,
            capabilities: { image: { status: 'available' }, video: { status: 'available' } },
          }),
        ));
  });

  describe('update', () => {
    it('records only the fields that change', () =>
      spec([registered])
        .when({
          type: 'UpdateAccount',
          data: { accountId: '100', changes: { priority: 5, weight: 1 }, updateBy: 'admin', at: at(1) },
        })
        .then([
          {
            type: 'AccountUpdated',
            data: { accountId: '100', changes: { priority: 5 }, updateBy: 'admin', at: at(1) },
          },
        ]));

    it('an update that changes nothing appends nothing', () =>
      spec([registered])
        .when({
          type: 'UpdateAccount',
          data: { accountId: '100', changes: { weight: 1 }, updateBy: 'a', at: at(1) },
        })
        .thenNothing());

    it('refuses an unknown account (ACCOUNT_NOT_FOUND)', () =>
      spec([])
        .when({
          type: 'UpdateAccount',
          data: { accountId: '100', changes: { priority: 1 }, updateBy: 'a', at: T0 },
        })
        .thenThrows('ACCOUNT_NOT_FOUND'));

    it('refuses a deleted account (ACCOUNT_DELETED)', () =>
      spec([registered, removed])
        .when({
          type: 'UpdateAccount',
          data: { accountId: '100', changes: { priority: 1 }, updateBy: 'a', at: T0 },
        })
        .thenThrows('ACCOUNT_DELETED'));

    it('refuses a site that does not fit the account type', () =>
      spec([registered])
        .when({
          type: 'UpdateAccount',
          data: { accountId: '100', changes: { siteType: 'cn' }, updateBy: 'a', at: T0 },
        })
        .thenThrows('VALIDATION_FAILED'));

    it('a new session id travels with its hint', () =>
      spec([registered])
        .when({
          type: 'UpdateAccount',
          data: {
            accountId: '100',
            changes: { sealedSessionId: 'v1.k1.new', sessionHint: 'ab****yz' },
            updateBy: 'a',
            at: T0,
          },
        })
        .then([
          {
            type: 'AccountUpdated',
            data: {
              accountId: '100',
              changes: { sealedSessionId: 'v1.k1.new', sessionHint: 'ab****yz' },
              updateBy: 'a',
              at: T0,
            },
          },
        ]));
  });

  describe('delete', () => {
    it('deletes logically', () =>
      spec([registered])
        .when({ type: 'DeleteAccount', data: { accountId: '100', updateBy: 'admin', at: at(1) } })
        .then([removed]));

    it('is idempotent: deleting again appends nothing', () =>
      spec([registered, removed])
        .when({ type: 'DeleteAccount', data: { accountId: '100', updateBy: 'admin', at: at(2) } })
        .thenNothing());

    it('keeps the account in state, marked deleted', () =>
      spec([registered])
        .when({ type: 'DeleteAccount', data: { accountId: '100', updateBy: 'admin', at: at(1) } })
        .thenState((state) => expect(state).toMatchObject({ exists: true, deleted: true })));
  });

  describe('status change', () => {
    it.each(['inactive', 'banned'] as const)('changes active → %s with reason and upstream code', (to) =>
      spec([registered])
        .when({
          type: 'ChangeAccountStatus',
          data: { accountId: '100', to, reason: 'SESSION_INVALID', upstreamCode: '1015', at: at(1) },
        })
        .then([
          {
            type: 'AccountStatusChanged',
            data: {
              accountId: '100',
              from: 'active',
              to,
              reason: 'SESSION_INVALID',
              upstreamCode: '1015',
              at: at(1),
            },
          },
        ]),
    );

    it('back to active (manual)', () =>
      spec([
        registered,
        {
          type: 'AccountStatusChanged',
          data: { accountId: '100', from: 'active', to: 'banned', reason: 'x', at: at(1) },
        },
      ])
        .when({
          type: 'ChangeAccountStatus',
          data: { accountId: '100', to: 'active', reason: 'manual', at: at(2) },
        })
        .then([
          {
            type: 'AccountStatusChanged',
            data: { accountId: '100', from: 'banned', to: 'active', reason: 'manual', at: at(2) },
          },
        ]));

    it('the same status again appends nothing', () =>
      spec([registered])
        .when({
          type: 'ChangeAccountStatus',
          data: { accountId: '100', to: 'active', reason: 'manual', at: at(1) },
        })
        .thenNothing());

    it('refuses a deleted account', () =>
      spec([registered, removed])
        .when({
          type: 'ChangeAccountStatus',
          data: { accountId: '100', to: 'banned', reason: 'manual', at: at(2) },
        })
        .thenThrows('ACCOUNT_DELETED'));
  });

  describe('capability change per kind', () => {
    const rateLimited = {
      accountId: '100',
      kind: 'video' as const,
      status: 'rate_limited' as const,
      until: at(60),
      reason: 'RATE_LIMITED',
      upstreamCode: '4013',
      strikes: 1,
      at: at(0),
    };

    it('rate-limits one kind until T with reason, upstream code and strikes', () =>
      spec([registered])
        .when({ type: 'ChangeAccountCapability', data: rateLimited })
        .thenState((state) => {
          expect(state).toMatchObject({
            capabilities: {
              video: { status: 'rate_limited', until: at(60), strikes: 1 },
              image: { status: 'available' },
            },
          });
        }));

    it('marks a kind unavailable', () =>
      spec([registered])
        .when({
          type: 'ChangeAccountCapability',
          data: { accountId: '100', kind: 'image', status: 'unavailable', reason: 'manual', at: at(0) },
        })
        .then([
          {
            type: 'AccountCapabilityChanged',
            data: { accountId: '100', kind: 'image', status: 'unavailable', reason: 'manual', at: at(0) },
          },
        ]));

    it('makes a kind available again, clearing strikes', () =>
      spec([registered, { type: 'AccountCapabilityChanged', data: rateLimited }])
        .when({
          type: 'ChangeAccountCapability',
          data: { accountId: '100', kind: 'video', status: 'available', reason: 'probe', at: at(90) },
        })
        .thenState((state) =>
          expect(state).toMatchObject({ capabilities: { video: { status: 'available', strikes: 0 } } }),
        ));

    it('a rate limit without its end is refused', () =>
      spec([registered])
        .when({
          type: 'ChangeAccountCapability',
          data: { accountId: '100', kind: 'image', status: 'rate_limited', reason: 'x', at: at(0) },
        })
        .thenThrows('VALIDATION_FAILED'));

    it('the same capability again appends nothing', () =>
      spec([registered, { type: 'AccountCapabilityChanged', data: rateLimited }])
        .when({ type: 'ChangeAccountCapability', data: { ...rateLimited, at: at(5) } })
        .thenNothing());
  });

  describe('quota reset', () => {
    const outOfCredits: AccountEvent = {
      type: 'AccountCapabilityChanged',
      data: {
        accountId: '100',
        kind: 'image',
        status: 'unavailable',
        until: '2025-06-01T16:00:00.000Z',
        reason: 'INSUFFICIENT_CREDITS',
        at: at(0),
      },
    };

    it('resets the quota, computes the next reset (00:00 UTC+8) and re-enables credit-starved kinds', () =>
      spec([registered, outOfCredits])
        .when({
          type: 'ResetAccountQuota',
          data: { accountId: '100', at: '2025-06-01T16:00:00.000Z', credits: 66 },
        })
        .then([
          {
            type: 'AccountQuotaReset',
            data: {
              accountId: '100',
              at: '2025-06-01T16:00:00.000Z',
              nextResetAt: '2025-06-02T16:00:00.000Z',
              credits: 66,
            },
          },
          {
            type: 'AccountCapabilityChanged',
            data: {
              accountId: '100',
              kind: 'image',
              status: 'available',
              reason: 'quota_reset',
              at: '2025-06-01T16:00:00.000Z',
            },
          },
        ]));

    it('a second reset in the same quota day appends nothing', () =>
      spec([
        registered,
        {
          type: 'AccountQuotaReset',
          data: { accountId: '100', at: '2025-06-01T16:00:00.000Z', nextResetAt: '2025-06-02T16:00:00.000Z' },
        },
      ])
        .when({ type: 'ResetAccountQuota', data: { accountId: '100', at: '2025-06-01T16:00:05.000Z' } })
        .thenNothing());

    it('a new reset time moves the next reset: the reset due at the new time happens', () =>
      spec([
        registered,
        {
          type: 'AccountQuotaReset',
          data: { accountId: '100', at: '2025-06-01T16:00:00.000Z', nextResetAt: '2025-06-02T16:00:00.000Z' },
        },
        {
          type: 'AccountUpdated',
          data: {
            accountId: '100',
            changes: { quotaResetTime: { timeOfDay: '08:00', utcOffsetMinutes: 480 } },
            updateBy: 'admin',
            at: '2025-06-01T18:00:00.000Z',
          },
        },
      ])
        .when({ type: 'ResetAccountQuota', data: { accountId: '100', at: '2025-06-02T00:00:00.000Z' } })
        .then([
          {
            type: 'AccountQuotaReset',
            data: {
              accountId: '100',
              at: '2025-06-02T00:00:00.000Z',
              nextResetAt: '2025-06-03T00:00:00.000Z',
            },
          },
        ]));

    it('a forced reset happens anyway', () =>
      spec([
        registered,
        {
          type: 'AccountQuotaReset',
          data: { accountId: '100', at: '2025-06-01T16:00:00.000Z', nextResetAt: '2025-06-02T16:00:00.000Z' },
        },
      ])
        .when({
          type: 'ResetAccountQuota',
          data: { accountId: '100', at: '2025-06-01T18:00:00.000Z', force: true },
        })
        .then([
          {
            type: 'AccountQuotaReset',
            data: {
              accountId: '100',
              at: '2025-06-01T18:00:00.000Z',
              nextResetAt: '2025-06-02T16:00:00.000Z',
            },
          },
        ]));

    it('a manual unavailability (no until) is left alone', () =>
      spec([
        registered,
        {
          type: 'AccountCapabilityChanged',
          data: { accountId: '100', kind: 'video', status: 'unavailable', reason: 'manual', at: at(0) },
        },
      ])
        .when({ type: 'ResetAccountQuota', data: { accountId: '100', at: at(10) } })
        .thenState((state) =>
          expect(state).toMatchObject({ capabilities: { video: { status: 'unavailable' } } }),
        ));
  });
});
