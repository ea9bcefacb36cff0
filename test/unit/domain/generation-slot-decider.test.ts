import { generationSlotDecider, type CompleteGeneration, type StartAttempt } from '../../../src/commands';
import type { GenerationEvent, GenerationKind, GenerationMode, GenerationParams } from '../../../src/events';
import { deciderSpec } from './support/given-when-then';
import {
  at,
  attemptFailed,
  completed,
  deleted,
  regenerated,
  requestData,
  requested,
  started,
} from './support/fixtures';

const spec = deciderSpec(generationSlotDecider);
const start = (overrides: Partial<StartAttempt['data']> = {}): StartAttempt => ({
  type: 'StartAttempt',
  data: {
    recordId: 'r1',
    accountId: 'a1',
    site: 'hk',
    leaseId: 'lease-1',
    leaseDeadline: at(600),
    at: at(1),
    ...overrides,
  },
});
const failed: GenerationEvent = {
  type: 'GenerationFailed',
  data: { recordId: 'r1', errorCode: 'CONTENT_REJECTED', message: 'no', attempts: 1, at: at(3) },
};

describe('generation slot decider', () => {
  describe('request', () => {
    it.each<[GenerationKind, GenerationMode, GenerationParams]>([
      ['image', 'text_to_image', {}],
      ['image', 'image_to_image', { images: ['https://x.example/a.png'] }],
      ['video', 'text_to_video', {}],
      ['video', 'image_to_video', { images: ['https://x.example/a.png'] }],
      [
        'video',
        'first_last_frame',
        { firstFrameUrl: 'https://x.example/1.png', lastFrameUrl: 'https://x.example/2.png' },
      ],
    ])('accepts %s mode %s', (kind, mode, params) =>
      spec([])
        .when({ type: 'RequestGeneration', data: requestData({ kind, mode, params }) })
        .then([requested({ kind, mode, params })]),
    );

    it('a new record is pending', () =>
      spec([])
        .when({ type: 'RequestGeneration', data: requestData() })
        .thenState((s) => expect(s).toMatchObject({ status: 'pending', recordId: 'r1', currentAttempt: 0 })));

    it('refuses a mode of the other kind', () =>
      spec([])
        .when({ type: 'RequestGeneration', data: requestData({ kind: 'image', mode: 'text_to_video' }) })
        .thenThrows('VALIDATION_FAILED'));

    it.each([
      ['image', 'image_to_image'],
      ['video', 'image_to_video'],
      ['video', 'first_last_frame'],
    ] as const)('refuses %s mode %s without its input images', (kind, mode) =>
      spec([])
        .when({ type: 'RequestGeneration', data: requestData({ kind, mode, params: {} }) })
        .thenThrows('VALIDATION_FAILED'),
    );

    it.each([
      ['pending', [requested()]],
      ['processing', [requested(), started(1)]],
      ['completed', [requested(), started(1), completed(1)]],
      ['failed', [requested(), failed]],
    ] as const)('refuses a second request while the record is %s (STORYBOARD_EXISTS)', (_status, given) =>
      spec([...given])
        .when({ type: 'RequestGeneration', data: requestData({ recordId: 'r2' }) })
        .thenThrows('STORYBOARD_EXISTS'),
    );

    it('after a delete, a new request starts a new record id', () =>
      spec([requested(), deleted()])
        .when({ type: 'RequestGeneration', data: requestData({ recordId: 'r2' }) })
        .thenState((s) =>
          expect(s).toMatchObject({ status: 'pending', recordId: 'r2', deletedRecordIds: ['r1'] }),
        ));

    it('after a delete, the old record id cannot be reused', () =>
      spec([requested(), deleted()])
        .when({ type: 'RequestGeneration', data: requestData({ recordId: 'r1' }) })
        .thenThrows('VALIDATION_FAILED'));
  });

  describe('regenerate', () => {
    const regenerate = (recordId?: string) =>
      ({
        type: 'RequestRegeneration',
        data: {
          ...(recordId === undefined ? {} : { recordId }),
          changes: { prompt: 'a dog', params: { resolution: '2k' } },
          updateBy: 'bob',
          at: at(100),
        },
      }) as const;

    it.each([
      ['pending', [requested()]],
      ['processing', [requested(), started(1)]],
      ['retrying', [requested(), started(1), attemptFailed(1, 'UPSTREAM_FAILED')]],
      ['completed', [requested(), started(1), completed(1)]],
      ['failed', [requested(), failed]],
    ] as const)('regenerates a %s record, keeping its record id', (_status, given) =>
      spec([...given])
        .when(regenerate())
        .then([
          {
            type: 'RegenerationRequested',
            data: {
              recordId: 'r1',
              changes: { prompt: 'a dog', params: { resolution: '2k' } },
              updateBy: 'bob',
              at: at(100),
            },
          },
        ]),
    );

    it('clears results, merges params and sets status pending', () =>
      spec([requested(), started(1), completed(1)])
        .when(regenerate('r1'))
        .thenState((s) =>
          expect(s).toMatchObject({
            status: 'pending',
            recordId: 'r1',
            urls: [],
            prompt: 'a dog',
            params: { ratio: '16:9', resolution: '2k' },
            siteSwitchCount: 0,
            run: { attempts: 0, exclusions: [] },
          }),
        ));

    it('refuses an empty slot (RECORD_NOT_LIVE)', () =>
      spec([]).when(regenerate()).thenThrows('RECORD_NOT_LIVE'));

    it('refuses a deleted record (RECORD_NOT_LIVE)', () =>
      spec([requested(), deleted()]).when(regenerate('r1')).thenThrows('RECORD_NOT_LIVE'));

    it('refuses a record id that is not the live one', () =>
      spec([requested()]).when(regenerate('other')).thenThrows('RECORD_NOT_LIVE'));

    it('refuses a mode change that lacks inputs', () =>
      spec([requested()])
        .when({
          type: 'RequestRegeneration',
          data: { changes: { mode: 'image_to_image' }, updateBy: 'bob', at: at(100) },
        })
        .thenThrows('VALIDATION_FAILED'));
  });

  describe('start attempt', () => {
    it('starts attempt 1 of a pending record', () =>
      spec([requested()])
        .when(start())
        .then([started(1)]));

    it('a retrying record starts attempt currentAttempt + 1, with a site switch on the same account', () =>
      spec([requested(), started(1), attemptFailed(1, 'SITE_MISMATCH')])
        .when(start({ site: 'jp', leaseId: 'lease-2', at: at(2) }))
        .then([
          {
            type: 'SiteSwitched',
            data: {
              recordId: 'r1',
              attempt: 1,
              accountId: 'a1',
              fromSite: 'hk',
              toSite: 'jp',
              reason: 'SITE_MISMATCH',
              message: 'boom',
              at: at(2),
            },
          },
          started(2, 'a1', 'jp', at(2)),
        ]));

    it('an account switch is recorded with from → to, and both count as switches', () =>
      spec([requested(), started(1), attemptFailed(1, 'RATE_LIMITED')])
        .when(start({ accountId: 'a2', site: 'jp', leaseId: 'lease-2', at: at(2) }))
        .thenState((s) =>
          expect(s).toMatchObject({ siteSwitchCount: 1, accountSwitchCount: 1, accountId: 'a2' }),
        ));

    it('emits the AccountSwitched event before GenerationStarted', () =>
      spec([requested(), started(1), attemptFailed(1, 'RATE_LIMITED')])
        .when(start({ accountId: 'a2', leaseId: 'lease-2', at: at(2) }))
        .then([
          {
            type: 'AccountSwitched',
            data: {
              recordId: 'r1',
              attempt: 1,
              fromAccountId: 'a1',
              toAccountId: 'a2',
              reason: 'RATE_LIMITED',
              message: 'boom',
              at: at(2),
            },
          },
          started(2, 'a2', 'hk', at(2)),
        ]));

    it('refuses a start while an attempt runs (another worker claimed it)', () =>
      spec([requested(), started(1)])
        .when(start())
        .thenThrows('STALE_ATTEMPT'));

    it('refuses a start whose expected attempt number has moved on', () =>
      spec([requested()])
        .when(start({ attempt: 2 }))
        .thenThrows('STALE_ATTEMPT'));

    it('refuses a start on a deleted record', () =>
      spec([requested(), deleted()]).when(start()).thenThrows('STALE_ATTEMPT'));

    it.each([
      ['completed', [requested(), started(1), completed(1)]],
      ['failed', [requested(), failed]],
    ] as const)('refuses a start on a %s record', (_status, given) =>
      spec([...given])
        .when(start())
        .thenThrows('STALE_ATTEMPT'),
    );

    it('refuses an (account, site) pair this run already failed on', () =>
      spec([requested(), started(1), attemptFailed(1, 'SITE_MISMATCH')])
        .when(start({ site: 'hk' }))
        .thenThrows('VALIDATION_FAILED'));

    it('refuses any site of an account that failed account-wide in this run', () =>
      spec([requested(), started(1), attemptFailed(1, 'UPSTREAM_FAILED')])
        .when(start({ site: 'jp' }))
        .thenThrows('VALIDATION_FAILED'));

    it('a regeneration forgets the exclusions of the previous run', () =>
      spec([requested(), started(1), attemptFailed(1, 'UPSTREAM_FAILED'), regenerated()])
        .when(start({ at: at(101) }))
        .thenState((s) =>
          expect(s).toMatchObject({ status: 'processing', currentAttempt: 2, run: { attempts: 1 } }),
        ));

    it('attempt numbers keep counting across regenerations', () =>
      spec([requested(), started(1), regenerated()])
        .when(start({ at: at(101) }))
        .thenState((s) => expect(s).toMatchObject({ currentAttempt: 2 })));
  });

  describe('complete', () => {
    const complete = (attempt: number, recordId = 'r1'): CompleteGeneration => ({
      type: 'CompleteGeneration',
      data: { recordId, attempt, urls: ['https://cdn.example/x.png'], durationMs: 1000, at: at(50) },
    });

    it('completes the running attempt with its account and site', () =>
      spec([requested(), started(1)])
        .when(complete(1))
        .then([completed(1)]));

    it('refuses the completion of a superseded attempt (regenerated meanwhile)', () =>
      spec([requested(), started(1), regenerated()])
        .when(complete(1))
        .thenThrows('STALE_ATTEMPT'));

    it('refuses a stale worker after a regeneration and a new start', () =>
      spec([requested(), started(1), regenerated(), started(2)])
        .when(complete(1))
        .thenThrows('STALE_ATTEMPT'));

    it('refuses the completion of a deleted record', () =>
      spec([requested(), started(1), deleted()])
        .when(complete(1))
        .thenThrows('STALE_ATTEMPT'));

    it('refuses a second completion', () =>
      spec([requested(), started(1), completed(1)])
        .when(complete(1))
        .thenThrows('STALE_ATTEMPT'));
  });

  describe('attempt failed / abandoned', () => {
    it('records a failed attempt; the record becomes retrying', () =>
      spec([requested(), started(1)])
        .when({
          type: 'FailAttempt',
          data: {
            recordId: 'r1',
            attempt: 1,
            errorClass: 'TIMEOUT',
            message: 'late',
            submitted: true,
            at: at(2),
          },
        })
        .thenState((s) =>
          expect(s).toMatchObject({
            status: 'retrying',
            run: { timeoutsAfterSubmission: 1, exclusions: [{ accountId: 'a1', site: 'hk' }] },
          }),
        ));

    it('refuses a failure of a superseded attempt', () =>
      spec([requested(), started(1), regenerated()])
        .when({
          type: 'FailAttempt',
          data: {
            recordId: 'r1',
            attempt: 1,
            errorClass: 'TIMEOUT',
            message: 'x',
            submitted: false,
            at: at(2),
          },
        })
        .thenThrows('STALE_ATTEMPT'));

    it('abandons a running attempt (lease expired) → retrying, same pair may be used again', () =>
      spec([requested(), started(1)])
        .when({
          type: 'AbandonAttempt',
          data: { recordId: 'r1', attempt: 1, reason: 'lease_expired', at: at(700) },
        })
        .thenState((s) =>
          expect(s).toMatchObject({ status: 'retrying', run: { abandoned: 1, exclusions: [] } }),
        ));

    it('refuses to abandon an attempt that is not running', () =>
      spec([requested(), started(1), completed(1)])
        .when({
          type: 'AbandonAttempt',
          data: { recordId: 'r1', attempt: 1, reason: 'shutdown', at: at(700) },
        })
        .thenThrows('STALE_ATTEMPT'));
  });

  describe('fail', () => {
    const fail = (attempt?: number) =>
      ({
        type: 'FailGeneration',
        data: {
          recordId: 'r1',
          ...(attempt === undefined ? {} : { attempt }),
          errorCode: 'NO_ACCOUNT_AVAILABLE',
          message: 'none',
          at: at(9),
        },
      }) as const;

    it('fails a processing record from its running attempt', () =>
      spec([requested(), started(1)])
        .when(fail(1))
        .then([
          {
            type: 'GenerationFailed',
            data: {
              recordId: 'r1',
              attempt: 1,
              errorCode: 'NO_ACCOUNT_AVAILABLE',
              message: 'none',
              attempts: 1,
              at: at(9),
            },
          },
        ]));

    it('fails a pending record (no account until the deadline)', () =>
      spec([requested()])
        .when(fail())
        .thenState((s) => expect(s).toMatchObject({ status: 'failed' })));

    it('fails a retrying record', () =>
      spec([requested(), started(1), attemptFailed(1, 'UPSTREAM_FAILED')])
        .when(fail())
        .thenState((s) => expect(s).toMatchObject({ status: 'failed', errorCode: 'NO_ACCOUNT_AVAILABLE' })));

    it('refuses a fail without the attempt while one runs', () =>
      spec([requested(), started(1)])
        .when(fail())
        .thenThrows('STALE_ATTEMPT'));

    it('refuses a fail of a completed record', () =>
      spec([requested(), started(1), completed(1)])
        .when(fail())
        .thenThrows('STALE_ATTEMPT'));
  });

  describe('delete', () => {
    const remove = (recordId?: string) =>
      ({
        type: 'DeleteRecord',
        data: { ...(recordId === undefined ? {} : { recordId }), updateBy: 'bob', at: at(200) },
      }) as const;

    it('deletes the live record logically; the slot is empty again', () =>
      spec([requested(), started(1)])
        .when(remove('r1'))
        .thenState((s) => expect(s).toEqual({ status: 'empty', deletedRecordIds: ['r1'] })));

    it('deletes the live record when addressed by storyboard only', () =>
      spec([requested()]).when(remove()).then([deleted()]));

    it('is idempotent: deleting a deleted record by its id appends nothing', () =>
      spec([requested(), deleted()]).when(remove('r1')).thenNothing());

    it('refuses an empty slot (RECORD_NOT_LIVE)', () =>
      spec([]).when(remove()).thenThrows('RECORD_NOT_LIVE'));

    it('refuses a record id that is not the live one', () =>
      spec([requested()]).when(remove('r9')).thenThrows('RECORD_NOT_LIVE'));
  });

  describe('callbacks', () => {
    it('records a delivered callback without changing status', () =>
      spec([requested(), started(1), completed(1)])
        .when({
          type: 'RecordCallbackDelivered',
          data: { recordId: 'r1', url: 'https://hook.example/cb', httpStatus: 200, attempts: 1, at: at(60) },
        })
        .thenState((s) => expect(s).toMatchObject({ status: 'completed' })));

    it('records a failed callback', () =>
      spec([requested(), started(1), completed(1)])
        .when({
          type: 'RecordCallbackFailed',
          data: {
            recordId: 'r1',
            url: 'https://hook.example/cb',
            error: 'HTTP 500',
            attempts: 3,
            final: true,
            at: at(60),
          },
        })
        .then([
          {
            type: 'CallbackFailed',
            data: {
              recordId: 'r1',
              url: 'https://hook.example/cb',
              error: 'HTTP 500',
              attempts: 3,
              final: true,
              at: at(60),
            },
          },
        ]));

    it('refuses a callback of a deleted record', () =>
      spec([requested(), deleted()])
        .when({
          type: 'RecordCallbackDelivered',
          data: { recordId: 'r1', url: 'https://hook.example/cb', httpStatus: 200, attempts: 1, at: at(60) },
        })
        .thenThrows('RECORD_NOT_LIVE'));
  });
});
