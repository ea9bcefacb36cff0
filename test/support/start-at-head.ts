import { MongoClient } from 'mongodb';
import { EsdbEventStore } from '../../src/adapters/event-store/esdb-event-store';
import { MongoReadModelStore } from '../../src/adapters/read-models/mongo-read-model-store';
import { READ_MODELS_PROJECTOR } from '../../src/projections/projector';

/**
 * The event store may hold other runs' history (tests and bench scenarios share one server): the
 * relay and the projector of a fresh database start at today's head, as an operator moving to new
 * read models and topics would. Answers that head (null: an empty store).
 */
export async function startAtHead(
  esdbUrl: string,
  mongoUrl: string,
  database: string,
): Promise<bigint | null> {
  const events = new EsdbEventStore(esdbUrl);
  const mongo = await MongoClient.connect(mongoUrl, { serverSelectionTimeoutMS: 10_000 });
  try {
    const head = await events.headPosition();
    if (head !== null) {
      const readModels = new MongoReadModelStore(mongo.db(database));
      await readModels.saveCheckpoint('relay', head);
      await readModels.saveCheckpoint(READ_MODELS_PROJECTOR, head);
    }
    return head;
  } finally {
    await events.close();
    await mongo.close();
  }
}
