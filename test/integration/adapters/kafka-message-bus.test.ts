import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkaMessageBus } from '../../../src/adapters/message-bus/kafka-message-bus';
import { partitionForKey } from '../../../src/adapters/message-bus/murmur2-partitioner';
import type { Consumer, IncomingMessage } from '../../../src/ports/message-bus';
import { messageBusContract } from '../../contracts/message-bus.contract';
import { waitFor } from '../../support/wait-for';

const brokers = (): string => {
  const list = process.env.KAFKA_BROKERS;
  if (!list)
    throw new Error('KAFKA_BROKERS is not set: run through the integration project (its global set-up)');
  return list;
};

messageBusContract('Kafka', async () => {
  const bus = new KafkaMessageBus({ brokers: brokers(), retryBackoff: { initialMs: 50, maxMs: 500 } });
  return { bus, cleanup: () => bus.close() };
});

describe('KafkaMessageBus on Kafka', () => {
  const DEADLINE = { timeoutMs: 45_000, intervalMs: 20 };
  let kafkaAdmin: Admin;
  let bus: KafkaMessageBus;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    kafkaAdmin = new Kafka({ brokers: brokers().split(','), logLevel: logLevel.NOTHING }).admin();
    await kafkaAdmin.connect();
    bus = new KafkaMessageBus({
      brokers: brokers(),
      partitions: 6,
      retryBackoff: { initialMs: 50, maxMs: 500 },
    });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
  });

  afterAll(async () => {
    await bus?.close();
    await kafkaAdmin?.disconnect();
  });

  it('creates a topic with the configured partitions before the first publish', async () => {
    const topic = `bus.partitions.${randomUUID()}`;

    await bus.publish([{ topic, key: 'k', value: '{}' }]);
    await bus.publish([{ topic, key: 'k', value: '{}' }]);

    const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions).toHaveLength(6);
  });

  it('creates the topics of a subscription before joining, so the broker does not auto-create them', async () => {
    const topic = `bus.subscribed.${randomUUID()}`;

    consumers.push(
      await bus.subscribe({ groupId: `g-${randomUUID()}`, topics: [topic], handler: async () => {} }),
    );

    const metadata = await kafkaAdmin.fetchTopicMetadata({ topics: [topic] });
    expect(metadata.topics[0].partitions).toHaveLength(6);
  });

  it('keeps deployments with different namespaces apart on one cluster', async () => {
    // Given two deployments on one cluster, each with its own namespace, the same topic and group
    const topic = `bus.namespaced.${randomUUID()}`;
    const groupId = `g-${randomUUID()}`;
    const [staging, production] = ['staging', 'production'].map(
      (namespace) =>
        new KafkaMessageBus({ brokers: brokers(), partitions: 2, namespace: `${namespace}-${randomUUID()}` }),
    ) as [KafkaMessageBus, KafkaMessageBus];
    const seen: Record<string, IncomingMessage[]> = { staging: [], production: [] };
    try {
      for (const [name, deployment] of [
        ['staging', staging],
        ['production', production],
      ] as const) {
        consumers.push(
          await deployment.subscribe({
            groupId,
            topics: [topic],
            handler: async (message) => void seen[name]!.push(message),
          }),
        );
      }

      // When each publishes one message
      await staging.publish([{ topic, key: 'k', value: '"from staging"' }]);
      await production.publish([{ topic, key: 'k', value: '"from production"' }]);

      // Then each consumes only its own, under the topic name it used
      await waitFor(() => seen.staging!.length >= 1 && seen.production!.length >= 1, {
        ...DEADLINE,
        message: 'both messages',
      });
      expect(seen.staging!.map((m) => [m.topic, m.value])).toEqual([[topic, '"from staging"']]);
      expect(seen.production!.map((m) => [m.topic, m.value])).toEqual([[topic, '"from production"']]);
      expect(await kafkaAdmin.listTopics()).not.toContain(topic);
    } finally {
      await Promise.all(consumers.splice(0).map((consumer) => consumer.stop()));
      await Promise.all([staging.close(), production.close()]);
    }
  });

  it('puts every message of one key in one partition, and spreads keys over partitions', async () => {
    const topic = `bus.keys.${randomUUID()}`;
    const keys = Array.from({ length: 12 }, (_, n) => `image-p.s${n}`);
    await Promise.all(
      [0, 1, 2].map((round) =>
        bus.publish(keys.map((key) => ({ topic, key, value: JSON.stringify({ key, round }) }))),
      ),
    );
    const received: IncomingMessage[] = [];

    consumers.push(
      await bus.subscribe({
        groupId: `g-${randomUUID()}`,
        topics: [topic],
        concurrency: 3,
        handler: async (message) => {
          received.push(message);
        },
      }),
    );

    await waitFor(() => received.length >= keys.length * 3, { ...DEADLINE, message: 'every message' });
    const partitionsByKey = new Map<string, Set<number>>();
    for (const message of received) {
      partitionsByKey.set(
        message.key,
        (partitionsByKey.get(message.key) ?? new Set()).add(message.partition),
      );
    }
    for (const key of keys) expect(partitionsByKey.get(key)?.size).toBe(1);
    // The same murmur2 choice as the embedded bus, so a key keeps its partition across profiles.
    for (const key of keys) expect([...partitionsByKey.get(key)!]).toEqual([partitionForKey(key, 6)]);
    expect(new Set(received.map((message) => message.partition)).size).toBeGreaterThan(1);
  });

  it('keeps redelivering a message whose handler keeps failing, and commits nothing past it', async () => {
    const topic = `bus.failing.${randomUUID()}`;
    const groupId = `g-${randomUUID()}`;
    await bus.publish(
      ['first', 'poison', 'after'].map((value) => ({ topic, key: 'k', value: JSON.stringify(value) })),
    );
    const attempts: string[] = [];

    const consumer = await bus.subscribe({
      groupId,
      topics: [topic],
      handler: async (message) => {
        attempts.push(message.value);
        if (message.value === '"poison"') throw new Error('still failing');
      },
    });
    consumers.push(consumer);
    await waitFor(() => attempts.filter((value) => value === '"poison"').length >= 4, {
      ...DEADLINE,
      message: 'several deliveries of the failing message',
    });
    await consumer.stop();

    expect(attempts).not.toContain('"after"');
    const [offsets] = await kafkaAdmin.fetchOffsets({ groupId, topics: [topic] });
    const committed = offsets.partitions.filter((partition) => partition.offset !== '-1');
    expect(committed).toHaveLength(1);
    expect(committed[0].offset).toBe('1');
  });

  it('holds back only the failing partition: other keys keep flowing on a single-partition-at-a-time consumer', async () => {
    const topic = `bus.isolated.${randomUUID()}`;
    const keys = Array.from({ length: 12 }, (_, n) => `video-p.s${n}`);
    await bus.publish(keys.map((key) => ({ topic, key, value: JSON.stringify(key) })));
    const handled = new Set<string>();
    let poisonAttempts = 0;

    // when one key's handler keeps failing on a consumer that handles one partition at a time
    consumers.push(
      await bus.subscribe({
        groupId: `g-${randomUUID()}`,
        topics: [topic],
        handler: async (message) => {
          if (message.key === keys[0]) {
            poisonAttempts += 1;
            throw new Error('this key keeps failing');
          }
          handled.add(message.key);
        },
      }),
    );

    // then every key outside the failing partition is handled, and the keys behind it wait, in order
    const failing = partitionForKey(keys[0], 6);
    const elsewhere = keys.filter((key) => partitionForKey(key, 6) !== failing);
    expect(elsewhere.length).toBeGreaterThan(0);
    await waitFor(() => poisonAttempts >= 3 && elsewhere.every((key) => handled.has(key)), {
      ...DEADLINE,
      message: 'every key outside the failing partition',
    });
    expect([...handled].filter((key) => partitionForKey(key, 6) === failing)).toEqual([]);
  });

  it('passes kafkajs heartbeat through to the handler', async () => {
    const topic = `bus.heartbeat.${randomUUID()}`;
    await bus.publish([{ topic, key: 'k', value: '"waits"' }]);
    let heartbeats = 0;

    consumers.push(
      await bus.subscribe({
        groupId: `g-${randomUUID()}`,
        topics: [topic],
        handler: async (_message, context) => {
          await context.heartbeat();
          heartbeats += 1;
        },
      }),
    );

    await waitFor(() => heartbeats > 0, { ...DEADLINE, message: 'a heartbeat from the handler' });
  });
});
