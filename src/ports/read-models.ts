/**
 * Read models (DESIGN §4): what the HTTP queries, the dashboards and the worker's account
 * selection read. Documents are keyed by the requirement's ids; field names are the camelCase forms
 * of the requirement's columns, status fields carry the requirement's numeric codes.
 *
 * Projectors write through `ReadModelStore.apply`, which is idempotent: each document remembers the
 * global position of the last event applied to it and ignores events at or before it, so replaying
 * a subscription from an older checkpoint (after a crash) changes nothing.
 */
export type GenerationKind = 'image' | 'video';
export type SiteCode = 0 | 1 | 2 | 3 | 4; // cn us hk jp sg
export type AccountStatusCode = 0 | 1 | 2; // active inactive banned
export type CapabilityCode = 0 | 1 | 2; // unavailable available rate-limited
export type GenerationStatusCode = 0 | 1 | 2 | 3 | 4; // pending processing completed failed retrying

export interface LastError {
  errorClass: string;
  upstreamCode?: string;
  message: string;
  at: string;
}

export interface AccountView {
  id: string;
  jimengAccount: string;
  jimengAccountType: 0 | 1;
  /** Masked form only; the sealed session lives in the event store. */
  sessionIdMasked: string;
  siteType: SiteCode;
  accountStatus: AccountStatusCode;
  imageGenerationStatus: CapabilityCode;
  videoGenerationStatus: CapabilityCode;
  /** ISO time until which a rate-limited / unavailable capability stays so, if known. */
  imageUnavailableUntil: string | null;
  videoUnavailableUntil: string | null;
  imageStrikes: number;
  videoStrikes: number;
  imageCount: number;
  videoCount: number;
  /** Completions since the last quota reset, for the daily quota. */
  imageUsedToday: number;
  videoUsedToday: number;
  dailyImageQuota: number | null;
  dailyVideoQuota: number | null;
  /** Time of day "HH:mm" (with quotaResetUtcOffset) and the next reset instant (ISO). */
  quotaResetTime: string;
  nextQuotaResetAt: string;
  priority: number;
  weight: number;
  concurrencyCap: number;
  rpmCap: number;
  lastError: LastError | null;
  isDeleted: boolean;
  createBy: string;
  updateBy: string;
  createdAt: string;
  updatedAt: string;
  /** Global position of the last event applied (idempotence guard). */
  position: string;
}

export interface SwitchEntry {
  type: 'site' | 'account';
  attempt: number;
  fromAccountId: string;
  toAccountId: string;
  fromSite: string;
  toSite: string;
  reason: string;
  upstreamCode?: string;
  message?: string;
  at: string;
}

export interface AttemptEntry {
  attempt: number;
  accountId: string;
  site: string;
  startedAt: string;
  endedAt?: string;
  outcome: 'running' | 'completed' | 'failed' | 'abandoned';
  errorClass?: string;
  upstreamCode?: string;
  message?: string;
  submitted?: boolean;
}

export interface GenerationRecordView {
  id: string;
  kind: GenerationKind;
  mode: string;
  streamId: string;
  /** jimeng_accounts_id: the account of the current / last attempt. */
  jimengAccountsId: string | null;
  projectId: string;
  projectName: string;
  storyboardId: string;
  workId: string;
  model: string;
  prompt: string;
  params: Record<string, unknown>;
  generationStatus: GenerationStatusCode;
  urls: string[];
  errorCode: string | null;
  errorMessage: string | null;
  siteSwitchCount: number;
  accountSwitchCount: number;
  attemptCount: number;
  switchHistory: SwitchEntry[];
  attempts: AttemptEntry[];
  callbackUrl: string | null;
  callbackStatus: 'none' | 'pending' | 'delivered' | 'failed';
  retryAt: string | null;
  isDeleted: boolean;
  createBy: string;
  updateBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  position: string;
}

export interface PageRequest {
  page: number; // 1-based
  pageSize: number;
  sortBy: string;
  sortOrder: 'asc' | 'desc';
}

export interface Page<T> {
  list: T[];
  total: number;
  page: number;
  pageSize: number;
  totalPages: number;
}

export interface AccountQuery extends PageRequest {
  createBy?: string;
  accountStatus?: AccountStatusCode;
  siteType?: SiteCode;
  includeDeleted?: boolean;
}

export interface RecordQuery extends PageRequest {
  kind: GenerationKind;
  createBy?: string;
  workId?: string;
  projectId?: string;
  generationStatus?: GenerationStatusCode;
  includeDeleted?: boolean;
}

/** Sort keys served by an index (DESIGN §4); others are refused by the HTTP layer. */
export const ACCOUNT_SORT_FIELDS = [
  'createdAt',
  'updatedAt',
  'imageCount',
  'videoCount',
  'priority',
] as const;
export const RECORD_SORT_FIELDS = ['createdAt', 'updatedAt', 'generationStatus'] as const;

export interface AccountReadModel {
  getAccount(id: string): Promise<AccountView | null>;
  listAccounts(query: AccountQuery): Promise<Page<AccountView>>;
  /** Every account not deleted, for selection and the pool gauges (pools are hundreds, not millions). */
  listPool(): Promise<AccountView[]>;
}

export interface RecordReadModel {
  getRecord(kind: GenerationKind, id: string): Promise<GenerationRecordView | null>;
  listRecords(query: RecordQuery): Promise<Page<GenerationRecordView>>;
  /** Counts by generation status, for the metrics gauges. */
  countByStatus(kind: GenerationKind): Promise<Record<GenerationStatusCode, number>>;
}

/**
 * One projector's write access. `update` functions are pure: (current document or null) → new
 * document or null (no change). The store applies them only when the event's position is after the
 * document's `position`, and sets `position`.
 */
export interface ProjectionWrite {
  account?: { id: string; update: (current: AccountView | null) => AccountView | null };
  record?: {
    kind: GenerationKind;
    id: string;
    update: (current: GenerationRecordView | null) => GenerationRecordView | null;
  };
}

/** The writes of one event. */
export interface PositionedWrites {
  position: bigint;
  writes: ProjectionWrite[];
}

export interface ReadModelStore extends AccountReadModel, RecordReadModel {
  /** Applies the writes of one event at `position`; idempotent per document. */
  apply(position: bigint, writes: ProjectionWrite[]): Promise<void>;
  /** Applies the writes of several events in order, as `apply` would one by one (an adapter may commit them together). */
  applyMany(batch: readonly PositionedWrites[]): Promise<void>;
  getCheckpoint(projector: string): Promise<bigint | null>;
  saveCheckpoint(projector: string, position: bigint): Promise<void>;
  /** Drops every document and checkpoint (rebuild from zero). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export const READ_MODEL_STORE = Symbol.for('ReadModelStore');
