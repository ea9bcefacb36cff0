import type { DomainEvent, GenerationEvent } from '../../../src/events';
import type { ProjectedRecordView } from '../../../src/projections';
import { IMAGE_STREAM, T0, at, completed, failed, project, requested, started } from './support/events';

const record = (events: GenerationEvent[], id = 'r1', kind = 'image'): ProjectedRecordView => {
  const view = project(events.map((event): [string, DomainEvent] => [IMAGE_STREAM, event])).records.get(
    `${kind}:${id}`,
  );
  if (!view) throw new Error(`no record document ${id}`);
  return view as unknown as ProjectedRecordView;
};

const siteSwitched: GenerationEvent = {
  type: 'SiteSwitched',
  data: {
    recordId: 'r1',
    attempt: 1,
    accountId: 'a1',
    fromSite: 'hk',
    toSite: 'jp',
    reason: 'SITE_MISMATCH',
    upstreamCode: '1180',
    message: 'wrong site',
    at: at(20),
  },
};
const accountSwitched: GenerationEvent = {
  type: 'AccountSwitched',
  data: {
    recordId: 'r1',
    attempt: 2,
    fromAccountId: 'a1',
    toAccountId: 'a2',
    reason: 'RATE_LIMITED',
    at: at(30),
  },
};
const regenerated: GenerationEvent = {
  type: 'RegenerationRequested',
  data: {
    recordId: 'r1',
    changes: { prompt: 'a dog', params: { resolution: '2k' } },
    updateBy: 'bob',
    at: at(100),
  },
};
const deleted: GenerationEvent = {
  type: 'RecordDeleted',
  data: { recordId: 'r1', updateBy: 'bob', at: at(200) },
};

describe('generation record projection', () => {
  it('given a request, the record is pending (0) with the request fields', () => {
    const view = record([requested({ callbackUrl: 'https://backend.example/hook' })]);
    expect(view).toMatchObject({
      id: 'r1',
      kind: 'image',
      mode: 'text_to_image',
      streamId: IMAGE_STREAM,
      projectId: 'p1',
      storyboardId: 's1',
      workId: 'w1',
      model: 'jimeng-4.0',
      prompt: 'a cat on a roof',
      generationStatus: 0,
      jimengAccountsId: null,
      urls: [],
      siteSwitchCount: 0,
      callbackUrl: 'https://backend.example/hook',
      callbackStatus: 'pending',
      createBy: 'alice',
      createdAt: T0,
      run: 1,
    });
  });

  it.each<[string, GenerationEvent[], Partial<ProjectedRecordView>]>([
    [
      'a started attempt makes it processing (1) on that account',
      [started(1)],
      { generationStatus: 1, jimengAccountsId: 'a1', attemptCount: 1 },
    ],
    [
      'a failed attempt makes it retrying (4) with the error and the retry time',
      [started(1, 'a1', 'hk'), failed(1, 'RATE_LIMITED')],
      { generationStatus: 4, errorCode: 'RATE_LIMITED', errorMessage: 'RATE_LIMITED on hk', retryAt: at(70) },
    ],
    [
      'a completion makes it completed (2) with the urls',
      [started(1), completed(1)],
      { generationStatus: 2, urls: ['https://cdn.example/r1-1.png'], errorCode: null, completedAt: at(18) },
    ],
    [
      'a final failure makes it failed (3) with the error code',
      [
        started(1),
        {
          type: 'GenerationFailed',
          data: {
            recordId: 'r1',
            attempt: 1,
            errorCode: 'CONTENT_REJECTED',
            message: 'nope',
            attempts: 1,
            at: at(15),
          },
        },
      ],
      { generationStatus: 3, errorCode: 'CONTENT_REJECTED', errorMessage: 'nope' },
    ],
    ['a delete is logical', [deleted], { isDeleted: true, updateBy: 'bob' }],
  ])('given a request, %s', (_name, events, expected) => {
    expect(record([requested(), ...events])).toMatchObject(expected);
  });

  it('counts site and account switches as the domain does and keeps their history', () => {
    const view = record([
      requested(),
      started(1, 'a1', 'hk'),
      failed(1, 'SITE_MISMATCH', 'a1', 'hk'),
      siteSwitched,
      started(2, 'a1', 'jp'),
      failed(2, 'RATE_LIMITED', 'a1', 'jp'),
      accountSwitched,
      started(3, 'a2', 'sg'),
      completed(3, 'a2', 'sg'),
    ]);
    expect(view).toMatchObject({
      generationStatus: 2,
      siteSwitchCount: 2,
      accountSwitchCount: 1,
      attemptCount: 3,
      jimengAccountsId: 'a2',
    });
    expect(view.switchHistory).toEqual([
      {
        run: 1,
        type: 'site',
        attempt: 1,
        fromAccountId: 'a1',
        toAccountId: 'a1',
        fromSite: 'hk',
        toSite: 'jp',
        reason: 'SITE_MISMATCH',
        upstreamCode: '1180',
        message: 'wrong site',
        at: at(20),
      },
      {
        run: 1,
        type: 'account',
        attempt: 2,
        fromAccountId: 'a1',
        toAccountId: 'a2',
        fromSite: 'jp',
        toSite: 'sg',
        reason: 'RATE_LIMITED',
        at: at(30),
      },
    ]);
    expect(view.attempts.map((a) => [a.attempt, a.accountId, a.site, a.outcome, a.errorClass])).toEqual([
      [1, 'a1', 'hk', 'failed', 'SITE_MISMATCH'],
      [2, 'a1', 'jp', 'failed', 'RATE_LIMITED'],
      [3, 'a2', 'sg', 'completed', undefined],
    ]);
  });

  it('an abandoned attempt is retrying (4) and marked possibly submitted', () => {
    const view = record([
      requested(),
      started(1),
      {
        type: 'AttemptAbandoned',
        data: {
          recordId: 'r1',
          attempt: 1,
          accountId: 'a1',
          site: 'hk',
          reason: 'lease_expired',
          at: at(40),
        },
      },
    ]);
    expect(view.generationStatus).toBe(4);
    expect(view.attempts[0]).toMatchObject({
      outcome: 'abandoned',
      errorClass: 'lease_expired',
      submitted: true,
      endedAt: at(40),
    });
  });

  it('regeneration overwrites results and run counters, keeps the id and the tagged history of run 1', () => {
    const view = record([
      requested(),
      started(1, 'a1', 'hk'),
      failed(1, 'SITE_MISMATCH', 'a1', 'hk'),
      siteSwitched,
      started(2, 'a1', 'jp'),
      completed(2, 'a1', 'jp'),
      regenerated,
      started(3, 'a1', 'hk'),
    ]);
    expect(view).toMatchObject({
      id: 'r1',
      run: 2,
      generationStatus: 1,
      prompt: 'a dog',
      params: { ratio: '16:9', resolution: '2k' },
      urls: [],
      completedAt: null,
      siteSwitchCount: 0,
      accountSwitchCount: 0,
      attemptCount: 1,
      updateBy: 'bob',
    });
    expect(view.switchHistory.map((s) => s.run)).toEqual([1]);
    expect(view.attempts.map((a) => [a.run, a.attempt, a.outcome])).toEqual([
      [1, 1, 'failed'],
      [1, 2, 'completed'],
      [2, 3, 'running'],
    ]);
  });

  it('regeneration supersedes a running attempt', () => {
    const view = record([requested(), started(1), regenerated]);
    expect(view.generationStatus).toBe(0);
    expect(view.attempts[0]).toMatchObject({ outcome: 'abandoned', endedAt: at(100) });
  });

  it('a request after a delete makes a new document, the deleted one stays deleted', () => {
    const docs = project([
      [IMAGE_STREAM, requested()],
      [IMAGE_STREAM, deleted],
      [IMAGE_STREAM, requested({ recordId: 'r2', prompt: 'again', at: at(300) })],
    ]);
    expect(docs.records.get('image:r1')).toMatchObject({ isDeleted: true });
    expect(docs.records.get('image:r2')).toMatchObject({
      isDeleted: false,
      generationStatus: 0,
      prompt: 'again',
      run: 1,
    });
  });

  it.each<[string, GenerationEvent, string]>([
    [
      'delivered',
      {
        type: 'CallbackDelivered',
        data: { recordId: 'r1', url: 'https://b.example/h', httpStatus: 200, attempts: 1, at: at(30) },
      },
      'delivered',
    ],
    [
      'failed, to be retried',
      {
        type: 'CallbackFailed',
        data: {
          recordId: 'r1',
          url: 'https://b.example/h',
          error: 'HTTP 500',
          attempts: 1,
          final: false,
          at: at(30),
        },
      },
      'pending',
    ],
    [
      'failed for good',
      {
        type: 'CallbackFailed',
        data: {
          recordId: 'r1',
          url: 'https://b.example/h',
          error: 'HTTP 500',
          attempts: 8,
          final: true,
          at: at(30),
        },
      },
      'failed',
    ],
  ])('a callback %s sets the callback status', (_name, event, status) => {
    const view = record([requested({ callbackUrl: 'https://b.example/h' }), started(1), completed(1), event]);
    expect(view.callbackStatus).toBe(status);
  });
});
