import { createHash } from 'node:crypto';

/** Namespace of this product's name-based event ids (a fixed random UUID). */
const EVENT_ID_NAMESPACE = Buffer.from('5b0c6d0e3f4a4e8c9a1d7f2e6b3c8d41', 'hex');

/**
 * A name-based UUID (RFC 9562 version 5: SHA-1 over namespace + name) for the index-th event
 * decided under `seed`. The same seed gives the same ids, so a retried append repeats ids and the
 * store treats it as the same write.
 */
export function deterministicEventId(seed: string, index: number): string {
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE).update(`${seed}#${index}`, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
