/** One partition of a topic as a consumer group sees it, shared by the group's members in this process. */
export interface PartitionSlot {
  topic: string;
  partition: number;
  /** Next offset to deliver: the committed offset, mirrored from mb_group_offsets. */
  nextOffset: number;
  /** A member is handling this partition; nobody else may until it lets go (keyed ordering). */
  busy: boolean;
  /** After a failed handler, no delivery before this time (ms since epoch). */
  retryAt: number;
  /** Consecutive failures of the message at nextOffset, for the backoff. */
  failures: number;
}

export interface GroupMember {
  wake(): void;
}

/**
 * A consumer group within this process. Members share the group's partitions: each partition is
 * handled by at most one member at a time (the `busy` flag), in offset order, and a free partition
 * goes to whichever member looks first. That is how several subscribe calls with one groupId split
 * the work, and how a stopped member's partitions pass to the others.
 */
export class ConsumerGroup {
  private readonly slots = new Map<string, PartitionSlot>();
  readonly members = new Set<GroupMember>();

  constructor(readonly groupId: string) {}

  /** Adds the topic's partitions with their committed offsets, unless a member already did. */
  adopt(topic: string, committed: Map<number, number>): void {
    for (const [partition, nextOffset] of committed) {
      const key = slotKey(topic, partition);
      if (!this.slots.has(key)) {
        this.slots.set(key, { topic, partition, nextOffset, busy: false, retryAt: 0, failures: 0 });
      }
    }
  }

  slot(topic: string, partition: number): PartitionSlot | undefined {
    return this.slots.get(slotKey(topic, partition));
  }

  wakeMembers(): void {
    for (const member of this.members) member.wake();
  }
}

function slotKey(topic: string, partition: number): string {
  return `${partition}\u0000${topic}`;
}
