import { query, type ApiClient } from './api-client';
import {
  mapLimited,
  readSlotEvents,
  recordPage,
  waitForAllRecordsTerminal,
  type Kind,
  type RecordView,
  type StoredEvent,
} from './records';
import type { SimulatorControlClient } from './simulator-control';
import {
  planStoryboards,
  registerAccounts,
  submitStoryboards,
  type BatchFields,
  type PlannedStoryboard,
} from './storyboards';

/** A healthy pool for the restart scenarios: domestic accounts with a cap the simulator enforces. */
export const RESTART_POOL = Array.from({ length: 6 }, (_, i) => ({
  name: `restart-${i + 1}`,
  session: `sess-restart-${i + 1}-0123456789abcdef`,
}));
export const RESTART_CAP = 2;

export async function configureRestartSessions(simulator: SimulatorControlClient): Promise<void> {
  for (const account of RESTART_POOL) {
    await simulator.putSession(account.session, { sites: ['cn'], concurrency: RESTART_CAP, credits: 10_000 });
  }
}

export async function registerRestartPool(admin: ApiClient): Promise<void> {
  await registerAccounts(
    admin,
    'e2e.ops',
    RESTART_POOL.map((account) => ({
      jimengAccount: account.name,
      sessionId: account.session,
      concurrencyCap: RESTART_CAP,
      rpmCap: 10_000,
    })),
  );
}

/** Mostly images (short), a share of videos (longer): many attempts are in flight at any moment. */
export function restartStoryboards(prefix: string): PlannedStoryboard[] {
  return planStoryboards(100, {
    prefix,
    modes: ['text_to_image', 'image_to_image', 'text_to_video', 'text_to_image', 'first_last_frame'],
  });
}

export const expectedCounts = (storyboards: readonly PlannedStoryboard[]) => ({
  image: storyboards.filter((s) => s.kind === 'image').length,
  video: storyboards.filter((s) => s.kind === 'video').length,
});

export async function countCompleted(api: ApiClient, batch: BatchFields): Promise<number> {
  let completed = 0;
  for (const kind of ['image', 'video'] as const) {
    const filter = { createBy: batch.createBy, workId: batch.workId, generationStatus: 2 };
    completed += (await recordPage(api, kind, filter, 1, 1)).total;
  }
  return completed;
}

export async function submitRestartBatch(
  service: ApiClient,
  batch: BatchFields,
  storyboards: readonly PlannedStoryboard[],
): Promise<Map<string, string>> {
  return submitStoryboards(service, batch, storyboards);
}

/**
 * After the restart: every storyboard has its one record, completed, with exactly one
 * GenerationCompleted in its stream. Returns the streams for further checks.
 */
export async function expectEveryStoryboardCompletedOnce(
  viewer: ApiClient,
  batch: BatchFields,
  storyboards: readonly PlannedStoryboard[],
  recordIds: Map<string, string>,
  timeoutMs: number,
): Promise<{ records: RecordView[]; streams: Map<string, StoredEvent[]> }> {
  const byKind = await waitForAllRecordsTerminal(
    viewer,
    { createBy: batch.createBy, workId: batch.workId },
    expectedCounts(storyboards),
    { timeoutMs },
  );
  const records = [...byKind.image, ...byKind.video];
  // No storyboard lost, none doubled, each still under the record id the submit answered.
  expect(new Map(records.map((r) => [r.storyboardId, r.id]))).toEqual(recordIds);
  for (const record of records) {
    expect({ storyboard: record.storyboardId, status: record.generationStatus }).toEqual({
      storyboard: record.storyboardId,
      status: 2,
    });
  }
  const streams = new Map<string, StoredEvent[]>();
  await mapLimited(storyboards, 8, async (storyboard) => {
    streams.set(
      storyboard.storyboardId,
      await readSlotEvents(viewer, storyboard.kind as Kind, batch.projectId, storyboard.storyboardId),
    );
  });
  for (const [storyboardId, events] of streams) {
    const completions = events.filter((e) => e.type === 'GenerationCompleted').length;
    expect({ storyboardId, completions }).toEqual({ storyboardId, completions: 1 });
  }
  return { records, streams };
}

/** Abandoned attempts by reason, over all streams. */
export function abandonmentReasons(streams: Map<string, StoredEvent[]>): Record<string, number> {
  const reasons: Record<string, number> = {};
  for (const events of streams.values()) {
    for (const event of events) {
      if (event.type !== 'AttemptAbandoned') continue;
      const reason = String(event.data['reason']);
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  return reasons;
}

/** The account list as the admin sees it (for usage totals). */
export async function accountUsage(admin: ApiClient): Promise<{ images: number; videos: number }> {
  const page = await admin.ok<{ list: { imageCount: number; videoCount: number }[] }>(
    'GET',
    `/api/v1/accounts${query({ createBy: 'e2e.ops', pageSize: 100 })}`,
  );
  return {
    images: page.list.reduce((sum, a) => sum + a.imageCount, 0),
    videos: page.list.reduce((sum, a) => sum + a.videoCount, 0),
  };
}
