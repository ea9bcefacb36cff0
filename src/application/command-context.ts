import type { EventMetadata } from '../ports/event-store';

/** Who asked, and within which request: stamped on every event a command appends. */
export interface CommandContext {
  /** The HTTP request id. */
  correlationId: string;
  /** Name of the API key that made the request. */
  apiKey: string;
}

export function eventMetadata(context: CommandContext, actor: string): EventMetadata {
  return { correlationId: context.correlationId, actor, apiKey: context.apiKey };
}
