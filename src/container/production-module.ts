import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { MongoAccountLeases } from '../adapters/account-leases/mongo-account-leases';
import { EsdbEventStore } from '../adapters/event-store/esdb-event-store';
import { MongoIdempotencyStore } from '../adapters/idempotency/mongo-idempotency-store';
import { MongoLocks } from '../adapters/locks/mongo-locks';
import { KafkaMessageBus } from '../adapters/message-bus/kafka-message-bus';
import { connectMongo } from '../adapters/mongo/connect';
import { MongoClientWatchdog, pingWithFreshClient } from '../adapters/mongo/mongo-client-watchdog';
import { MongoReadModelStore } from '../adapters/read-models/mongo-read-model-store';
import type { Config } from '../config/config';
import { ACCOUNT_LEASES } from '../ports/account-leases';
import { EVENT_STORE } from '../ports/event-store';
import { IDEMPOTENCY_STORE } from '../ports/idempotency-store';
import { LOCKS } from '../ports/locks';
import { MESSAGE_BUS } from '../ports/message-bus';
import { READ_MODEL_STORE } from '../ports/read-models';
import type { Lifecycle } from './lifecycle';
import type { ReadinessCheck } from './readiness';
import { logHandlerFailure } from './handler-failure-log';
import { TOKENS } from './tokens';

/**
 * The production profile: EventStoreDB for events, Kafka for the topics, MongoDB for read models,
 * leases, idempotency keys and locks. Connections are opened before the module is loaded, so a
 * missing server fails the start with its name instead of the first request.
 */
export async function productionModule(
  config: Config,
  lifecycle: Lifecycle,
  logger: Logger,
  onFatal: (reason: string) => void,
): Promise<ContainerModule> {
  const mongo = await connectMongo(config.MONGO_URL!, config.MONGO_DB);
  lifecycle.onClose('mongodb', () => mongo.close());
  if (config.MONGO_WATCHDOG_MS > 0) {
    const intervalMs = Math.min(5_000, Math.max(500, Math.floor(config.MONGO_WATCHDOG_MS / 3)));
    const watchdog = new MongoClientWatchdog({
      stuckAfterMs: config.MONGO_WATCHDOG_MS,
      intervalMs,
      ping: async () => void (await mongo.db.command({ ping: 1 })),
      probe: () => pingWithFreshClient(config.MONGO_URL!, intervalMs),
      onStuck: (failingForMs, lastError) => {
        logger.fatal(
          { err: lastError, failingForMs },
          'the MongoDB client has not recovered although the server answers a fresh client; restarting the process',
        );
        onFatal('mongodb client stuck');
      },
    });
    watchdog.start();
    lifecycle.onClose('mongodb watchdog', () => watchdog.stop());
  }
  const readModels = new MongoReadModelStore(mongo.db);
  const leases = new MongoAccountLeases(mongo.db);
  const locks = new MongoLocks(mongo.db);
  await Promise.all([readModels.ensureIndexes(), leases.ensureIndexes(), locks.ensureIndexes()]);

  const eventStore = new EsdbEventStore(config.ESDB_URL!, {
    onSubscriptionDropped: (error, attempt) =>
      logger.warn({ err: error, attempt }, 'event store subscription dropped; resubscribing'),
  });
  lifecycle.onClose('event store', () => eventStore.close());

  const bus = new KafkaMessageBus({
    brokers: config.KAFKA_BROKERS!,
    clientId: `jimeng-orchestrator-${process.pid}`,
    partitions: config.KAFKA_PARTITIONS,
    sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
    ...(config.KAFKA_NAMESPACE ? { namespace: config.KAFKA_NAMESPACE } : {}),
    logger: logger.child({ component: 'kafka' }),
    onError: (error, message) => logHandlerFailure(logger, error, message),
  });
  lifecycle.onClose('message bus', () => bus.close());

  const checks: ReadinessCheck[] = [
    { name: 'mongodb', check: async () => void (await mongo.db.command({ ping: 1 })) },
    { name: 'eventstoredb', check: async () => void (await eventStore.headPosition()) },
    {
      name: 'kafka',
      check: async () => {
        await bus.publish([{ topic: 'jimeng.health', key: 'readyz', value: '{}' }]);
      },
    },
  ];

  return new ContainerModule(({ bind }) => {
    bind(EVENT_STORE).toConstantValue(eventStore);
    bind(MESSAGE_BUS).toConstantValue(bus);
    bind(READ_MODEL_STORE).toConstantValue(readModels);
    bind(ACCOUNT_LEASES).toConstantValue(leases);
    bind(IDEMPOTENCY_STORE).toConstantValue(new MongoIdempotencyStore(mongo.db));
    bind(LOCKS).toConstantValue(locks);
    bind<ReadinessCheck[]>(TOKENS.ReadinessChecks).toConstantValue(checks);
  });
}
