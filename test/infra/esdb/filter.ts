// Server-side $all filters (stream name / event type, by prefixes or regex) and their checkpoint window.
import { ReadReq } from '@eventstore/db-client/generated/streams_pb';
import type { StoredEvent } from './store';

export interface AllFilter {
  matches(event: StoredEvent): boolean;
  /** Scanned events between two checkpoints: search window × checkpoint interval multiplier. */
  readonly checkpointInterval: number;
}

// The real server reads its log in batches of 32 when the client sets no explicit search window.
const DEFAULT_SEARCH_WINDOW = 32;

export function compileFilter(options: ReadReq.Options.FilterOptions): AllFilter {
  const onStreamName = options.getFilterCase() === ReadReq.Options.FilterOptions.FilterCase.STREAM_IDENTIFIER;
  const expression = onStreamName ? options.getStreamIdentifier() : options.getEventType();
  const regex = expression?.getRegex() ?? '';
  const prefixes = expression?.getPrefixList() ?? [];
  const test: (value: string) => boolean =
    regex !== ''
      ? (
          (pattern) => (value) =>
            pattern.test(value)
        )(new RegExp(regex))
      : (value) => prefixes.some((prefix) => value.startsWith(prefix));
  const window = options.hasMax() ? options.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = Math.max(1, options.getCheckpointintervalmultiplier());
  return {
    matches: onStreamName ? (event) => test(event.streamName) : (event) => test(event.type),
    checkpointInterval: Math.max(1, window * multiplier),
  };
}
