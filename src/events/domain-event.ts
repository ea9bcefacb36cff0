import type { z } from 'zod';
import type { EventMetadata, EventToAppend, StoredEvent } from '../ports/event-store';
import { accountEventSchemas, type AccountEvent } from './account-events';
import { generationEventSchemas, type GenerationEvent } from './generation-events';
import { parseStreamId } from './stream-ids';
import { createUpcasterRegistry, type UpcasterRegistry } from './upcasters';

export type DomainEvent = AccountEvent | GenerationEvent;
export type DomainEventType = DomainEvent['type'];

const SCHEMAS: Record<string, z.ZodType> = { ...accountEventSchemas, ...generationEventSchemas };
const ACCOUNT_TYPES = new Set<string>(Object.keys(accountEventSchemas));
const GENERATION_TYPES = new Set<string>(Object.keys(generationEventSchemas));

const defaultRegistry = createUpcasterRegistry();

export function isAccountEvent(event: DomainEvent): event is AccountEvent {
  return ACCOUNT_TYPES.has(event.type);
}

export function isGenerationEvent(event: DomainEvent): event is GenerationEvent {
  return GENERATION_TYPES.has(event.type);
}

/** A stored event that cannot be read as a domain event; names where it is. */
export class StoredEventError extends Error {
  readonly code = 'INVALID_STORED_EVENT';
  constructor(
    readonly streamId: string,
    readonly revision: number,
    readonly eventType: string,
    reason: string,
  ) {
    super(`stream ${streamId} revision ${revision} (${eventType}): ${reason}`);
    this.name = 'StoredEventError';
  }
}

/** A domain event about to be written does not match its schema (bad command input, usually). */
export class InvalidEventError extends Error {
  readonly code = 'VALIDATION_FAILED';
  constructor(
    readonly eventType: string,
    readonly issues: string,
  ) {
    super(`invalid ${eventType}: ${issues}`);
    this.name = 'InvalidEventError';
  }
}

/** Upcasts and validates a stored event. Throws StoredEventError. */
export function parseStoredEvent(
  stored: StoredEvent,
  registry: UpcasterRegistry = defaultRegistry,
): DomainEvent {
  const fail = (reason: string): never => {
    throw new StoredEventError(stored.streamId, stored.revision, stored.type, reason);
  };
  const schema = SCHEMAS[stored.type];
  if (schema === undefined) return fail('unknown event type');
  const stream = parseStreamId(stored.streamId);
  const expectedTypes = stream?.category === 'account' ? ACCOUNT_TYPES : GENERATION_TYPES;
  if (stream !== null && !expectedTypes.has(stored.type))
    return fail(`not an event of a ${stream.category} stream`);
  // Events written without a version predate versioning: they are version 1.
  const version = stored.metadata?.schemaVersion ?? 1;
  let data: unknown;
  try {
    data = registry.upcast(stored.type, version, stored.data);
  } catch (error) {
    return fail((error as Error).message);
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) return fail(summarize(parsed.error));
  return { type: stored.type, data: parsed.data } as DomainEvent;
}

/** Validates a domain event and shapes it for EventStore.append, stamping the schema version. */
export function toEventToAppend(
  event: DomainEvent,
  metadata: EventMetadata = {},
  id?: string,
): EventToAppend {
  const schema = SCHEMAS[event.type];
  if (schema === undefined) throw new InvalidEventError(event.type, 'unknown event type');
  const parsed = schema.safeParse(event.data);
  if (!parsed.success) throw new InvalidEventError(event.type, summarize(parsed.error));
  return {
    ...(id === undefined ? {} : { id }),
    type: event.type,
    data: parsed.data,
    metadata: { ...metadata, schemaVersion: defaultRegistry.currentVersion(event.type) },
  };
}

function summarize(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
