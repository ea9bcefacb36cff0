import type { StoredEvent } from '../ports/event-store';
import type { DomainEvent } from '../events';

/** A stored event together with its validated, upcast domain form: what projections consume. */
export interface ProjectedEvent<E extends DomainEvent = DomainEvent> {
  stored: StoredEvent;
  event: E;
}

/** Times in read models are UTC ISO strings, so they sort as text in every adapter. */
export function utc(time: string): string {
  return new Date(time).toISOString();
}
