import { waitFor } from '../../../support/wait-for';
import { query, type ApiClient } from './api-client';

export type Kind = 'image' | 'video';

export interface SwitchView {
  run?: number;
  type: 'site' | 'account';
  attempt: number;
  fromAccountId: string;
  toAccountId: string;
  fromSite: string;
  toSite: string;
  reason: string;
  upstreamCode?: string;
  message?: string;
}

export interface AttemptView {
  run?: number;
  attempt: number;
  accountId: string;
  site: string;
  outcome: 'running' | 'completed' | 'failed' | 'abandoned';
  errorClass?: string;
  upstreamCode?: string;
}

export interface RecordView {
  id: string;
  mode: string;
  projectId: string;
  storyboardId: string;
  workId: string;
  prompt: string;
  generationStatus: number;
  imageUrls?: string[];
  videoUrls?: string[];
  errorCode: string | null;
  errorMessage: string | null;
  jimengAccountsId: string | null;
  siteSwitchCount: number;
  accountSwitchCount: number;
  attemptCount: number;
  createBy: string;
}

export interface RecordDetail extends RecordView {
  switchHistory: SwitchView[];
  attempts: AttemptView[];
}

interface Page<T> {
  list: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

export interface RecordFilter {
  createBy: string;
  workId: string;
  generationStatus?: number;
}

const recordsPath = (kind: Kind) => `/api/v1/${kind}s/records`;

export async function recordPage(
  api: ApiClient,
  kind: Kind,
  filter: RecordFilter,
  page: number,
  pageSize: number,
): Promise<Page<RecordView>> {
  return api.ok<Page<RecordView>>('GET', `${recordsPath(kind)}${query({ ...filter, page, pageSize })}`);
}

/** Every record of the filter, page by page (the paged query the requirement names). */
export async function listAllRecords(
  api: ApiClient,
  kind: Kind,
  filter: RecordFilter,
  pageSize = 100,
): Promise<RecordView[]> {
  const first = await recordPage(api, kind, filter, 1, pageSize);
  const all = [...first.list];
  for (let page = 2; page <= first.totalPages; page += 1) {
    all.push(...(await recordPage(api, kind, filter, page, pageSize)).list);
  }
  return all;
}

export async function getRecord(api: ApiClient, kind: Kind, id: string): Promise<RecordDetail> {
  return api.ok<RecordDetail>('GET', `${recordsPath(kind)}/${encodeURIComponent(id)}`);
}

/** Completed (2) or failed (3). */
export const isTerminal = (status: number) => status === 2 || status === 3;

/**
 * Waits until the filter's records of each kind number `expected[kind]` and every one of them is
 * completed or failed; returns them. Counts by status first (cheap), lists once at the end.
 */
export async function waitForAllRecordsTerminal(
  api: ApiClient,
  filter: RecordFilter,
  expected: Partial<Record<Kind, number>>,
  options: { timeoutMs: number; onProgress?: (done: number, total: number) => void },
): Promise<Record<Kind, RecordView[]>> {
  const kinds = Object.keys(expected) as Kind[];
  const total = (kind: Kind, generationStatus?: number) =>
    recordPage(api, kind, { ...filter, generationStatus }, 1, 1).then((page) => page.total);
  await waitFor(
    async () => {
      let done = 0;
      for (const kind of kinds) {
        const [all, completed, failed] = await Promise.all([total(kind), total(kind, 2), total(kind, 3)]);
        if (all !== expected[kind]) return false;
        done += completed + failed;
      }
      const wanted = kinds.reduce((sum, kind) => sum + (expected[kind] ?? 0), 0);
      options.onProgress?.(done, wanted);
      return done === wanted;
    },
    { timeoutMs: options.timeoutMs, intervalMs: 200, message: 'every record completed or failed' },
  );
  const result: Record<Kind, RecordView[]> = { image: [], video: [] };
  for (const kind of kinds) result[kind] = await listAllRecords(api, kind, filter);
  return result;
}

export interface StoredEvent {
  type: string;
  revision: number;
  data: Record<string, unknown>;
}

/** A storyboard slot's whole event stream, through the audit route (read from the event store). */
export async function readSlotEvents(
  api: ApiClient,
  kind: Kind,
  projectId: string,
  storyboardId: string,
): Promise<StoredEvent[]> {
  const events: StoredEvent[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const page: { list: StoredEvent[]; nextFromRevision: number | null } = await api.ok(
      'GET',
      `/api/v1/audit/storyboards/${kind}/${projectId}/${storyboardId}/events${query({ fromRevision: from, limit: 100 })}`,
    );
    events.push(...page.list);
    from = page.nextFromRevision;
  }
  return events;
}

/** `work` over every item, at most `limit` at once, results in input order (the product's helper). */
export { mapBounded as mapLimited } from '../../../../src/application/bounded-parallel';
