import { MongoClientWatchdog } from '../../../src/adapters/mongo/mongo-client-watchdog';

const closed = () =>
  Object.assign(new Error('connection 5 to 127.0.0.1:38701 closed'), { name: 'MongoServerSelectionError' });

/** A watchdog on a hand-moved clock, with the client's and the server's answers set by the test. */
function watchdog(stuckAfterMs = 30_000) {
  let now = 0;
  const state = { clientWorks: true, serverAnswers: true, stuck: [] as number[] };
  const dog = new MongoClientWatchdog({
    stuckAfterMs,
    intervalMs: 5_000,
    now: () => now,
    ping: async () => {
      if (!state.clientWorks) throw closed();
    },
    probe: async () => {
      if (!state.serverAnswers) throw new Error('connect ECONNREFUSED');
    },
    onStuck: (failingForMs) => state.stuck.push(failingForMs),
  });
  const checkAt = async (ms: number) => {
    now = ms;
    await dog.check();
  };
  return { state, checkAt };
}

describe('the MongoDB client watchdog', () => {
  it('restarts the process when the client keeps failing while a fresh client reaches the server', async () => {
    // Given a client that broke at t=10 s while the server answers
    const { state, checkAt } = watchdog();
    await checkAt(5_000);
    state.clientWorks = false;

    // When it is still failing 30 s later
    await checkAt(10_000);
    await checkAt(35_000);
    expect(state.stuck).toEqual([]);
    await checkAt(40_000);

    // Then the process is told to restart, once
    expect(state.stuck).toEqual([30_000]);
    await checkAt(60_000);
    expect(state.stuck).toHaveLength(1);
  });

  it('keeps waiting through an outage of the server itself', async () => {
    // Given the server down for two minutes
    const { state, checkAt } = watchdog();
    state.clientWorks = false;
    state.serverAnswers = false;
    for (let t = 0; t <= 120_000; t += 5_000) await checkAt(t);

    // Then no restart: a new process would not reach it either
    expect(state.stuck).toEqual([]);

    // And when the server is back, the client gets its own time to reconnect, counted from then
    state.serverAnswers = true;
    await checkAt(125_000);
    await checkAt(150_000);
    state.clientWorks = true;
    await checkAt(155_000);
    expect(state.stuck).toEqual([]);

    // And a later failure starts the count over
    state.clientWorks = false;
    await checkAt(160_000);
    await checkAt(185_000);
    expect(state.stuck).toEqual([]);
    await checkAt(190_000);
    expect(state.stuck).toEqual([30_000]);
  });
});
