import { Snowflake } from '@sapphire/snowflake';
import type { Clock } from '../../ports/clock';
import { systemClock } from '../../ports/clock';
import type { IdGenerator } from '../../ports/id-generator';

/** 2025-01-01T00:00:00Z: ids stay short and sortable for ~69 years from there. */
export const SNOWFLAKE_EPOCH = Date.UTC(2025, 0, 1);
const MAX_INCREMENT = 4095;

export interface SnowflakeIdGeneratorOptions {
  /** 0..1023 (5 bits worker + 5 bits process): distinct per running instance. */
  workerId: number;
  clock?: Clock;
  epoch?: number;
}

/**
 * Twitter-style 64-bit ids as decimal strings. Ids of one generator strictly increase even when the
 * clock steps back or more than 4096 ids are asked for within one millisecond (it borrows from the
 * next millisecond then).
 */
export class SnowflakeIdGenerator implements IdGenerator {
  private readonly snowflake: Snowflake;
  private readonly clock: Clock;
  private readonly workerId: bigint;
  private readonly processId: bigint;
  private lastTimestamp = -1;
  private increment = 0;

  constructor(options: SnowflakeIdGeneratorOptions) {
    const { workerId } = options;
    if (!Number.isInteger(workerId) || workerId < 0 || workerId > 1023) {
      throw new RangeError(`snowflake worker id ${workerId} is not an integer in 0..1023`);
    }
    this.snowflake = new Snowflake(options.epoch ?? SNOWFLAKE_EPOCH);
    this.clock = options.clock ?? systemClock;
    this.workerId = BigInt(workerId >> 5);
    this.processId = BigInt(workerId & 31);
  }

  nextId(): string {
    const now = this.clock.now().getTime();
    if (now > this.lastTimestamp) {
      this.lastTimestamp = now;
      this.increment = 0;
    } else if (this.increment < MAX_INCREMENT) {
      this.increment++;
    } else {
      this.lastTimestamp++;
      this.increment = 0;
    }
    return this.snowflake
      .generate({
        timestamp: this.lastTimestamp,
        increment: BigInt(this.increment),
        workerId: this.workerId,
        processId: this.processId,
      })
      .toString();
  }

  /** When an id was made (for debugging; ids are opaque elsewhere). */
  timestampOf(id: string): Date {
    return new Date(this.snowflake.timestampFrom(id));
  }
}
