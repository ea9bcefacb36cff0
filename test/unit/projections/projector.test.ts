import { systemClock } from '../../../src/ports/clock';
import type { StoredEvent } from '../../../src/ports/event-store';
import { Projector } from '../../../src/projections';
import { waitFor } from '../../support/wait-for';
import {
  ACCOUNT_STREAM,
  IMAGE_STREAM,
  at,
  completed,
  failed,
  registered,
  requested,
  started,
} from './support/events';
import { appendEvents, openSqliteRuntime, type SqliteRuntime } from './support/sqlite-runtime';

const TIMEOUT = 5_000;

describe('Projector on the embedded adapters', () => {
  let runtime: SqliteRuntime;
  let projector: Projector | undefined;

  beforeEach(() => {
    runtime = openSqliteRuntime('projector');
  });

  afterEach(async () => {
    await projector?.stop();
    projector = undefined;
    await runtime.close();
  });

  const newProjector = (options: ConstructorParameters<typeof Projector>[4] = {}): Projector =>
    new Projector(runtime.events, runtime.readModels, systemClock, runtime.logger, {
      checkpointEvery: 2,
      checkpointIntervalMs: 50,
      ...options,
    });

  /** An account and one image record that failed once, switched site and completed. */
  async function appendHistory(): Promise<bigint> {
    await appendEvents(runtime.events, ACCOUNT_STREAM, [registered()]);
    await appendEvents(runtime.events, IMAGE_STREAM, [requested({ callbackUrl: 'https://b.example/h' })]);
    await appendEvents(runtime.events, IMAGE_STREAM, [
      started(1, 'a1', 'hk'),
      failed(1, 'SITE_MISMATCH', 'a1', 'hk'),
    ]);
    await appendEvents(runtime.events, IMAGE_STREAM, [
      {
        type: 'SiteSwitched',
        data: {
          recordId: 'r1',
          attempt: 1,
          accountId: 'a1',
          fromSite: 'hk',
          toSite: 'jp',
          reason: 'SITE_MISMATCH',
          at: at(20),
        },
      },
      started(2, 'a1', 'jp'),
    ]);
    const last = await appendEvents(runtime.events, IMAGE_STREAM, [completed(2, 'a1', 'jp')]);
    return last.position;
  }

  async function documents(): Promise<unknown[]> {
    return [await runtime.readModels.getAccount('a1'), await runtime.readModels.getRecord('image', 'r1')];
  }

  it('given appended events, the read models show them once the position is applied (read-your-writes)', async () => {
    const applied: Array<[string, number]> = [];
    projector = newProjector({
      onApplied: (event: StoredEvent, lagMs: number) => applied.push([event.type, lagMs]),
    });
    await projector.start();
    const head = await appendHistory();

    await expect(projector.waitForPosition(head, TIMEOUT)).resolves.toBe(true);

    expect(await runtime.readModels.getRecord('image', 'r1')).toMatchObject({
      generationStatus: 2,
      siteSwitchCount: 1,
    });
    expect(await runtime.readModels.getAccount('a1')).toMatchObject({ imageCount: 1, imageUsedToday: 1 });
    expect(applied.map(([type]) => type)).toContain('GenerationCompleted');
    expect(applied.every(([, lag]) => lag >= 0)).toBe(true);
  });

  it('waitForPosition answers false when the position is not reached in time', async () => {
    projector = newProjector();
    await projector.start();
    await expect(projector.waitForPosition(10_000n, 30)).resolves.toBe(false);
  });

  it('saves its checkpoint, and on stop the last applied position', async () => {
    projector = newProjector({ checkpointEvery: 1000, checkpointIntervalMs: 60_000 });
    await projector.start();
    const head = await appendHistory();
    await projector.waitForPosition(head, TIMEOUT);
    await projector.stop();
    expect(await runtime.readModels.getCheckpoint('read-models')).toBe(head);
  });

  it('replaying from an older checkpoint changes nothing (idempotent per document)', async () => {
    projector = newProjector();
    await projector.start();
    const head = await appendHistory();
    await projector.waitForPosition(head, TIMEOUT);
    await projector.stop();
    const before = await documents();

    // As after a crash that lost the last checkpoints.
    await runtime.readModels.saveCheckpoint('read-models', 1n);
    projector = newProjector();
    await projector.start();
    await projector.waitForPosition(head, TIMEOUT);

    expect(await documents()).toEqual(before);
    expect(await runtime.readModels.getAccount('a1')).toMatchObject({ imageCount: 1 });
  });

  it('a rebuild from zero gives the same documents as the incremental projection, and keeps the relay checkpoint', async () => {
    projector = newProjector();
    await projector.start();
    const head = await appendHistory();
    await projector.waitForPosition(head, TIMEOUT);
    const incremental = await documents();
    await runtime.readModels.saveCheckpoint('relay', 3n);

    const rebuiltTo = await projector.rebuild();

    expect(rebuiltTo).toBe(head);
    await expect(projector.waitForPosition(head, TIMEOUT)).resolves.toBe(true);
    expect(await documents()).toEqual(incremental);
    expect(await runtime.readModels.getCheckpoint('relay')).toBe(3n);
  });

  it('with a lock, only one of two projectors writes; the standby takes over when the writer stops', async () => {
    const applied: Record<string, number> = { first: 0, second: 0 };
    const withLock = (owner: string) =>
      newProjector({
        lock: { locks: runtime.locks, owner, ttlMs: 300 },
        onApplied: () => void (applied[owner] = (applied[owner] ?? 0) + 1),
      });
    // given two projectors with locks on one store
    const first = withLock('first');
    await first.start();
    await appendEvents(runtime.events, ACCOUNT_STREAM, [registered()]);
    await waitFor(() => applied.first === 1, { timeoutMs: TIMEOUT, message: 'first projector applied' });
    projector = withLock('second');
    await projector.start();

    // when more events arrive while both run
    const head = await appendHistory();
    await waitFor(() => first.waitForPosition(head, 50), { timeoutMs: TIMEOUT, message: 'writer caught up' });

    // then the standby applied nothing
    expect(applied.second).toBe(0);

    // and when the writer stops, the standby takes over from the checkpoint and follows new events
    await first.stop();
    const later = await appendEvents(runtime.events, IMAGE_STREAM, [requested({ recordId: 'r2' })]);
    await waitFor(() => projector!.waitForPosition(later.position, 50), {
      timeoutMs: TIMEOUT,
      message: 'standby took over',
    });
    expect(applied.second).toBeGreaterThanOrEqual(1);
    expect(await runtime.readModels.getRecord('image', 'r2')).toMatchObject({ id: 'r2' });
  });

  it('follows new events after catching up', async () => {
    projector = newProjector();
    await projector.start();
    await appendHistory();
    await appendEvents(runtime.events, ACCOUNT_STREAM, [
      { type: 'AccountDeleted', data: { accountId: 'a1', updateBy: 'ops', at: at(500) } },
    ]);
    await waitFor(async () => (await runtime.readModels.getAccount('a1'))?.isDeleted, {
      timeoutMs: TIMEOUT,
      message: 'account deleted in the read model',
    });
  });
});
