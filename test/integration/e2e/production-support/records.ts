import type { ApiClient } from './api-client';

export type Kind = 'image' | 'video';

export interface RecordView {
  id: string;
  storyboardId: string;
  generationStatus: number;
  errorCode: string | null;
  imageUrls?: string[];
  videoUrls?: string[];
}

export interface AuditEvent {
  type: string;
  revision: number;
  data: Record<string, unknown>;
}

interface Page<T> {
  list: T[];
  total: number;
  totalPages: number;
}

/** How many records of the project have this status (from the read model). */
export async function countRecords(
  client: ApiClient,
  kind: Kind,
  projectId: string,
  generationStatus: number,
): Promise<number> {
  const page = await client.get<Page<RecordView>>(
    `/api/v1/${kind}s/records?projectId=${projectId}&generationStatus=${generationStatus}&pageSize=1`,
  );
  return page.total;
}

export async function listRecords(client: ApiClient, kind: Kind, projectId: string): Promise<RecordView[]> {
  const records: RecordView[] = [];
  for (let page = 1; ; page += 1) {
    const answer = await client.get<Page<RecordView>>(
      `/api/v1/${kind}s/records?projectId=${projectId}&pageSize=100&page=${page}&sortOrder=asc`,
    );
    records.push(...answer.list);
    if (page >= answer.totalPages) return records;
  }
}

/** The storyboard's whole history, through the audit route (read from the event store itself). */
export async function storyboardEvents(
  client: ApiClient,
  kind: Kind,
  projectId: string,
  storyboardId: string,
): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const page: { list: AuditEvent[]; nextFromRevision: number | null } = await client.get(
      `/api/v1/audit/storyboards/${kind}/${projectId}/${storyboardId}/events?fromRevision=${from}&limit=100`,
    );
    events.push(...page.list);
    from = page.nextFromRevision;
  }
  return events;
}

/** `work` over every item, at most `limit` at once, results in input order (the product's helper). */
export { mapBounded as mapLimited } from '../../../../src/application/bounded-parallel';
