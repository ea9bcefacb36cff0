import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_STORE, type EventStore, type StoredEvent } from '../../../src/ports/event-store';
import {
  generateImages,
  LogBuffer,
  RUNTIME_KEYS,
  startTestRuntime,
  tempDataDir,
  type TestRuntime,
} from './support/runtime';

/** Session ids as the admin pastes them: bare (cn) and with a site prefix. */
const SESSIONS = [
  { pasted: 'cnsecret0a1b2c3d4e5f60718293a4b5c6d', bare: 'cnsecret0a1b2c3d4e5f60718293a4b5c6d' },
  { pasted: 'hk-hksecret9f8e7d6c5b4a39281706f5e4d', bare: 'hksecret9f8e7d6c5b4a39281706f5e4d' },
  { pasted: 'us-ussecret11223344556677889900aabbc', bare: 'ussecret11223344556677889900aabbc' },
];
const REPLACED = {
  pasted: 'jp-jpsecretfeedfacecafebeef0011223344',
  bare: 'jpsecretfeedfacecafebeef0011223344',
};
const needles = [...SESSIONS, REPLACED].flatMap(({ pasted, bare }) => [pasted, bare]);

async function allEvents(store: EventStore): Promise<StoredEvent[]> {
  const head = await store.headPosition();
  const events: StoredEvent[] = [];
  if (head === null) return events;
  const subscription = store.subscribeToAll({ from: 'start' });
  try {
    for await (const event of subscription) {
      events.push(event);
      if (event.position >= head) break;
    }
  } finally {
    await subscription.close();
  }
  return events;
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const leaks = (where: string, text: string | Buffer) =>
  needles.filter((needle) => text.includes(needle)).map((needle) => `${where} holds ${needle.slice(0, 6)}…`);

describe('session ids stay secret through a whole flow', () => {
  const dataDir = tempDataDir();
  const log = new LogBuffer();
  let rt: TestRuntime;
  let events: StoredEvent[] = [];

  beforeAll(async () => {
    rt = await startTestRuntime(dataDir.path, log);
    const created = await rt.call('POST', '/api/v1/accounts', RUNTIME_KEYS.admin, {
      createBy: 'ops',
      accounts: SESSIONS.map(({ pasted }, i) => ({ jimengAccount: `secret-${i}`, sessionId: pasted })),
    });
    expect(created.body.data.accepted).toBe(SESSIONS.length);
    const [, second] = created.body.data.items as { accountId: string }[];
    // Refusals that could echo what was sent: a session contradicting siteType, one with a space.
    await rt.call('POST', '/api/v1/accounts', RUNTIME_KEYS.admin, {
      createBy: 'ops',
      accounts: [
        { jimengAccount: 'bad-site', sessionId: REPLACED.pasted, siteType: 1 },
        { jimengAccount: 'bad-space', sessionId: `${REPLACED.bare} x` },
      ],
    });
    await rt.call('PATCH', '/api/v1/accounts', RUNTIME_KEYS.admin, {
      updateBy: 'ops',
      accounts: [{ id: second!.accountId, sessionId: REPLACED.pasted }],
    });
    await rt.call('PATCH', '/api/v1/accounts', RUNTIME_KEYS.admin, {
      updateBy: 'ops',
      accounts: [{ id: second!.accountId, sessionId: SESSIONS[1]!.pasted }],
    });
    await rt.call('POST', '/api/v1/accounts', RUNTIME_KEYS.admin, {
      createBy: 'ops',
      accounts: 'x'.repeat(10),
    });

    const { statuses } = await generateImages(rt, 'p-secret', ['sb-1', 'sb-2', 'sb-3', 'sb-4']);
    expect(statuses).toEqual([2, 2, 2, 2]);
    const accounts = await rt.call('GET', '/api/v1/accounts?pageSize=100', RUNTIME_KEYS.admin);
    expect(accounts.body.data.total).toBe(SESSIONS.length);
    for (const { id } of accounts.body.data.list as { id: string }[]) {
      await rt.call('GET', `/api/v1/accounts/${id}`, RUNTIME_KEYS.admin);
    }
    await rt.call('GET', '/api/v1/audit/storyboards/image/p-secret/sb-1/events', RUNTIME_KEYS.service);
    events = await allEvents(rt.runtime.container.get<EventStore>(EVENT_STORE));
    await rt.stop();
  }, 60_000);

  afterAll(() => dataDir.remove());

  it('ran a real flow at trace level (accounts, generations through the worker and the simulator)', () => {
    // LOG_LEVEL=trace lets every entry through (the code's most detailed entries are debug ones).
    expect(log.lines.length).toBeGreaterThan(20);
    expect(log.lines.some((line) => line.includes('"level":20'))).toBe(true);
    expect(events.some((event) => event.type === 'GenerationCompleted')).toBe(true);
    expect(events.filter((event) => event.type === 'AccountUpdated')).toHaveLength(2);
  });

  it('logs no session id at any level', () => {
    expect(log.lines.flatMap((line, i) => leaks(`log line ${i}`, line))).toEqual([]);
  });

  it('answers no session id, in results or in error messages', () => {
    expect(rt.answers.length).toBeGreaterThan(10);
    expect(rt.answers.flatMap((answer, i) => leaks(`answer ${i}`, answer))).toEqual([]);
  });

  it('stores no session id in plaintext in any event (data and metadata)', () => {
    expect(
      events.flatMap((event) =>
        leaks(
          `${event.type}@${event.streamId}`,
          JSON.stringify({ data: event.data, metadata: event.metadata }),
        ),
      ),
    ).toEqual([]);
  });

  it('keeps no session id in plaintext in any file of DATA_DIR (SQLite event store, read models, WAL)', () => {
    const files = filesUnder(dataDir.path);
    const database = files.find((file) => file.endsWith('.db'));
    // The scan reads stored text: the masked hint of the same session is there.
    expect(readFileSync(database!).includes('cn****6d')).toBe(true);
    expect(files.flatMap((file) => leaks(file, readFileSync(file)))).toEqual([]);
  });
});
