import type { GenerationRecordState } from '../../commands';
import { generationStatusToCode } from '../../events';

/** The JSON body of a callback (documented for integrators; field names are part of the contract). */
export interface CallbackPayload {
  event: 'generation.completed' | 'generation.failed';
  recordId: string;
  kind: 'image' | 'video';
  projectId: string;
  projectName: string;
  storyboardId: string;
  workId: string;
  /** 2 completed, 3 failed (requirement codes). */
  generationStatus: 2 | 3;
  /** `imageUrls` for images, `videoUrls` for videos; empty when failed. */
  imageUrls?: string[];
  videoUrls?: string[];
  errorCode: string | null;
  errorMessage: string | null;
  siteSwitchCount: number;
  /** Attempts made in the run that ended. */
  attempts: number;
  /** When the outcome happened (ISO). */
  occurredAt: string;
}

export function callbackPayload(record: GenerationRecordState, occurredAt: string): CallbackPayload {
  const completed = record.status === 'completed';
  const urls = completed ? record.urls : [];
  return {
    event: completed ? 'generation.completed' : 'generation.failed',
    recordId: record.recordId,
    kind: record.kind,
    projectId: record.projectId,
    projectName: record.projectName,
    storyboardId: record.storyboardId,
    workId: record.workId,
    generationStatus: generationStatusToCode(record.status) as 2 | 3,
    ...(record.kind === 'image' ? { imageUrls: urls } : { videoUrls: urls }),
    errorCode: completed ? null : (record.errorCode ?? null),
    errorMessage: completed ? null : (record.errorMessage ?? null),
    siteSwitchCount: record.siteSwitchCount,
    attempts: record.run.attempts,
    occurredAt: new Date(occurredAt).toISOString(),
  };
}
