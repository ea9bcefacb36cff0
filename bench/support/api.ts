/** The orchestrator's HTTP API as the bench uses it. */
import { KEYS } from './runtime';

export interface Answer<T = unknown> {
  status: number;
  data: T;
}

async function call<T>(baseUrl: string, method: string, path: string, key: string, body?: unknown) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const parsed = (text === '' ? {} : JSON.parse(text)) as { data: T };
  return { status: response.status, data: parsed.data } as Answer<T>;
}

export interface NewAccount {
  jimengAccount: string;
  sessionId: string;
  concurrencyCap: number;
  rpmCap: number;
}

/** Registers the accounts (200 a request) and answers their ids in the same order. */
export async function createAccounts(baseUrl: string, accounts: readonly NewAccount[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < accounts.length; i += 200) {
    const answer = await call<{ items: { result: string; accountId?: string; message?: string }[] }>(
      baseUrl,
      'POST',
      '/api/v1/accounts',
      KEYS.admin,
      { createBy: 'bench', accounts: accounts.slice(i, i + 200) },
    );
    if (answer.status !== 200) throw new Error(`creating accounts answered ${answer.status}`);
    for (const item of answer.data.items) {
      if (item.result !== 'accepted') throw new Error(`account refused: ${item.message}`);
      ids.push(item.accountId!);
    }
  }
  return ids;
}

export interface BatchOwner {
  projectId: string;
  workId: string;
  createBy: string;
}

export function imageBatchBody(owner: BatchOwner, storyboardIds: readonly string[]) {
  return {
    projectId: owner.projectId,
    projectName: 'bench',
    workId: owner.workId,
    createBy: owner.createBy,
    storyboards: storyboardIds.map((storyboardId) => ({
      storyboardId,
      prompt: `a rainy neon street, storyboard ${storyboardId}`,
    })),
  };
}

/** Posts one text-to-image batch; answers how many storyboards were accepted. */
export async function postImageBatch(
  baseUrl: string,
  owner: BatchOwner,
  storyboardIds: readonly string[],
): Promise<number> {
  const answer = await call<{ accepted: number }>(
    baseUrl,
    'POST',
    '/api/v1/images/text-to-image',
    KEYS.service,
    imageBatchBody(owner, storyboardIds),
  );
  if (answer.status !== 202) throw new Error(`text-to-image answered ${answer.status}`);
  return answer.data.accepted;
}

export interface RecordSummary {
  id: string;
  storyboardId: string;
  generationStatus: number;
  attemptCount: number;
  createdAt: string;
  completedAt: string | null;
  errorCode: string | null;
}

function recordsPath(owner: Omit<BatchOwner, 'projectId'>, extra: Record<string, string>): string {
  const query = new URLSearchParams({ createBy: owner.createBy, workId: owner.workId, ...extra });
  return `/api/v1/images/records?${query.toString()}`;
}

/** How many records of the owner have this status (one cheap page of one). */
export async function countRecords(
  baseUrl: string,
  owner: Omit<BatchOwner, 'projectId'>,
  generationStatus?: number,
): Promise<number> {
  const answer = await call<{ total: number }>(
    baseUrl,
    'GET',
    recordsPath(owner, {
      pageSize: '1',
      ...(generationStatus === undefined ? {} : { generationStatus: String(generationStatus) }),
    }),
    KEYS.service,
  );
  if (answer.status !== 200) throw new Error(`records answered ${answer.status}`);
  return answer.data.total;
}

export async function listAllRecords(
  baseUrl: string,
  owner: Omit<BatchOwner, 'projectId'>,
): Promise<RecordSummary[]> {
  const records: RecordSummary[] = [];
  for (let page = 1; ; page++) {
    const answer = await call<{ list: RecordSummary[]; totalPages: number }>(
      baseUrl,
      'GET',
      recordsPath(owner, { pageSize: '100', page: String(page), sortOrder: 'asc' }),
      KEYS.service,
    );
    if (answer.status !== 200) throw new Error(`records answered ${answer.status}`);
    records.push(...answer.data.list);
    if (page >= answer.data.totalPages) return records;
  }
}

export async function getRecordsPage(baseUrl: string, path: string): Promise<number> {
  const answer = await call(baseUrl, 'GET', path, KEYS.service);
  return answer.status;
}
