import type {
  GenerationErrorCode,
  GenerationRequestedData,
  RegenerationRequestedData,
  Site,
  ErrorClass,
} from '../../events';

export type RequestGeneration = { type: 'RequestGeneration'; data: GenerationRequestedData };

export type RequestRegeneration = {
  type: 'RequestRegeneration';
  /** Without recordId the live record of the slot is meant (regeneration by storyboard id). */
  data: Omit<RegenerationRequestedData, 'recordId'> & { recordId?: string };
};

export type StartAttempt = {
  type: 'StartAttempt';
  data: {
    recordId: string;
    /** The attempt the worker believes it starts; refused as stale when another got there first. */
    attempt?: number;
    accountId: string;
    site: Site;
    leaseId: string;
    leaseDeadline: string;
    at: string;
  };
};

export type CompleteGeneration = {
  type: 'CompleteGeneration';
  data: { recordId: string; attempt: number; urls: string[]; durationMs: number; at: string };
};

export type FailAttempt = {
  type: 'FailAttempt';
  data: {
    recordId: string;
    attempt: number;
    errorClass: ErrorClass;
    upstreamCode?: string;
    message: string;
    submitted: boolean;
    retryAt?: string;
    at: string;
  };
};

export type AbandonAttempt = {
  type: 'AbandonAttempt';
  data: { recordId: string; attempt: number; reason: 'lease_expired' | 'shutdown'; at: string };
};

export type FailGeneration = {
  type: 'FailGeneration';
  data: {
    recordId: string;
    /** Required while an attempt is running: only its owner may end the record. */
    attempt?: number;
    errorCode: GenerationErrorCode;
    message: string;
    at: string;
  };
};

export type DeleteRecord = {
  type: 'DeleteRecord';
  /** Without recordId the live record of the slot is meant. */
  data: { recordId?: string; updateBy: string; at: string };
};

export type RecordCallbackDelivered = {
  type: 'RecordCallbackDelivered';
  data: { recordId: string; url: string; httpStatus: number; attempts: number; at: string };
};

export type RecordCallbackFailed = {
  type: 'RecordCallbackFailed';
  data: { recordId: string; url: string; error: string; attempts: number; final: boolean; at: string };
};

export type GenerationCommand =
  | RequestGeneration
  | RequestRegeneration
  | StartAttempt
  | CompleteGeneration
  | FailAttempt
  | AbandonAttempt
  | FailGeneration
  | DeleteRecord
  | RecordCallbackDelivered
  | RecordCallbackFailed;
