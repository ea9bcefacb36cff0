import type { Admin } from 'kafkajs';

export interface TopicSettings {
  partitions: number;
  replicationFactor: number;
}

/**
 * Creates each topic once, before its first use, with the configured partitions. A topic that
 * already exists keeps its own settings; concurrent first uses share one creation.
 */
export class KafkaTopics {
  private readonly ensured = new Map<string, Promise<void>>();
  private connected: Promise<void> | undefined;

  constructor(
    private readonly admin: Admin,
    private readonly settings: TopicSettings,
  ) {}

  async ensure(topics: Iterable<string>): Promise<void> {
    const missing = [...new Set(topics)].filter((topic) => !this.ensured.has(topic));
    if (missing.length > 0) {
      const creation = this.create(missing);
      for (const topic of missing) {
        const ensured = creation.catch((error: unknown) => {
          // A failed creation is tried again by the next use.
          this.ensured.delete(topic);
          throw error;
        });
        this.ensured.set(topic, ensured);
      }
    }
    await Promise.all([...new Set(topics)].map((topic) => this.ensured.get(topic)));
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect();
  }

  private async create(topics: string[]): Promise<void> {
    await (this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    }));
    for (let attempt = 1; ; attempt += 1) {
      try {
        // Resolves false when every topic already existed.
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: topics.map((topic) => ({
            topic,
            numPartitions: this.settings.partitions,
            replicationFactor: this.settings.replicationFactor,
          })),
        });
        break;
      } catch (error) {
        if (onlyAlreadyExists(error)) break;
        // A KRaft broker may answer the leader wait before its metadata knows the new topic; asking
        // again finds it created (TOPIC_ALREADY_EXISTS).
        if (attempt >= 10 || !isNotYetKnown(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
      }
    }
    await this.waitForLeaders(topics);
  }

  /**
   * Another process may have created a topic a moment ago ("already exists" answers before its
   * partitions have leaders); a consumer subscribing then fails with "This server does not host this
   * topic-partition". So a topic counts as ensured once every partition has a leader.
   */
  private async waitForLeaders(topics: string[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { topics: found } = await this.admin.fetchTopicMetadata({ topics });
        const led = found.every(
          ({ partitions }) => partitions.length > 0 && partitions.every(({ leader }) => leader >= 0),
        );
        if (led && found.length === topics.length) return;
        if (attempt >= 20) throw new Error(`topics ${topics.join(', ')} have no leaders yet`);
      } catch (error) {
        if (attempt >= 20 || !isNotYetKnown(error)) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * Math.min(attempt, 10)));
    }
  }
}

function isNotYetKnown(error: unknown): boolean {
  return (error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION';
}

// Another process created some of the topics between kafkajs' metadata check and the request.
function onlyAlreadyExists(error: unknown): boolean {
  const errors = (error as { errors?: { type?: string }[] }).errors;
  const causes = Array.isArray(errors) ? errors : [error as { type?: string }];
  return causes.every((cause) => cause?.type === 'TOPIC_ALREADY_EXISTS');
}
