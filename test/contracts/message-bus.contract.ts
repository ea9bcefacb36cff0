import { randomUUID } from 'node:crypto';
import type {
  Consumer,
  IncomingMessage,
  MessageBus,
  MessageHandler,
  OutgoingMessage,
  SubscribeOptions,
} from '../../src/ports/message-bus';
import { waitFor } from '../support/wait-for';

export interface MessageBusUnderTest {
  bus: MessageBus;
  cleanup(): Promise<void>;
}

const TEST_TIMEOUT_MS = 120_000;
// A Kafka consumer-group join can take seconds; the embedded bus answers in milliseconds.
const DEADLINE = { timeoutMs: 45_000, intervalMs: 20 };

/**
 * The behaviour every MessageBus adapter must show. Uses only the port, unique topic and group
 * names per test, and tolerates what at-least-once allows (a redelivered message) wherever the
 * assertion is not about redelivery itself.
 */
export function messageBusContract(name: string, make: () => Promise<MessageBusUnderTest>): void {
  describe(`MessageBus contract: ${name}`, () => {
    let subject: MessageBusUnderTest;
    let bus: MessageBus;
    const running: Consumer[] = [];

    beforeAll(async () => {
      subject = await make();
      bus = subject.bus;
    }, TEST_TIMEOUT_MS);

    afterEach(async () => {
      await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
    }, TEST_TIMEOUT_MS);

    afterAll(async () => {
      await subject?.cleanup();
    }, TEST_TIMEOUT_MS);

    async function consume(
      options: Omit<SubscribeOptions, 'handler'> & { handler?: MessageHandler },
    ): Promise<{ consumer: Consumer; received: IncomingMessage[] }> {
      const received: IncomingMessage[] = [];
      const handler = options.handler;
      const consumer = await bus.subscribe({
        ...options,
        handler: async (message, context) => {
          if (handler) await handler(message, context);
          received.push(message);
        },
      });
      running.push(consumer);
      return { consumer, received };
    }

    async function receivedValues(
      received: IncomingMessage[],
      values: string[],
      message: string,
    ): Promise<void> {
      await waitFor(() => values.every((value) => received.some((m) => m.value === value)), {
        ...DEADLINE,
        message,
      });
    }

    it(
      'delivers published messages with their topic, key, value, headers, partition and offset',
      async () => {
        const topic = uniqueName('delivery');
        const messages: OutgoingMessage[] = [
          { topic, key: 'image-p.s1', value: payload(1), headers: { 'correlation-id': 'c-1' } },
          { topic, key: 'image-p.s2', value: payload(2) },
          { topic, key: 'image-p.s1', value: payload(3) },
        ];
        await bus.publish(messages);

        const { received } = await consume({ groupId: uniqueName('group'), topics: [topic] });

        await receivedValues(
          received,
          messages.map((m) => m.value),
          'all three messages',
        );
        const byValue = (value: string) => received.find((m) => m.value === value)!;
        const [first, second, third] = messages.map((m) => byValue(m.value));
        expect(first).toMatchObject({ topic, key: 'image-p.s1', headers: { 'correlation-id': 'c-1' } });
        expect(second).toMatchObject({ topic, key: 'image-p.s2' });
        for (const message of [first, second, third]) {
          expect(Number.isInteger(message.partition) && message.partition >= 0).toBe(true);
          expect(message.offset).toMatch(/^\d+$/);
        }
        expect(third.partition).toBe(first.partition);
        expect(BigInt(third.offset) > BigInt(first.offset)).toBe(true);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'keeps each key in publish order while handling several partitions at once',
      async () => {
        const topic = uniqueName('ordering');
        const keys = Array.from({ length: 6 }, (_, index) => `video-p.s${index}`);
        const perKey = 25;
        for (let round = 0; round < 5; round += 1) {
          const batch: OutgoingMessage[] = [];
          for (let n = round * 5; n < (round + 1) * 5; n += 1) {
            for (const key of keys) batch.push({ topic, key, value: JSON.stringify({ key, n }) });
          }
          await bus.publish(batch);
        }
        let inFlight = 0;
        let maxInFlight = 0;
        const keysInFlight = new Set<string>();
        let keyHandledTwiceAtOnce = false;

        const { received } = await consume({
          groupId: uniqueName('group'),
          topics: [topic],
          concurrency: 4,
          handler: async (message) => {
            if (keysInFlight.has(message.key)) keyHandledTwiceAtOnce = true;
            keysInFlight.add(message.key);
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
            // Simulated work of varying length, so partitions interleave.
            await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
            inFlight -= 1;
            keysInFlight.delete(message.key);
          },
        });

        await waitFor(() => distinct(received).length >= keys.length * perKey, {
          ...DEADLINE,
          message: `${keys.length * perKey} messages`,
        });
        for (const key of keys) {
          const sequence = distinct(received.filter((m) => m.key === key)).map(
            (value) => (JSON.parse(value) as { n: number }).n,
          );
          expect(sequence).toEqual(Array.from({ length: perKey }, (_, n) => n));
        }
        expect(maxInFlight).toBeLessThanOrEqual(4);
        expect(keyHandledTwiceAtOnce).toBe(false);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'lets a new consumer of the group continue after the last committed offset',
      async () => {
        const topic = uniqueName('offsets');
        const groupId = uniqueName('group');
        const key = 'image-p.s1';
        await bus.publish([1, 2, 3].map((n) => ({ topic, key, value: payload(n) })));
        const first = await consume({ groupId, topics: [topic] });
        await receivedValues(
          first.received,
          [payload(1), payload(2), payload(3)],
          'the first three messages',
        );
        await first.consumer.stop();

        await bus.publish([4, 5].map((n) => ({ topic, key, value: payload(n) })));
        const second = await consume({ groupId, topics: [topic] });

        await receivedValues(
          second.received,
          [payload(4), payload(5)],
          'the messages published after the stop',
        );
        expect(second.received.map((m) => m.value)).toEqual([payload(4), payload(5)]);
        expect(first.received.map((m) => m.value)).toEqual([payload(1), payload(2), payload(3)]);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'redelivers a message whose handler threw, and keeps its key in order',
      async () => {
        const topic = uniqueName('redelivery');
        const key = 'video-p.s9';
        await bus.publish(['a', 'b', 'c'].map((value) => ({ topic, key, value: JSON.stringify(value) })));
        const deliveries: string[] = [];
        let failed = false;

        const { received } = await consume({
          groupId: uniqueName('group'),
          topics: [topic],
          handler: async (message) => {
            deliveries.push(message.value);
            if (message.value === '"b"' && !failed) {
              failed = true;
              throw new Error('transient failure');
            }
          },
        });

        await receivedValues(received, ['"c"'], 'the message after the failed one');
        expect(deliveries.filter((value) => value === '"b"').length).toBeGreaterThanOrEqual(2);
        expect(distinct(received)).toEqual(['"a"', '"b"', '"c"']);
        expect(deliveries.lastIndexOf('"b"')).toBeLessThan(deliveries.indexOf('"c"'));
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'gives every message to each of two groups',
      async () => {
        const topic = uniqueName('fan-out');
        const messages = Array.from({ length: 12 }, (_, n) => ({
          topic,
          key: `k${n % 5}`,
          value: payload(n),
        }));
        await bus.publish(messages);

        const one = await consume({ groupId: uniqueName('projections'), topics: [topic] });
        const two = await consume({ groupId: uniqueName('callbacks'), topics: [topic], concurrency: 3 });

        const values = messages.map((m) => m.value);
        await receivedValues(one.received, values, 'every message in the first group');
        await receivedValues(two.received, values, 'every message in the second group');
        expect(distinct(one.received).sort()).toEqual([...values].sort());
        expect(distinct(two.received).sort()).toEqual([...values].sort());
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'starts a new group at the end of the topic when fromBeginning is false',
      async () => {
        const topic = uniqueName('from-end');
        const key = 'image-p.s1';
        await bus.publish([{ topic, key, value: '"before"' }]);

        const { received } = await consume({
          groupId: uniqueName('group'),
          topics: [topic],
          fromBeginning: false,
        });

        // The group may take a while to join; keep publishing until a message gets through.
        let sent = 0;
        await waitFor(
          async () => {
            if (received.length > 0) return true;
            await bus.publish([{ topic, key, value: JSON.stringify(`after-${sent}`) }]);
            sent += 1;
            return false;
          },
          { ...DEADLINE, intervalMs: 250, message: 'a message published after subscribing' },
        );
        expect(received.map((m) => m.value)).not.toContain('"before"');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'delivers to a consumer of several topics from each of them',
      async () => {
        const jobs = uniqueName('jobs');
        const events = uniqueName('events');
        await bus.publish([
          { topic: jobs, key: 'k', value: '"job"' },
          { topic: events, key: 'k', value: '"event"' },
        ]);

        const { received } = await consume({ groupId: uniqueName('group'), topics: [jobs, events] });

        await receivedValues(received, ['"job"', '"event"'], 'one message of each topic');
        expect(received.find((m) => m.value === '"job"')?.topic).toBe(jobs);
        expect(received.find((m) => m.value === '"event"')?.topic).toBe(events);
      },
      TEST_TIMEOUT_MS,
    );
  });
}

/** Values in first-delivery order, dropping redeliveries (allowed by at-least-once). */
function distinct(messages: IncomingMessage[]): string[] {
  return [...new Set(messages.map((m) => m.value))];
}

function payload(n: number): string {
  return JSON.stringify({ n });
}

function uniqueName(label: string): string {
  return `contract.${label}.${randomUUID().replace(/-/g, '')}`;
}
