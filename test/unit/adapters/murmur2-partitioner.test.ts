import { Partitioners } from 'kafkajs';
import { partitionForKey } from '../../../src/adapters/message-bus/murmur2-partitioner';

describe('partitionForKey', () => {
  const kafkaPartitioner = Partitioners.DefaultPartitioner();

  function kafkaPartition(key: string, partitions: number): number {
    return kafkaPartitioner({
      topic: 'jimeng.jobs',
      partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      })),
      message: { key, value: '' },
    });
  }

  it('puts every key on the partition Kafka’s default partitioner would choose', () => {
    const keys = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'account-42',
      'image-project-1.storyboard-7',
      'video-项目.分镜-3',
      'emoji-😀-key',
      ...Array.from({ length: 200 }, (_, n) => `image-p${n}.s${n * 7}`),
    ];
    for (const partitions of [1, 3, 8, 12]) {
      for (const key of keys)
        expect([key, partitionForKey(key, partitions)]).toEqual([key, kafkaPartition(key, partitions)]);
    }
  });

  it('spreads keys over all partitions', () => {
    const used = new Set(Array.from({ length: 100 }, (_, n) => partitionForKey(`image-p.s${n}`, 8)));
    expect(used.size).toBe(8);
  });
});
