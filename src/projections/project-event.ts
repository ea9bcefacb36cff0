import { isAccountEvent, type AccountEvent, type GenerationEvent } from '../events';
import type { ProjectionWrite } from '../ports/read-models';
import { projectAccountEvent } from './account-projection';
import { projectGenerationEvent } from './generation-record-projection';
import type { ProjectedEvent } from './projected-event';

/** The writes of any domain event to the read models of DESIGN §4. */
export function projectEvent(projected: ProjectedEvent): ProjectionWrite[] {
  return isAccountEvent(projected.event)
    ? projectAccountEvent(projected as ProjectedEvent<AccountEvent>)
    : projectGenerationEvent(projected as ProjectedEvent<GenerationEvent>);
}
