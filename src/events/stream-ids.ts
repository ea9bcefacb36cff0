import type { GenerationKind } from './codes';

/** Project and storyboard ids: '.' separates them in a stream id, so it may not occur inside. */
export const SLOT_KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const ACCOUNT_STREAM_PREFIX = 'account-';
export const GENERATION_STREAM_PREFIXES: Record<GenerationKind, string> = {
  image: 'image-',
  video: 'video-',
};

export type ParsedStreamId =
  | { category: 'account'; accountId: string }
  | { category: 'generation'; kind: GenerationKind; projectId: string; storyboardId: string };

export class InvalidStreamIdError extends Error {
  readonly code = 'VALIDATION_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidStreamIdError';
  }
}

export function isValidSlotKey(value: string): boolean {
  return SLOT_KEY_PATTERN.test(value);
}

export function accountStreamId(accountId: string): string {
  if (accountId.length === 0) throw new InvalidStreamIdError('account id is empty');
  return `${ACCOUNT_STREAM_PREFIX}${accountId}`;
}

export function generationStreamId(kind: GenerationKind, projectId: string, storyboardId: string): string {
  if (!isValidSlotKey(projectId))
    throw new InvalidStreamIdError(`invalid projectId ${JSON.stringify(projectId)}`);
  if (!isValidSlotKey(storyboardId)) {
    throw new InvalidStreamIdError(`invalid storyboardId ${JSON.stringify(storyboardId)}`);
  }
  return `${GENERATION_STREAM_PREFIXES[kind]}${projectId}.${storyboardId}`;
}

/** Null for stream ids that are not ours (system streams, say). */
export function parseStreamId(streamId: string): ParsedStreamId | null {
  if (streamId.startsWith(ACCOUNT_STREAM_PREFIX)) {
    const accountId = streamId.slice(ACCOUNT_STREAM_PREFIX.length);
    return accountId.length > 0 ? { category: 'account', accountId } : null;
  }
  for (const kind of ['image', 'video'] as const) {
    const prefix = GENERATION_STREAM_PREFIXES[kind];
    if (!streamId.startsWith(prefix)) continue;
    const [projectId, storyboardId, ...rest] = streamId.slice(prefix.length).split('.');
    if (rest.length > 0 || projectId === undefined || storyboardId === undefined) return null;
    if (!isValidSlotKey(projectId) || !isValidSlotKey(storyboardId)) return null;
    return { category: 'generation', kind, projectId, storyboardId };
  }
  return null;
}
