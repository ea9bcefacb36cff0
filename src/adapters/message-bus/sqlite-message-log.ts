import type { Statement } from 'better-sqlite3';
import type { IncomingMessage, OutgoingMessage } from '../../ports/message-bus';
import { applyMigrations } from '../sqlite/migrations';
import type { SqliteDatabase } from '../sqlite/open-database';
import { partitionForKey } from './murmur2-partitioner';
import { MESSAGE_BUS_COMPONENT, messageBusMigrations } from './sqlite-message-bus-schema';

export interface PartitionHead {
  partition: number;
  nextOffset: number;
}

interface GroupStart {
  group: string;
  topic: string;
  fromBeginning: number;
  now: number;
}

interface MessageRow {
  msg_offset: number;
  msg_key: string;
  value: string;
  headers: string | null;
}

/**
 * The bus's SQL: topics, offset allocation, message rows, group offsets and retention. Knows
 * nothing of consumers or scheduling.
 */
export class SqliteMessageLog {
  private readonly partitionCounts = new Map<string, number>();

  private readonly insertTopic: Statement<[string, number]>;
  private readonly selectTopic: Statement<[string], { partitions: number }>;
  private readonly insertPartition: Statement<[string, number]>;
  private readonly reserveOffsets: Statement<[number, string, number], { next_offset: number }>;
  private readonly insertMessage: Statement<[string, number, number, string, string, string | null, number]>;
  private readonly selectHeads: Statement<[string], { part: number; next_offset: number }>;
  private readonly selectMessages: Statement<[string, number, number, number], MessageRow>;
  private readonly selectGroupOffsets: Statement<[string, string], { part: number; next_offset: number }>;
  private readonly initGroupOffsets: Statement<[GroupStart]>;
  private readonly updateGroupOffset: Statement<[number, number, string, string, number]>;
  private readonly selectPartitions: Statement<[], { topic: string; part: number }>;
  private readonly deleteConsumed: Statement<[string, number, string, number]>;
  private readonly publishTransaction: (messages: OutgoingMessage[], now: number) => void;
  private readonly joinTransaction: (
    groupId: string,
    topic: string,
    fromBeginning: boolean,
    now: number,
  ) => Map<number, number>;

  constructor(
    db: SqliteDatabase,
    private readonly defaultPartitions: number,
  ) {
    applyMigrations(db, MESSAGE_BUS_COMPONENT, messageBusMigrations);
    this.insertTopic = db.prepare('INSERT OR IGNORE INTO mb_topics (topic, partitions) VALUES (?, ?)');
    this.selectTopic = db.prepare('SELECT partitions FROM mb_topics WHERE topic = ?');
    this.insertPartition = db.prepare(
      'INSERT OR IGNORE INTO mb_partitions (topic, part, next_offset) VALUES (?, ?, 0)',
    );
    this.reserveOffsets = db.prepare(
      `UPDATE mb_partitions SET next_offset = next_offset + ? WHERE topic = ? AND part = ?
       RETURNING next_offset`,
    );
    this.insertMessage = db.prepare(
      `INSERT INTO mb_messages (topic, part, msg_offset, msg_key, value, headers, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectHeads = db.prepare('SELECT part, next_offset FROM mb_partitions WHERE topic = ?');
    this.selectMessages = db.prepare(
      `SELECT msg_offset, msg_key, value, headers FROM mb_messages
       WHERE topic = ? AND part = ? AND msg_offset >= ? ORDER BY msg_offset LIMIT ?`,
    );
    this.selectGroupOffsets = db.prepare(
      'SELECT part, next_offset FROM mb_group_offsets WHERE group_id = ? AND topic = ?',
    );
    // A new group starts at the end (fromBeginning false) or at the oldest message retention kept:
    // either way every offset between a group's position and the head still has its message.
    this.initGroupOffsets = db.prepare<GroupStart>(
      `INSERT OR IGNORE INTO mb_group_offsets (group_id, topic, part, next_offset, updated_at)
       SELECT @group, p.topic, p.part,
              CASE WHEN @fromBeginning = 1
                   THEN coalesce((SELECT min(m.msg_offset) FROM mb_messages m
                                  WHERE m.topic = p.topic AND m.part = p.part), p.next_offset)
                   ELSE p.next_offset END,
              @now
       FROM mb_partitions p WHERE p.topic = @topic`,
    );
    this.updateGroupOffset = db.prepare(
      `UPDATE mb_group_offsets SET next_offset = ?, updated_at = ?
       WHERE group_id = ? AND topic = ? AND part = ?`,
    );
    this.selectPartitions = db.prepare('SELECT topic, part FROM mb_partitions');
    this.deleteConsumed = db.prepare(
      `DELETE FROM mb_messages WHERE topic = ? AND part = ? AND msg_offset <
         (SELECT min(next_offset) FROM mb_group_offsets WHERE topic = ? AND part = ?)`,
    );

    const publish = db.transaction(this.publishInTransaction.bind(this));
    this.publishTransaction = (messages, now) => publish.immediate(messages, now);
    const join = db.transaction((groupId: string, topic: string, fromBeginning: boolean, now: number) => {
      this.initGroupOffsets.run({ group: groupId, topic, fromBeginning: fromBeginning ? 1 : 0, now });
      return new Map(this.selectGroupOffsets.all(groupId, topic).map((row) => [row.part, row.next_offset]));
    });
    this.joinTransaction = (groupId, topic, fromBeginning, now) =>
      join.immediate(groupId, topic, fromBeginning, now);
  }

  /** The topic's partition count, creating the topic (with the default count) on first use. */
  partitionsOf(topic: string): number {
    let count = this.partitionCounts.get(topic);
    if (count === undefined) {
      this.insertTopic.run(topic, this.defaultPartitions);
      count = this.selectTopic.get(topic)!.partitions;
      for (let partition = 0; partition < count; partition += 1) this.insertPartition.run(topic, partition);
      this.partitionCounts.set(topic, count);
    }
    return count;
  }

  /** Appends the messages in one transaction; once it returns they are committed. */
  publish(messages: OutgoingMessage[], now: number): void {
    for (const message of messages) this.partitionsOf(message.topic);
    this.publishTransaction(messages, now);
  }

  heads(topic: string): PartitionHead[] {
    return this.selectHeads.all(topic).map((row) => ({ partition: row.part, nextOffset: row.next_offset }));
  }

  /** Registers the group on the topic's partitions (if new) and returns its next offset per partition. */
  join(groupId: string, topic: string, fromBeginning: boolean, now: number): Map<number, number> {
    this.partitionsOf(topic);
    return this.joinTransaction(groupId, topic, fromBeginning, now);
  }

  read(topic: string, partition: number, fromOffset: number, limit: number): IncomingMessage[] {
    return this.selectMessages.all(topic, partition, fromOffset, limit).map((row) => {
      const message: IncomingMessage = {
        topic,
        partition,
        offset: String(row.msg_offset),
        key: row.msg_key,
        value: row.value,
      };
      if (row.headers !== null) message.headers = JSON.parse(row.headers) as Record<string, string>;
      return message;
    });
  }

  commit(groupId: string, topic: string, partition: number, nextOffset: number, now: number): void {
    this.updateGroupOffset.run(nextOffset, now, groupId, topic, partition);
  }

  /** Deletes messages every known group has consumed; returns how many. */
  purgeConsumed(): number {
    let deleted = 0;
    for (const { topic, part } of this.selectPartitions.all()) {
      deleted += this.deleteConsumed.run(topic, part, topic, part).changes;
    }
    return deleted;
  }

  private publishInTransaction(messages: OutgoingMessage[], now: number): void {
    const byPartition = new Map<string, { topic: string; partition: number; messages: OutgoingMessage[] }>();
    for (const message of messages) {
      const partition = partitionForKey(message.key, this.partitionsOf(message.topic));
      const slot = `${partition}\u0000${message.topic}`;
      let batch = byPartition.get(slot);
      if (!batch) {
        batch = { topic: message.topic, partition, messages: [] };
        byPartition.set(slot, batch);
      }
      batch.messages.push(message);
    }
    for (const { topic, partition, messages: batch } of byPartition.values()) {
      const end = this.reserveOffsets.get(batch.length, topic, partition)!.next_offset;
      let offset = end - batch.length;
      for (const message of batch) {
        const headers =
          message.headers && Object.keys(message.headers).length > 0 ? JSON.stringify(message.headers) : null;
        this.insertMessage.run(topic, partition, offset, message.key, message.value, headers, now);
        offset += 1;
      }
    }
  }
}
