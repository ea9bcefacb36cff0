import { KeyedSerializer } from '../../../src/adapters/account-leases/keyed-serializer';

/** A task that records when it starts and ends, and ends when told to. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    task: async () => {
      log.push(`${name} start`);
      await opened;
      log.push(`${name} end`);
      return name;
    },
  };
}

describe('KeyedSerializer', () => {
  it('runs the tasks of one key one after the other, in call order', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    const first = gate(log, 'first');
    const second = gate(log, 'second');

    const results = [serializer.run('a', first.task), serializer.run('a', second.task)];
    second.open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first start']);
    first.open();

    expect(await Promise.all(results)).toEqual(['first', 'second']);
    expect(log).toEqual(['first start', 'first end', 'second start', 'second end']);
  });

  it('runs tasks of different keys side by side', async () => {
    const serializer = new KeyedSerializer();
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');

    const results = [serializer.run('a', a.task), serializer.run('b', b.task)];
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['a start', 'b start']);
    a.open();
    b.open();

    expect(await Promise.all(results)).toEqual(['a', 'b']);
  });

  it('goes on with the next task of a key after one failed', async () => {
    const serializer = new KeyedSerializer();

    const failed = serializer.run('a', () => Promise.reject(new Error('boom')));
    const next = serializer.run('a', async () => 'next');

    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('next');
  });
});
