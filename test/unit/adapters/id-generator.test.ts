import { SnowflakeIdGenerator } from '../../../src/adapters/id-generator/snowflake-id-generator';

const fixedClock = (ms: number) => ({ now: () => new Date(ms) });

describe('SnowflakeIdGenerator', () => {
  it('makes decimal-string 64-bit ids that strictly increase', () => {
    const ids = new SnowflakeIdGenerator({ workerId: 3 });
    const made = Array.from({ length: 10_000 }, () => ids.nextId());
    for (const id of made) expect(id).toMatch(/^\d{1,20}$/);
    for (let i = 1; i < made.length; i++) expect(BigInt(made[i]!)).toBeGreaterThan(BigInt(made[i - 1]!));
    expect(BigInt(made[made.length - 1]!)).toBeLessThan(2n ** 64n);
  });

  it('stays unique past 4096 ids in one millisecond and when the clock steps back', () => {
    let ms = Date.UTC(2025, 5, 1);
    const ids = new SnowflakeIdGenerator({ workerId: 1, clock: { now: () => new Date(ms) } });
    const made = Array.from({ length: 9_000 }, () => ids.nextId());
    ms -= 5_000;
    made.push(...Array.from({ length: 100 }, () => ids.nextId()));
    expect(new Set(made).size).toBe(made.length);
  });

  it('different worker ids never collide at the same instant', () => {
    const a = new SnowflakeIdGenerator({ workerId: 1, clock: fixedClock(Date.UTC(2025, 5, 1)) });
    const b = new SnowflakeIdGenerator({ workerId: 2, clock: fixedClock(Date.UTC(2025, 5, 1)) });
    const fromA = new Set(Array.from({ length: 100 }, () => a.nextId()));
    expect(Array.from({ length: 100 }, () => b.nextId()).some((id) => fromA.has(id))).toBe(false);
  });

  it('encodes the time it was made', () => {
    const at = Date.UTC(2025, 5, 1, 12);
    const ids = new SnowflakeIdGenerator({ workerId: 7, clock: fixedClock(at) });
    expect(ids.timestampOf(ids.nextId()).getTime()).toBe(at);
  });

  it.each([-1, 1024, 1.5])('refuses worker id %p', (workerId) => {
    expect(() => new SnowflakeIdGenerator({ workerId })).toThrow(RangeError);
  });
});
