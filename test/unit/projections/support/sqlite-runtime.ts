import pino from 'pino';
import { SqliteEventStore } from '../../../../src/adapters/event-store/sqlite-event-store';
import { SqliteLocks } from '../../../../src/adapters/locks/sqlite-locks';
import { SqliteMessageBus } from '../../../../src/adapters/message-bus/sqlite-message-bus';
import { SqliteReadModelStore } from '../../../../src/adapters/read-models/sqlite-read-model-store';
import { openSqliteDatabase, type SqliteDatabase } from '../../../../src/adapters/sqlite/open-database';
import { toEventToAppend, type DomainEvent } from '../../../../src/events';
import type { AppendResult, EventStore } from '../../../../src/ports/event-store';
import { tempSqliteFile } from '../../adapters/temp-sqlite-file';

/** The embedded adapters on one temp SQLite file, as `npm start` wires them. */
export interface SqliteRuntime {
  db: SqliteDatabase;
  events: SqliteEventStore;
  readModels: SqliteReadModelStore;
  bus: SqliteMessageBus;
  locks: SqliteLocks;
  logger: pino.Logger;
  close(): Promise<void>;
}

export function openSqliteRuntime(label: string): SqliteRuntime {
  const file = tempSqliteFile(label);
  const db = openSqliteDatabase(file.file);
  const events = new SqliteEventStore(db, { pollIntervalMs: 20 });
  const readModels = new SqliteReadModelStore(db);
  const bus = new SqliteMessageBus(db, {
    pollIntervalMs: 20,
    retentionIntervalMs: false,
    commitIntervalMs: 0,
    retryBackoff: { initialMs: 10, maxMs: 50 },
  });
  const locks = new SqliteLocks(db);
  return {
    db,
    events,
    readModels,
    bus,
    locks,
    logger: pino({ level: 'silent' }),
    async close() {
      await bus.close();
      await events.close();
      await readModels.close();
      db.close();
      file.remove();
    },
  };
}

/** Appends domain events (validated, versioned) to a stream, whatever its revision. */
export function appendEvents(
  store: EventStore,
  streamId: string,
  events: DomainEvent[],
): Promise<AppendResult> {
  return store.append(
    streamId,
    events.map((event) => toEventToAppend(event, { actor: 'test' })),
    'any',
  );
}
