import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';
import { ACCOUNT_LEASES_COLLECTION } from '../../../../src/adapters/account-leases/mongo-account-leases';
import { EsdbEventStore } from '../../../../src/adapters/event-store/esdb-event-store';
import { MongoReadModelStore } from '../../../../src/adapters/read-models/mongo-read-model-store';
import { READ_MODELS_PROJECTOR } from '../../../../src/projections/projector';
import { TOPICS } from '../../../../src/ports/message-bus';

/**
 * Where a stalled pipeline stands, for a timeout message: the event store's head against the
 * relay's and projector's checkpoints, and the job topic's end offsets against the workers' group.
 */
export async function diagnosePipeline(options: {
  esdbUrl: string;
  mongoUrl: string;
  database: string;
  kafkaBrokers: string;
}): Promise<string> {
  const lines: string[] = [];
  const attempt = async (label: string, work: () => Promise<string>) => {
    try {
      lines.push(`${label}: ${await work()}`);
    } catch (error) {
      lines.push(`${label}: unavailable (${error instanceof Error ? error.message : String(error)})`);
    }
  };

  await attempt('event store / checkpoints', async () => {
    const events = new EsdbEventStore(options.esdbUrl);
    const mongo = await MongoClient.connect(options.mongoUrl, { serverSelectionTimeoutMS: 5000 });
    try {
      const readModels = new MongoReadModelStore(mongo.db(options.database));
      const [head, relay, projector] = await Promise.all([
        events.headPosition(),
        readModels.getCheckpoint('relay'),
        readModels.getCheckpoint(READ_MODELS_PROJECTOR),
      ]);
      const leaseVersions = await mongo
        .db(options.database)
        .collection(ACCOUNT_LEASES_COLLECTION)
        .countDocuments();
      return `head ${head}, relay ${relay}, projector ${projector}; ${leaseVersions} account lease versions`;
    } finally {
      await events.close();
      await mongo.close();
    }
  });

  await attempt(`kafka ${TOPICS.jobs}`, async () => {
    const admin = new Kafka({
      clientId: 'e2e-diagnosis',
      brokers: options.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    }).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(TOPICS.jobs);
      const [group] = await admin.fetchOffsets({ groupId: 'generation-workers', topics: [TOPICS.jobs] });
      const committed = new Map(group?.partitions.map((p) => [p.partition, p.offset]) ?? []);
      const { groups } = await admin.describeGroups(['generation-workers']);
      const partitions = ends
        .sort((a, b) => a.partition - b.partition)
        .map((p) => `${p.partition}:${committed.get(p.partition) ?? '?'}/${p.high}`)
        .join(' ');
      return `committed/end ${partitions}; group ${groups[0]?.state} with ${groups[0]?.members.length} members`;
    } finally {
      await admin.disconnect();
    }
  });
  return lines.join('\n');
}
