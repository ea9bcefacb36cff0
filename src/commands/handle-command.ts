import { randomUUID } from 'node:crypto';
import {
  WrongExpectedRevisionError,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
} from '../ports/event-store';
import { parseStoredEvent, toEventToAppend, type DomainEvent } from '../events';
import type { Decider } from './decider';
import { deterministicEventId } from './deterministic-event-id';

export interface HandleCommandOptions {
  metadata?: EventMetadata;
  /** Extra attempts after a concurrent append moved the stream on. Default 3. */
  maxRetries?: number;
  /** Makes event ids deterministic (seed + index), so a retried command cannot append twice. */
  eventIdSeed?: string;
}

export interface HandleCommandResult<Event, State> {
  events: Event[];
  /** Revision of the stream's last event after this command (-1: the stream does not exist). */
  nextExpectedRevision: number;
  /** Global position of the last appended event; undefined when nothing was appended. */
  position?: bigint;
  state: State;
}

export interface LoadedStream<State> {
  state: State;
  /** -1 when the stream does not exist. */
  revision: number;
}

export async function loadStream<Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'initialState'>,
): Promise<LoadedStream<State>> {
  const stored = await store.readStream(streamId);
  let state = decider.initialState();
  for (const event of stored) state = decider.evolve(state, parseStoredEvent(event) as Event);
  return { state, revision: stored.length === 0 ? -1 : stored[stored.length - 1]!.revision };
}

/**
 * Load, decide, append with the revision that was read; on a concurrent append, decide again on
 * the new state (a bounded number of times). Domain errors from decide propagate unchanged.
 */
export async function handleCommand<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  options: HandleCommandOptions = {},
): Promise<HandleCommandResult<Event, State>> {
  const maxRetries = options.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const { state, revision } = await loadStream(store, streamId, decider);
    const events = decider.decide(command, state);
    const nextState = events.reduce(decider.evolve, state);
    if (events.length === 0) return { events, nextExpectedRevision: revision, state: nextState };
    try {
      const result = await appendIfAt(
        store,
        streamId,
        revision === -1 ? 'no_stream' : revision,
        events,
        options,
      );
      return { events, ...result, state: nextState };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError) || attempt >= maxRetries) throw error;
    }
  }
}

/**
 * Appends events decided elsewhere, only if the stream is still at `expectedRevision` (a worker's
 * claim uses the revision its job names, so a superseded job fails with WrongExpectedRevisionError).
 */
export async function appendIfAt(
  store: EventStore,
  streamId: string,
  expectedRevision: ExpectedRevision,
  events: readonly DomainEvent[],
  options: Pick<HandleCommandOptions, 'metadata' | 'eventIdSeed'> = {},
): Promise<{ nextExpectedRevision: number; position: bigint }> {
  const toAppend = events.map((event, index) =>
    toEventToAppend(
      event,
      options.metadata,
      options.eventIdSeed === undefined ? randomUUID() : deterministicEventId(options.eventIdSeed, index),
    ),
  );
  return store.append(streamId, toAppend, expectedRevision);
}

/**
 * Decides on the stream as it is, but only if it is still at `expectedRevision`; never retries.
 * The worker's claim: a job names the revision of the event that triggered it, and anything
 * appended since (a regeneration, a delete, another worker's claim) makes the job stale.
 */
export async function handleCommandAt<Command, Event extends DomainEvent, State>(
  store: EventStore,
  streamId: string,
  decider: Decider<Command, Event, State>,
  command: Command,
  expectedRevision: number,
  options: Pick<HandleCommandOptions, 'metadata' | 'eventIdSeed'> = {},
): Promise<HandleCommandResult<Event, State>> {
  const { state, revision } = await loadStream(store, streamId, decider);
  if (revision !== expectedRevision)
    throw new WrongExpectedRevisionError(streamId, expectedRevision, revision);
  const events = decider.decide(command, state);
  const nextState = events.reduce(decider.evolve, state);
  if (events.length === 0) return { events, nextExpectedRevision: revision, state: nextState };
  const result = await appendIfAt(store, streamId, expectedRevision, events, options);
  return { events, ...result, state: nextState };
}
