import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Consumer, type Producer } from 'kafkajs';
import { waitFor } from '../../support/wait-for';

// Proves the configured broker speaks Kafka: consumer groups with committed offsets and keyed partitions.
describe('Kafka smoke', () => {
  const kafka = new Kafka({
    clientId: 'smoke',
    brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
    logLevel: logLevel.WARN,
  });
  const admin = kafka.admin();
  let producer: Producer;
  const consumers: Consumer[] = [];

  const consumer = (groupId: string) => {
    const created = kafka.consumer({
      groupId,
      sessionTimeout: 10000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: 100,
    });
    consumers.push(created);
    return created;
  };

  const createTopic = async (numPartitions: number) => {
    const topic = `smoke-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
    return topic;
  };

  beforeAll(async () => {
    await admin.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((created) => created.disconnect()));
    await producer.disconnect();
    await admin.disconnect();
  });

  it('resumes a consumer group after the last committed offset', async () => {
    // given a topic holding six records
    const topic = await createTopic(1);
    const groupId = `smoke-group-${randomUUID()}`;
    await producer.send({
      topic,
      messages: [1, 2, 3, 4, 5, 6].map((n) => ({ key: 'storyboard', value: `record-${n}` })),
    });

    // when a first group member reads three records, commits after the third and leaves
    const first = consumer(groupId);
    const firstSeen: string[] = [];
    let committed = false;
    await first.connect();
    await first.subscribe({ topic, fromBeginning: true });
    await first.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        if (firstSeen.length >= 3) return;
        firstSeen.push(String(message.value));
        if (firstSeen.length === 3) {
          await first.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          committed = true;
        }
      },
    });
    await waitFor(() => committed, { timeoutMs: 30000, message: 'the first member to commit' });
    await first.disconnect();

    // then the group's committed offset is 3 and a new member starts right after it
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '3' })]);
    const second = consumer(groupId);
    const secondSeen: string[] = [];
    await second.connect();
    await second.subscribe({ topic, fromBeginning: true });
    await second.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        secondSeen.push(String(message.value));
      },
    });
    await waitFor(() => secondSeen.length >= 3, { timeoutMs: 30000, message: 'the second member to read' });
    expect(firstSeen).toEqual(['record-1', 'record-2', 'record-3']);
    expect(secondSeen).toEqual(['record-4', 'record-5', 'record-6']);
  });

  it('sends records with the same key to the same partition', async () => {
    // given a topic with four partitions
    const topic = await createTopic(4);
    const keys = ['account-a', 'account-b', 'account-c', 'account-d', 'account-e', 'account-f'];

    // when three records per key are produced, one send per record
    for (let round = 0; round < 3; round += 1) {
      for (const key of keys) {
        await producer.send({ topic, messages: [{ key, value: `${key}-${round}` }] });
      }
    }

    // then a fresh group reads every key from exactly one partition, and several partitions are in use
    const reader = consumer(`smoke-keys-${randomUUID()}`);
    const partitionsByKey = new Map<string, Set<number>>();
    let count = 0;
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ partition, message }) => {
        const key = String(message.key);
        partitionsByKey.set(key, (partitionsByKey.get(key) ?? new Set()).add(partition));
        count += 1;
      },
    });
    await waitFor(() => count >= keys.length * 3, { timeoutMs: 30000, message: 'all keyed records' });
    expect([...partitionsByKey.keys()].sort()).toEqual(keys);
    for (const partitions of partitionsByKey.values()) expect(partitions.size).toBe(1);
    const used = new Set([...partitionsByKey.values()].flatMap((partitions) => [...partitions]));
    expect(used.size).toBeGreaterThan(1);
  });
});
