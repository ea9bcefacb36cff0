import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { KafkaTopics } from '../../../src/adapters/message-bus/kafka-topics';

const brokers = (): string[] => {
  const list = process.env.KAFKA_BROKERS;
  if (!list)
    throw new Error('KAFKA_BROKERS is not set: run through the integration project (its global set-up)');
  return list.split(',');
};

describe('KafkaTopics on Kafka', () => {
  const admins: Admin[] = [];
  const newAdmin = () => {
    const admin = new Kafka({
      brokers: brokers(),
      logLevel: logLevel.NOTHING,
      clientId: randomUUID(),
    }).admin();
    admins.push(admin);
    return admin;
  };

  afterAll(async () => {
    await Promise.all(admins.map((admin) => admin.disconnect()));
  });

  it('ensures a topic that five processes create at once: each sees every partition led', async () => {
    // Given five processes starting together on a topic nobody created yet
    const topic = `topics-race-${randomUUID()}`;
    const processes = Array.from(
      { length: 5 },
      () => new KafkaTopics(newAdmin(), { partitions: 6, replicationFactor: 1 }),
    );

    // When each ensures it (all but one are told "already exists")
    await Promise.all(
      processes.map(async (topics) => {
        await topics.ensure([topic]);
        // Then, at the moment its ensure returns, the topic is usable from that process
        const { topics: found } = await newAdmin().fetchTopicMetadata({ topics: [topic] });
        expect(found[0]!.partitions).toHaveLength(6);
        expect(found[0]!.partitions.every(({ leader }) => leader >= 0)).toBe(true);
      }),
    );
    await Promise.all(processes.map((topics) => topics.close()));
  }, 60_000);
});
