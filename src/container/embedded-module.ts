import { join } from 'node:path';
import { ContainerModule } from 'inversify';
import type { Logger } from 'pino';
import { SqliteAccountLeases } from '../adapters/account-leases/sqlite-account-leases';
import { SqliteEventStore } from '../adapters/event-store/sqlite-event-store';
import { SqliteIdempotencyStore } from '../adapters/idempotency/sqlite-idempotency-store';
import { SqliteLocks } from '../adapters/locks/sqlite-locks';
import { SqliteMessageBus } from '../adapters/message-bus/sqlite-message-bus';
import { SqliteReadModelStore } from '../adapters/read-models/sqlite-read-model-store';
import { openSqliteDatabase, type SqliteDatabase } from '../adapters/sqlite/open-database';
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

export const SQLITE_DATABASE = Symbol.for('SqliteDatabase');

/**
 * The embedded profile: event store, bus, read models, leases, idempotency keys and locks in one
 * SQLite file under DATA_DIR, so `npm start` needs nothing installed.
 */
export function embeddedModule(config: Config, lifecycle: Lifecycle, logger: Logger): ContainerModule {
  return new ContainerModule(({ bind }) => {
    const db = openSqliteDatabase(join(config.DATA_DIR, 'jimeng.db'));
    lifecycle.onClose('sqlite', () => void db.close());
    bind<SqliteDatabase>(SQLITE_DATABASE).toConstantValue(db);

    const eventStore = new SqliteEventStore(db);
    lifecycle.onClose('event store', () => eventStore.close());
    bind(EVENT_STORE).toConstantValue(eventStore);

    const bus = new SqliteMessageBus(db, {
      partitions: config.KAFKA_PARTITIONS,
      onError: (error, message) => logHandlerFailure(logger, error, message),
    });
    lifecycle.onClose('message bus', () => bus.close());
    bind(MESSAGE_BUS).toConstantValue(bus);

    bind(READ_MODEL_STORE).toConstantValue(new SqliteReadModelStore(db));
    bind(ACCOUNT_LEASES).toConstantValue(new SqliteAccountLeases(db));
    bind(IDEMPOTENCY_STORE).toConstantValue(new SqliteIdempotencyStore(db));
    bind(LOCKS).toConstantValue(new SqliteLocks(db));

    const checks: ReadinessCheck[] = [
      {
        name: 'sqlite',
        check: async () => {
          db.prepare('SELECT 1').get();
        },
      },
    ];
    bind<ReadinessCheck[]>(TOKENS.ReadinessChecks).toConstantValue(checks);
  });
}
