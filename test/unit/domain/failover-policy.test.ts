import {
  accountDecider,
  decideFailover,
  DEFAULT_FAILOVER_CONFIG,
  foldEvents,
  planNextAttempt,
  rateLimitCooldown,
  selectionContextFor,
  generationSlotDecider,
  type AttemptError,
  type FailoverJob,
  type RegisteredAccountState,
  type GenerationRecordState,
} from '../../../src/commands';
import type { AccountEvent } from '../../../src/events';
import { accountRegistered, attemptFailed, requested, started, T0 } from './support/fixtures';

const NOW = new Date(Date.parse(T0) + 60_000);
const account = (...events: AccountEvent[]) =>
  foldEvents(accountDecider, [accountRegistered({ accountId: 'a1' }), ...events]) as RegisteredAccountState;
const job = (overrides: Partial<FailoverJob> = {}): FailoverJob => ({
  kind: 'image',
  runStartedAt: T0,
  attempts: 1,
  exclusions: [],
  timeoutsAfterSubmission: 0,
  failuresByClass: {},
  ...overrides,
});
const error = (
  errorClass: AttemptError['errorClass'],
  overrides: Partial<AttemptError> = {},
): AttemptError => ({
  errorClass,
  message: 'upstream said no',
  submitted: false,
  ...overrides,
});
const failover = (
  e: AttemptError,
  options: {
    job?: Partial<FailoverJob>;
    site?: 'hk' | 'jp' | 'sg' | 'us';
    account?: RegisteredAccountState;
    now?: Date;
  } = {},
) =>
  decideFailover({
    error: e,
    job: job(options.job),
    attempt: { accountId: 'a1', site: options.site ?? 'hk' },
    account: options.account ?? account(),
    now: options.now ?? NOW,
  });

describe('failover policy', () => {
  describe('SITE_MISMATCH', () => {
    it('retries the same account on its next site (hk → jp)', () =>
      expect(failover(error('SITE_MISMATCH'))).toEqual({
        type: 'retry',
        errorClass: 'SITE_MISMATCH',
        excludePair: { accountId: 'a1', site: 'hk' },
        excludeAccount: false,
        preferAccountId: 'a1',
        accountEvents: [],
      }));

    it('after the last site, another account (no preference)', () =>
      expect(
        failover(error('SITE_MISMATCH'), {
          site: 'sg',
          job: {
            exclusions: [
              { accountId: 'a1', site: 'hk' },
              { accountId: 'a1', site: 'jp' },
            ],
          },
        }),
      ).not.toHaveProperty('preferAccountId'));

    it('a domestic account has no other site: another account', () =>
      expect(
        decideFailover({
          error: error('SITE_MISMATCH'),
          job: job(),
          attempt: { accountId: 'a1', site: 'cn' },
          account: foldEvents(accountDecider, [
            accountRegistered({ accountId: 'a1', accountType: 0, siteType: 'cn' }),
          ]) as RegisteredAccountState,
          now: NOW,
        }),
      ).toMatchObject({ type: 'retry', excludeAccount: false }));

    it('selection then prefers the same account on its next site', () => {
      const record = foldEvents(generationSlotDecider, [
        requested(),
        started(1),
        attemptFailed(1, 'SITE_MISMATCH'),
      ]);
      expect(selectionContextFor(record as GenerationRecordState, NOW)).toMatchObject({
        preferAccountId: 'a1',
        exclusions: [{ accountId: 'a1', site: 'hk' }],
      });
    });
  });

  describe('RATE_LIMITED', () => {
    it('cools the account for the kind (base 60 s), then another account', () =>
      expect(failover(error('RATE_LIMITED', { upstreamCode: '4013' }))).toEqual({
        type: 'retry',
        errorClass: 'RATE_LIMITED',
        excludePair: { accountId: 'a1', site: 'hk' },
        excludeAccount: true,
        accountEvents: [
          {
            type: 'AccountCapabilityChanged',
            data: {
              accountId: 'a1',
              kind: 'image',
              status: 'rate_limited',
              until: new Date(NOW.getTime() + 60_000).toISOString(),
              reason: 'RATE_LIMITED',
              upstreamCode: '4013',
              message: 'upstream said no',
              strikes: 1,
              at: NOW.toISOString(),
            },
          },
        ],
      }));

    it('honours a longer upstream hint', () =>
      expect(rateLimitCooldown(account(), 'image', NOW, 300_000).until).toEqual(
        new Date(NOW.getTime() + 300_000),
      ));

    it('doubles per consecutive strike, up to 30 minutes', () => {
      const struck = (strikes: number) =>
        account({
          type: 'AccountCapabilityChanged',
          data: {
            accountId: 'a1',
            kind: 'image',
            status: 'rate_limited',
            until: NOW.toISOString(),
            reason: 'RATE_LIMITED',
            strikes,
            at: T0,
          },
        });
      expect(rateLimitCooldown(struck(1), 'image', NOW, undefined)).toEqual({
        strikes: 2,
        until: new Date(NOW.getTime() + 120_000),
      });
      expect(rateLimitCooldown(struck(3), 'image', NOW, undefined).until).toEqual(
        new Date(NOW.getTime() + 480_000),
      );
      expect(rateLimitCooldown(struck(12), 'image', NOW, undefined).until).toEqual(
        new Date(NOW.getTime() + 1_800_000),
      );
    });

    it('strikes are forgotten an hour after the last cooldown ended', () => {
      const old = account({
        type: 'AccountCapabilityChanged',
        data: {
          accountId: 'a1',
          kind: 'image',
          status: 'rate_limited',
          until: T0,
          reason: 'x',
          strikes: 5,
          at: T0,
        },
      });
      expect(rateLimitCooldown(old, 'image', new Date(Date.parse(T0) + 3_600_000), undefined).strikes).toBe(
        1,
      );
    });
  });

  it('INSUFFICIENT_CREDITS → capability unavailable until the quota reset (00:00 UTC+8), another account', () =>
    expect(failover(error('INSUFFICIENT_CREDITS'))).toMatchObject({
      type: 'retry',
      excludeAccount: true,
      accountEvents: [
        {
          type: 'AccountCapabilityChanged',
          data: {
            kind: 'image',
            status: 'unavailable',
            until: '2025-06-01T16:00:00.000Z',
            reason: 'INSUFFICIENT_CREDITS',
          },
        },
      ],
    }));

  describe('SESSION_INVALID / ACCOUNT_BANNED', () => {
    it('on an international account with sites left: tries its next site first (no status change)', () =>
      expect(failover(error('SESSION_INVALID', { upstreamCode: '1015' }), { site: 'hk' })).toMatchObject({
        type: 'retry',
        errorClass: 'SITE_MISMATCH',
        excludeAccount: false,
        preferAccountId: 'a1',
        accountEvents: [],
      }));

    it('once every site of the account answered so: account → inactive, another account', () =>
      expect(
        failover(error('SESSION_INVALID', { upstreamCode: '1015' }), {
          site: 'sg',
          job: {
            exclusions: [
              { accountId: 'a1', site: 'hk' },
              { accountId: 'a1', site: 'jp' },
            ],
          },
        }),
      ).toMatchObject({
        type: 'retry',
        errorClass: 'SESSION_INVALID',
        excludeAccount: true,
        accountEvents: [
          {
            type: 'AccountStatusChanged',
            data: {
              accountId: 'a1',
              from: 'active',
              to: 'inactive',
              reason: 'SESSION_INVALID',
              upstreamCode: '1015',
            },
          },
        ],
      }));

    it('on a domestic account (cn only): account → inactive at once', () =>
      expect(
        decideFailover({
          error: error('SESSION_INVALID'),
          job: job(),
          attempt: { accountId: 'a1', site: 'cn' },
          account: foldEvents(accountDecider, [
            accountRegistered({ accountId: 'a1', accountType: 0, siteType: 'cn' }),
          ]) as RegisteredAccountState,
          now: NOW,
        }),
      ).toMatchObject({
        type: 'retry',
        errorClass: 'SESSION_INVALID',
        excludeAccount: true,
        accountEvents: [{ type: 'AccountStatusChanged', data: { to: 'inactive' } }],
      }));

    it('on another site: treated as a site mismatch (no status change)', () =>
      expect(failover(error('SESSION_INVALID'), { site: 'jp' })).toMatchObject({
        type: 'retry',
        errorClass: 'SITE_MISMATCH',
        excludeAccount: false,
        accountEvents: [],
      }));

    it('banned: account → banned, another account', () =>
      expect(failover(error('ACCOUNT_BANNED'))).toMatchObject({
        type: 'retry',
        excludeAccount: true,
        accountEvents: [{ type: 'AccountStatusChanged', data: { to: 'banned', reason: 'ACCOUNT_BANNED' } }],
      }));

    it('no account events for a deleted account', () =>
      expect(
        failover(error('ACCOUNT_BANNED'), {
          account: account({ type: 'AccountDeleted', data: { accountId: 'a1', updateBy: 'x', at: T0 } }),
        }),
      ).toMatchObject({ accountEvents: [] }));
  });

  it.each(['CONTENT_REJECTED', 'BAD_REQUEST'] as const)('%s fails the record at once', (errorClass) =>
    expect(failover(error(errorClass))).toEqual({
      type: 'fail',
      errorClass,
      errorCode: errorClass,
      message: 'upstream said no',
      accountEvents: [],
    }),
  );

  describe('TIMEOUT', () => {
    it('after submission: one resubmission, on another pair', () =>
      expect(failover(error('TIMEOUT', { submitted: true }))).toMatchObject({
        type: 'retry',
        errorClass: 'TIMEOUT',
        excludePair: { accountId: 'a1', site: 'hk' },
      }));

    it('after submission, a second time: fail with TIMEOUT (never blindly billed again)', () =>
      expect(
        failover(error('TIMEOUT', { submitted: true }), { job: { timeoutsAfterSubmission: 1 } }),
      ).toMatchObject({
        type: 'fail',
        errorCode: 'TIMEOUT',
      }));

    it('before submission: retried without counting as a resubmission', () =>
      expect(failover(error('TIMEOUT'), { job: { timeoutsAfterSubmission: 1 } })).toMatchObject({
        type: 'retry',
      }));

    it('is counted separately in the record', () => {
      const record = foldEvents(generationSlotDecider, [
        requested(),
        started(1),
        attemptFailed(1, 'TIMEOUT', 'a1', 'hk', true),
      ]) as GenerationRecordState;
      expect(record.run.timeoutsAfterSubmission).toBe(1);
    });
  });

  describe('UPSTREAM_FAILED', () => {
    it('retries on another account', () =>
      expect(failover(error('UPSTREAM_FAILED'))).toMatchObject({ type: 'retry', excludeAccount: true }));

    it('is bounded: after 3 retried upstream failures, the 4th fails the record', () => {
      const after = (n: number) =>
        failover(error('UPSTREAM_FAILED'), { job: { failuresByClass: { UPSTREAM_FAILED: n } } });
      expect(after(2)).toMatchObject({ type: 'retry' });
      expect(after(3)).toMatchObject({ type: 'fail', errorCode: 'UPSTREAM_FAILED' });
    });
  });

  describe('budget and deadline', () => {
    it('a retry past the switch budget (10 attempts) fails with SWITCH_BUDGET_EXHAUSTED, keeping account events', () =>
      expect(failover(error('RATE_LIMITED'), { job: { attempts: 10 } })).toMatchObject({
        type: 'fail',
        errorCode: 'SWITCH_BUDGET_EXHAUSTED',
        accountEvents: [{ type: 'AccountCapabilityChanged' }],
      }));

    it('a retry past the deadline (image 30 min) fails with DEADLINE_EXCEEDED', () =>
      expect(failover(error('SITE_MISMATCH'), { now: new Date(Date.parse(T0) + 30 * 60_000) })).toMatchObject(
        { type: 'fail', errorCode: 'DEADLINE_EXCEEDED' },
      ));

    it('video jobs get 60 minutes', () =>
      expect(DEFAULT_FAILOVER_CONFIG.deadlineMs).toEqual({ image: 30 * 60_000, video: 60 * 60_000 }));
  });

  describe('planNextAttempt', () => {
    const j = { kind: 'image' as const, runStartedAt: T0, attempts: 1 };
    it('starts on the selected account', () =>
      expect(planNextAttempt({ type: 'selected', accountId: 'a', site: 'hk' }, j, NOW)).toEqual({
        type: 'start',
        accountId: 'a',
        site: 'hk',
      }));

    it('waits for the earliest recovery within the deadline', () => {
      const until = new Date(NOW.getTime() + 60_000);
      expect(planNextAttempt({ type: 'wait', waitUntil: until }, j, NOW)).toEqual({ type: 'wait', until });
    });

    it('a recovery after the deadline fails with NO_ACCOUNT_AVAILABLE', () =>
      expect(
        planNextAttempt({ type: 'wait', waitUntil: new Date(Date.parse(T0) + 31 * 60_000) }, j, NOW),
      ).toMatchObject({ type: 'fail', errorCode: 'NO_ACCOUNT_AVAILABLE' }));

    it('nothing eligible ever: NO_ACCOUNT_AVAILABLE', () =>
      expect(planNextAttempt({ type: 'none', reason: 'empty' }, j, NOW)).toMatchObject({
        type: 'fail',
        errorCode: 'NO_ACCOUNT_AVAILABLE',
      }));

    it('past the deadline: DEADLINE_EXCEEDED; budget used: SWITCH_BUDGET_EXHAUSTED', () => {
      const selected = { type: 'selected' as const, accountId: 'a', site: 'hk' as const };
      expect(planNextAttempt(selected, j, new Date(Date.parse(T0) + 30 * 60_000))).toMatchObject({
        errorCode: 'DEADLINE_EXCEEDED',
      });
      expect(planNextAttempt(selected, { ...j, attempts: 10 }, NOW)).toMatchObject({
        errorCode: 'SWITCH_BUDGET_EXHAUSTED',
      });
    });
  });
});
