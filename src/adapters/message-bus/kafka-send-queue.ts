import type { OutgoingMessage } from '../../ports/message-bus';

interface Pending {
  messages: OutgoingMessage[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * One send at a time: kafkajs' idempotent producer numbers each partition's batches when a send
 * starts, so overlapping sends can reach the broker out of sequence after a retry. Publishes that
 * arrive while a send is in flight wait and then go together in the next send, which keeps the
 * throughput of concurrent publishers.
 */
export class KafkaSendQueue {
  private pending: Pending[] = [];
  private sending = false;

  constructor(
    private readonly send: (messages: OutgoingMessage[]) => Promise<void>,
    /** Publishes are joined up to this many messages (a single larger publish goes alone). */
    private readonly maxMessagesPerSend: number,
  ) {}

  enqueue(messages: OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ messages, resolve, reject });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.takeBatch();
        try {
          await this.send(batch.flatMap((entry) => entry.messages));
          for (const entry of batch) entry.resolve();
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.sending = false;
    }
  }

  private takeBatch(): Pending[] {
    let count = 0;
    let taken = 0;
    while (taken < this.pending.length) {
      const size = this.pending[taken].messages.length;
      if (taken > 0 && count + size > this.maxMessagesPerSend) break;
      count += size;
      taken += 1;
    }
    return this.pending.splice(0, taken);
  }
}
