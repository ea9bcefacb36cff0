import { foldEvents, type Decider } from '../../../../src/commands';

/**
 * Decider specifications: given past events, when a command is decided, then these events
 * (or nothing, or a domain error with this code).
 */
export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return (given: Event[] = []) => ({
    when: (command: Command) => {
      const decide = () => decider.decide(command, foldEvents(decider, given));
      return {
        then: (expected: Event[]) => expect(decide()).toEqual(expected),
        thenNothing: () => expect(decide()).toEqual([]),
        thenThrows: (code: string) => {
          let thrown: unknown;
          try {
            decide();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toMatchObject({ code });
        },
        /** The state after folding the decided events, for checks on derived fields. */
        thenState: (check: (state: State) => void) => {
          const state = foldEvents(decider, given);
          check(decider.decide(command, state).reduce(decider.evolve, state));
        },
      };
    },
  });
}
