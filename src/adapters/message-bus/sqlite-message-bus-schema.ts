import type { SqliteMigration } from '../sqlite/migrations';

export const MESSAGE_BUS_COMPONENT = 'message-bus';

/**
 * mb_partitions.next_offset allocates offsets, so offsets stay increasing after retention has
 * deleted a partition's messages. mb_group_offsets holds each group's next offset to consume
 * (Kafka's committed offset). Column names avoid the SQL words OFFSET and PARTITION.
 */
export const messageBusMigrations: SqliteMigration[] = [
  {
    version: 1,
    up: `
      CREATE TABLE mb_topics (
        topic TEXT PRIMARY KEY,
        partitions INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE mb_partitions (
        topic TEXT NOT NULL,
        part INTEGER NOT NULL,
        next_offset INTEGER NOT NULL,
        PRIMARY KEY (topic, part)
      ) WITHOUT ROWID;
      CREATE TABLE mb_messages (
        topic TEXT NOT NULL,
        part INTEGER NOT NULL,
        msg_offset INTEGER NOT NULL,
        msg_key TEXT NOT NULL,
        value TEXT NOT NULL,
        headers TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (topic, part, msg_offset)
      );
      CREATE TABLE mb_group_offsets (
        group_id TEXT NOT NULL,
        topic TEXT NOT NULL,
        part INTEGER NOT NULL,
        next_offset INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (group_id, topic, part)
      ) WITHOUT ROWID;
      CREATE INDEX mb_group_offsets_partition ON mb_group_offsets (topic, part, next_offset);
    `,
  },
];
