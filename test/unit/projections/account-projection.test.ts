import type { DomainEvent } from '../../../src/events';
import type { AccountView } from '../../../src/ports/read-models';
import {
  ACCOUNT_STREAM,
  IMAGE_STREAM,
  T0,
  at,
  completed,
  project,
  registered,
  requested,
  started,
} from './support/events';

const account = (events: Array<[string, DomainEvent]>): AccountView => {
  const view = project(events).accounts.get('a1');
  if (!view) throw new Error('no account document');
  return view;
};

describe('account projection', () => {
  it('given a registration, the document carries the requirement columns with their numeric codes', () => {
    const view = account([[ACCOUNT_STREAM, registered({ siteType: 'sg' })]]);
    expect(view).toMatchObject({
      id: 'a1',
      jimengAccount: 'artist@example.com',
      jimengAccountType: 1,
      sessionIdMasked: 'ab****yz',
      siteType: 4,
      accountStatus: 0,
      imageGenerationStatus: 1,
      videoGenerationStatus: 1,
      imageCount: 0,
      videoCount: 0,
      dailyImageQuota: 100,
      dailyVideoQuota: null,
      quotaResetTime: '00:00',
      quotaResetUtcOffsetMinutes: 480,
      // 00:00 in UTC+8 is 16:00 UTC; registered at 00:00 UTC, the next one is that day.
      nextQuotaResetAt: '2030-03-01T16:00:00.000Z',
      lastError: null,
      isDeleted: false,
      createBy: 'admin',
      createdAt: T0,
    });
    expect(JSON.stringify(view)).not.toContain('v1.k1.iv.tag.ct');
  });

  it.each<[string, DomainEvent, Partial<AccountView>]>([
    [
      'an update changes the given fields and codes',
      {
        type: 'AccountUpdated',
        data: {
          accountId: 'a1',
          changes: {
            siteType: 'jp',
            priority: 5,
            accountStatus: 'inactive',
            sealedSessionId: 'x',
            sessionHint: 'cd****ef',
          },
          updateBy: 'ops',
          at: at(60),
        },
      },
      {
        siteType: 3,
        priority: 5,
        accountStatus: 1,
        sessionIdMasked: 'cd****ef',
        updateBy: 'ops',
        updatedAt: at(60),
      },
    ],
    [
      'a ban sets status 2 and the last error',
      {
        type: 'AccountStatusChanged',
        data: {
          accountId: 'a1',
          from: 'active',
          to: 'banned',
          reason: 'ACCOUNT_BANNED',
          upstreamCode: '-4',
          message: 'risk',
          at: at(60),
        },
      },
      {
        accountStatus: 2,
        lastError: { errorClass: 'ACCOUNT_BANNED', upstreamCode: '-4', message: 'risk', at: at(60) },
      },
    ],
    [
      'a manual deactivation is no error',
      {
        type: 'AccountStatusChanged',
        data: { accountId: 'a1', from: 'active', to: 'inactive', reason: 'manual', at: at(60) },
      },
      { accountStatus: 1, lastError: null },
    ],
    [
      'a rate limit sets capability 2 with its end and strikes',
      {
        type: 'AccountCapabilityChanged',
        data: {
          accountId: 'a1',
          kind: 'video',
          status: 'rate_limited',
          until: at(600),
          reason: 'RATE_LIMITED',
          strikes: 2,
          at: at(60),
        },
      },
      {
        videoGenerationStatus: 2,
        videoUnavailableUntil: at(600),
        videoStrikes: 2,
        imageGenerationStatus: 1,
        lastError: { errorClass: 'RATE_LIMITED', message: 'RATE_LIMITED', at: at(60) },
      },
    ],
    [
      'credits running out make the capability 0 until the reset',
      {
        type: 'AccountCapabilityChanged',
        data: {
          accountId: 'a1',
          kind: 'image',
          status: 'unavailable',
          until: at(3600),
          reason: 'INSUFFICIENT_CREDITS',
          at: at(60),
        },
      },
      { imageGenerationStatus: 0, imageUnavailableUntil: at(3600) },
    ],
    [
      'a delete is logical',
      { type: 'AccountDeleted', data: { accountId: 'a1', updateBy: 'ops', at: at(60) } },
      { isDeleted: true, updateBy: 'ops' },
    ],
  ])('given a registered account, %s', (_name, event, expected) => {
    expect(
      account([
        [ACCOUNT_STREAM, registered()],
        [ACCOUNT_STREAM, event],
      ]),
    ).toMatchObject(expected);
  });

  it('counts completions of the account per kind, total and since the last reset', () => {
    const videoStream = 'video-p1.s2';
    const view = account([
      [ACCOUNT_STREAM, registered()],
      [IMAGE_STREAM, requested()],
      [IMAGE_STREAM, started(1)],
      [IMAGE_STREAM, completed(1)],
      [videoStream, requested({ recordId: 'r2', kind: 'video', mode: 'text_to_video', storyboardId: 's2' })],
      [videoStream, started(1, 'a1', 'hk', 'r2')],
      [videoStream, completed(1, 'a1', 'hk', 'r2')],
    ]);
    expect(view).toMatchObject({ imageCount: 1, imageUsedToday: 1, videoCount: 1, videoUsedToday: 1 });
  });

  it('a quota reset zeroes the daily usage, keeps the totals and moves the next reset', () => {
    const view = account([
      [ACCOUNT_STREAM, registered()],
      [IMAGE_STREAM, requested()],
      [IMAGE_STREAM, started(1)],
      [IMAGE_STREAM, completed(1)],
      [
        ACCOUNT_STREAM,
        {
          type: 'AccountQuotaReset',
          data: { accountId: 'a1', at: at(57600), nextResetAt: '2030-03-02T16:00:00.000Z' },
        },
      ],
      [
        ACCOUNT_STREAM,
        {
          type: 'AccountCapabilityChanged',
          data: { accountId: 'a1', kind: 'image', status: 'available', reason: 'quota_reset', at: at(57600) },
        },
      ],
    ]);
    expect(view).toMatchObject({
      imageCount: 1,
      imageUsedToday: 0,
      nextQuotaResetAt: '2030-03-02T16:00:00.000Z',
      imageGenerationStatus: 1,
      imageUnavailableUntil: null,
      imageStrikes: 0,
    });
  });
});
