/** Running storyboards through the whole pipeline and reading back when each completed. */
import { countRecords, createAccounts, listAllRecords, postImageBatch, type RecordSummary } from './api';
import { waitUntil } from './scenario';

export interface Owner {
  projectId: string;
  workId: string;
  createBy: string;
}

export const ALL_SITES = ['cn', 'us', 'hk', 'jp', 'sg'] as const;

/** Registers `count` domestic accounts whose sessions the simulator knows. */
export async function registerAccounts(
  baseUrl: string,
  count: number,
  caps: { concurrencyCap: number; rpmCap: number },
  prefix = 'acct',
): Promise<{ ids: string[]; sessions: string[] }> {
  const sessions = Array.from({ length: count }, (_, i) => `${prefix}${i}session0123456789abcdef`);
  const ids = await createAccounts(
    baseUrl,
    sessions.map((sessionId, i) => ({ jimengAccount: `${prefix}-${i}`, sessionId, ...caps })),
  );
  return { ids, sessions };
}

/**
 * Posts the storyboards in batches, `parallel` requests at a time, and answers when each batch was
 * answered (ms since the epoch), by storyboard id.
 */
export async function submit(
  baseUrl: string,
  owner: Owner,
  storyboards: readonly string[],
  batchSize: number,
  parallel: number,
  pace?: { batchesPerSec: number },
): Promise<Map<string, number>> {
  const answeredAt = new Map<string, number>();
  const batches: string[][] = [];
  for (let i = 0; i < storyboards.length; i += batchSize) batches.push(storyboards.slice(i, i + batchSize));
  let next = 0;
  const started = Date.now();
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= batches.length) return;
      if (pace) {
        const due = started + (index * 1000) / pace.batchesPerSec;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      const accepted = await postImageBatch(baseUrl, owner, batches[index]!);
      if (accepted !== batches[index]!.length)
        throw new Error(`only ${accepted} of ${batches[index]!.length} storyboards accepted`);
      const at = Date.now();
      for (const id of batches[index]!) answeredAt.set(id, at);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return answeredAt;
}

/** Waits until every record of the owner is completed (2) or failed (3), then reads them all. */
export async function settle(
  baseUrl: string,
  owner: Owner,
  expected: number,
  timeoutMs: number,
  options: { partialOnTimeout?: boolean } = {},
): Promise<RecordSummary[]> {
  try {
    await waitUntil(
      async () => {
        const done = (await countRecords(baseUrl, owner, 2)) + (await countRecords(baseUrl, owner, 3));
        return done >= expected;
      },
      { timeoutMs, intervalMs: 100, what: `${expected} records of ${owner.workId} to end` },
    );
  } catch (error) {
    if (!options.partialOnTimeout) throw error;
  }
  return listAllRecords(baseUrl, owner);
}
